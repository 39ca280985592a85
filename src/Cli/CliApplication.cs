using Memstore.Cli.Commands;

namespace Memstore.Cli;

/// <summary>Picks the sub-command from the first argument and turns usage errors into exit code 2.</summary>
internal static class CliApplication
{
    /// <summary>Every command, in the order <c>memstore --help</c> lists them.</summary>
    public static IReadOnlyList<ICommand> Commands { get; } = [new LocateCommand()];

    /// <summary>Runs the command line.</summary>
    /// <param name="arguments">All arguments, the command name first.</param>
    /// <param name="context">Standard streams.</param>
    /// <param name="cancellationToken">Stops a long-running command.</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> RunAsync(
        IReadOnlyList<string> arguments, CommandContext context, CancellationToken cancellationToken = default)
    {
        if (arguments.Count == 0 || arguments[0] is "-h" or "--help" or "help")
        {
            await context.Output.WriteAsync(GeneralUsage()).ConfigureAwait(false);
            return arguments.Count == 0 ? ExitCodes.Usage : ExitCodes.Success;
        }

        ICommand? command = Commands.FirstOrDefault(c => c.Name == arguments[0]);
        if (command is null)
        {
            await context.Error.WriteLineAsync($"memstore: unknown command '{arguments[0]}'.").ConfigureAwait(false);
            await context.Error.WriteAsync(GeneralUsage()).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        IReadOnlyList<string> rest = [.. arguments.Skip(1)];
        if (rest.Count > 0 && rest[0] is "-h" or "--help")
        {
            await context.Output.WriteAsync(command.Usage).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        try
        {
            return await command.RunAsync(rest, context, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException error)
        {
            await context.Error.WriteLineAsync($"memstore {command.Name}: {error.Message}").ConfigureAwait(false);
            await context.Error.WriteAsync(command.Usage).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
    }

    private static string GeneralUsage()
    {
        var text = new System.Text.StringBuilder("Usage: memstore COMMAND [OPTIONS]\n\nCommands:\n");
        foreach (ICommand command in Commands)
        {
            text.Append("  ").Append(command.Name.PadRight(10)).Append(command.Summary).Append('\n');
        }

        text.Append("\nRun 'memstore COMMAND --help' for a command's options.\n");
        return text.ToString();
    }
}
