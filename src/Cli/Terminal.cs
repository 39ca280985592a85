using Spectre.Console;

namespace Memstore.Cli;

/// <summary>Spectre.Console consoles over a command's standard output.</summary>
internal static class Terminal
{
    /// <summary>
    /// A console writing to <paramref name="context"/>'s output: with colours and the real width on a terminal,
    /// plain and <paramref name="width"/> columns wide otherwise (redirected output and tests).
    /// </summary>
    public static IAnsiConsole Create(CommandContext context, int width = 160)
    {
        ArgumentNullException.ThrowIfNull(context);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(context.Output),
            Ansi = context.IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = context.IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = context.IsTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!context.IsTerminal)
        {
            console.Profile.Width = width;
        }

        return console;
    }
}
