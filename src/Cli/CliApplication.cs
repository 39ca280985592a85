using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using Memstore.Cli.Commands;

namespace Memstore.Cli;

/// <summary>
/// Parses the command line with System.CommandLine and turns errors into exit codes: a bad command line
/// (a parse error, an invalid key or an oversized value) is one line on standard error and exit code 2; a server
/// failure (unreachable, timeout, error reply) is one line naming the server and exit code 1.
/// </summary>
internal static class CliApplication
{
    /// <summary>Width that help text is wrapped to.</summary>
    private const int HelpWidth = 100;

    /// <summary>Every command, in the order <c>memstore --help</c> lists them.</summary>
    public static IReadOnlyList<ICommand> Commands { get; } =
    [
        new LocateCommand(), new PingCommand(), new StatsCommand(), new TopCommand(), new BenchCommand(), new GetCommand(),
        new SetCommand(), new DeleteCommand(), new FlushCommand(), new KeysCommand(), new McasCommand(), new DequeCommand(),
    ];

    /// <summary>Runs the command line.</summary>
    /// <param name="arguments">All arguments, the command name first.</param>
    /// <param name="context">Standard streams.</param>
    /// <param name="cancellationToken">Stops a long-running command.</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> RunAsync(
        IReadOnlyList<string> arguments, CommandContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(context);
        Command root = CreateRoot(context);
        var invocation = new InvocationConfiguration
        {
            Output = context.Output,
            Error = context.Error,
            EnableDefaultExceptionHandler = false,
            // Ctrl-C cancels the command's token (top and bench stop cleanly); only for the real process.
            ProcessTerminationTimeout = context.HandlesTermination ? TimeSpan.FromSeconds(2) : null,
        };

        if (arguments.Count == 0)
        {
            // No command at all: a usage error, the help on standard error.
            var toError = new InvocationConfiguration { Output = context.Error, Error = context.Error, ProcessTerminationTimeout = null };
            await root.Parse(["--help"], ParserSettings).InvokeAsync(toError, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        ParseResult parsed = root.Parse(arguments, ParserSettings);
        string command = parsed.CommandResult.Parent is null ? "memstore" : $"memstore {parsed.CommandResult.Command.Name}";
        if (parsed.Action is not HelpWithNotesAction && (OptionMistake(parsed, arguments) ?? FirstError(parsed)) is { } mistake)
        {
            await context.Error.WriteLineAsync(
                mistake.StartsWith("memstore", StringComparison.Ordinal) ? mistake : $"{command}: {mistake} Run '{command} --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        try
        {
            return await parsed.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        // ArgumentException covers an invalid key, an oversized value and a file the client could not use (--tls-ca).
        catch (ArgumentException error)
        {
            await context.Error.WriteLineAsync($"{command}: {Failures.UsageMessage(error)} Run '{command} --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (MemcacheException error)
        {
            await context.Error.WriteLineAsync($"{command}: {Failures.Describe(error)}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    /// <summary>
    /// No response files: a key such as <c>@home</c> is a key, not a file to read arguments from.
    /// </summary>
    private static ParserConfiguration ParserSettings { get; } = new() { ResponseFileTokenReplacer = null };

    /// <summary>
    /// A plain command named memstore rather than a <see cref="RootCommand"/>, which would take its name from the
    /// executable (Memstore.Cli) and treat a first argument in brackets as a directive.
    /// </summary>
    private static Command CreateRoot(CommandContext context)
    {
        var root = new Command("memstore", "memstore: operate memcached clusters the way the Memstore client sees them.")
        {
            new HelpOption(), new VersionOption(),
        };
        var notes = new Dictionary<Command, string>();
        foreach (ICommand command in Commands)
        {
            Command created = command.Create(context);
            root.Add(created);
            notes[created] = command.Notes;
        }

        foreach (HelpOption option in root.Options.OfType<HelpOption>())
        {
            option.Action = new HelpWithNotesAction(new HelpAction { MaxWidth = HelpWidth }, notes);
        }

        return root;
    }

    /// <summary>
    /// What System.CommandLine lets through: a repeated option, a flag given a value (<c>--yes=no</c>, which it would split into the flag
    /// and an argument), and an unknown option where the command takes arguments (it would become a key). Only
    /// before <c>--</c>: after it, everything is an argument.
    /// </summary>
    private static string? OptionMistake(ParseResult parsed, IReadOnlyList<string> arguments)
    {
        Command command = parsed.CommandResult.Command;
        int end = arguments.ToList().IndexOf("--");
        end = end < 0 ? arguments.Count : end;
        foreach (string argument in arguments.Take(end))
        {
            int equals = argument.IndexOf('=', StringComparison.Ordinal);
            if (argument.StartsWith('-') && equals > 0
                && command.Options.FirstOrDefault(o => o.Name == argument[..equals] || o.Aliases.Contains(argument[..equals])) is { Arity.MaximumNumberOfValues: 0 } flag)
            {
                return $"Option '{flag.Name}' takes no value.";
            }
        }

        // System.CommandLine keeps the last of a repeated option; which one was meant is unclear.
        if (command.Options.FirstOrDefault(o => parsed.GetResult(o) is { IdentifierTokenCount: > 1 }) is { } repeated)
        {
            return $"Option '{repeated.Name}' is given more than once.";
        }

        int doubleDash = parsed.Tokens.ToList().FindIndex(t => t.Type == TokenType.DoubleDash);
        foreach (Argument argument in command.Arguments)
        {
            foreach (Token token in parsed.GetResult(argument)?.Tokens ?? [])
            {
                bool beforeDoubleDash = doubleDash < 0 || parsed.Tokens.ToList().FindIndex(t => ReferenceEquals(t, token)) < doubleDash;
                if (token.Value.Length > 1 && token.Value.StartsWith('-') && beforeDoubleDash)
                {
                    return $"Unknown option '{token.Value}'. (Put '--' before an argument that starts with '-'.)";
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The one line a parse error prints, or null without errors. Tokens nobody took come first (an unknown option,
    /// or an argument for a command that takes none), then errors of options and arguments, then the commands' own checks.
    /// </summary>
    private static string? FirstError(ParseResult parsed)
    {
        if (parsed.UnmatchedTokens.Count > 0)
        {
            string token = parsed.UnmatchedTokens[0];
            if (parsed.CommandResult.Parent is null && !token.StartsWith('-'))
            {
                return $"memstore: unknown command '{token}'. Run 'memstore --help' for the list of commands.";
            }

            return token.StartsWith('-') && token.Length > 1
                ? $"Unknown option '{token.Split('=')[0]}'."
                : $"{parsed.CommandResult.Command.Name} takes no arguments; got '{token}'.";
        }

        if (parsed.Errors.Count == 0)
        {
            return null;
        }

        ParseError first = parsed.Errors.OrderBy(e => e.SymbolResult is CommandResult ? 1 : 0).First();
        if (first.SymbolResult is OptionResult { Tokens.Count: 0, Option: { Arity.MinimumNumberOfValues: > 0 } option })
        {
            return $"Option '{option.Name}' needs a value: {option.Name} {option.HelpName}.";
        }

        // Some messages of System.CommandLine separate listed values with tabs.
        return string.Join(' ', Failures.OneLine(first.Message).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
    }
}
