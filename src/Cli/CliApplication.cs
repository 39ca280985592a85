using Memstore.Cli.Commands;

namespace Memstore.Cli;

/// <summary>
/// Picks the sub-command from the first argument and turns errors into exit codes: a bad command line
/// (including an invalid key or an oversized value) is one line on standard error and exit code 2; a server
/// failure (unreachable, timeout, error reply) is one line naming the server and exit code 1.
/// </summary>
internal static class CliApplication
{
    /// <summary>Every command, in the order <c>memstore --help</c> lists them.</summary>
    public static IReadOnlyList<ICommand> Commands { get; } =
    [
        new LocateCommand(), new PingCommand(), new StatsCommand(), new GetCommand(),
        new SetCommand(), new DeleteCommand(), new FlushCommand(),
    ];

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
            // Asked for: help on standard output. No command at all: a usage error, on standard error.
            TextWriter writer = arguments.Count == 0 ? context.Error : context.Output;
            await writer.WriteAsync(GeneralUsage()).ConfigureAwait(false);
            return arguments.Count == 0 ? ExitCodes.Usage : ExitCodes.Success;
        }

        ICommand? command = Commands.FirstOrDefault(c => c.Name == arguments[0]);
        if (command is null)
        {
            await context.Error.WriteLineAsync(
                $"memstore: unknown command '{arguments[0]}'. Run 'memstore --help' for the list of commands.").ConfigureAwait(false);
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
        // ArgumentException covers an invalid key, an oversized value and a file the client could not use (--tls-ca).
        catch (Exception error) when (error is UsageException or ArgumentException)
        {
            await context.Error.WriteLineAsync(
                $"memstore {command.Name}: {Failures.UsageMessage(error)} Run 'memstore {command.Name} --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (MemcacheException error)
        {
            await context.Error.WriteLineAsync($"memstore {command.Name}: {Failures.Describe(error)}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    private static string GeneralUsage()
    {
        var text = new System.Text.StringBuilder("Usage: memstore COMMAND [OPTIONS]\n\nCommands:\n");
        foreach (ICommand command in Commands)
        {
            text.Append("  ").Append(command.Name.PadRight(10)).Append(command.Summary).Append('\n');
        }

        text.Append(
            """

            Server commands take --servers LIST (host[:port[:weight]],...), --distribution NAME and
            --timeout MS (default 2000), and for TLS and authentication --tls, --tls-ca FILE,
            --tls-host NAME, --tls-cert FILE, --tls-key FILE, --tls-insecure, --username NAME and
            --password-file FILE (or MEMSTORE_PASSWORD).

            Exit codes: 0 success; 1 a server failed (unreachable, timeout, error reply; the server is
            named on standard error); 2 bad command line; 3 get/delete found no item for a key.

            Run 'memstore COMMAND --help' for a command's options.

            """);
        return text.ToString();
    }
}
