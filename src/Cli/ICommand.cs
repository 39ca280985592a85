using System.CommandLine;

namespace Memstore.Cli;

/// <summary>
/// One <c>memstore</c> sub-command. Add a command by implementing this and listing it in
/// <see cref="CliApplication.Commands"/>.
/// </summary>
internal interface ICommand
{
    /// <summary>The word that selects the command, for example <c>locate</c>.</summary>
    string Name { get; }

    /// <summary>One line for the command list of <c>memstore --help</c>.</summary>
    string Summary { get; }

    /// <summary>What <c>memstore NAME --help</c> prints after the options: what the command prints, and its exit codes.</summary>
    string Notes { get; }

    /// <summary>
    /// The command with its options, arguments, checks (whose failures are parse errors: exit code 2) and action,
    /// which writes to <paramref name="context"/> and returns the exit code (see <see cref="ExitCodes"/>).
    /// </summary>
    Command Create(CommandContext context);
}
