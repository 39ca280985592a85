using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Memstore.Cli;

/// <summary>
/// <c>--help</c>: System.CommandLine's help, and for <c>memstore --help</c> the notes that apply to every command
/// (the shared options and the exit codes), and for a command its <see cref="ICommand.Notes"/>.
/// </summary>
internal sealed class HelpWithNotesAction(HelpAction help, IReadOnlyDictionary<Command, string> notes) : SynchronousCommandLineAction
{
    /// <summary>The notes under <c>memstore --help</c>.</summary>
    public const string RootNotes =
        """
        Server commands take --servers LIST (host[:port[:weight]],...), --distribution NAME and
        --timeout MS (default 2000), and for TLS and authentication --tls, --tls-ca FILE,
        --tls-host NAME, --tls-cert FILE, --tls-key FILE, --tls-insecure, --username NAME and
        --password-file FILE (or MEMSTORE_PASSWORD).

        Exit codes: 0 success; 1 a server failed (unreachable, timeout, error reply; the server is
        named on standard error); 2 bad command line; 3 get/delete found no item for a key;
        130 stopped by Ctrl-C after printing what it had (bench).

        Run 'memstore COMMAND --help' for a command's options.

        """;

    /// <inheritdoc />
    public override bool ClearsParseErrors => true;

    /// <inheritdoc />
    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        int exitCode = help.Invoke(parseResult);
        Command command = parseResult.CommandResult.Command;
        string? text = parseResult.CommandResult.Parent is null ? RootNotes : notes.GetValueOrDefault(command);
        if (text is not null)
        {
            parseResult.InvocationConfiguration.Output.Write(text.TrimEnd('\n') + "\n\n");
        }

        return exitCode;
    }
}
