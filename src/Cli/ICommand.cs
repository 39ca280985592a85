namespace Memstore.Cli;

/// <summary>One <c>memstore</c> sub-command. Add a command by implementing this and listing it in <see cref="CliApplication"/>.</summary>
internal interface ICommand
{
    /// <summary>The word that selects the command, for example <c>locate</c>.</summary>
    string Name { get; }

    /// <summary>One line for the command list.</summary>
    string Summary { get; }

    /// <summary>Full usage text shown by <c>memstore NAME --help</c> and after usage errors.</summary>
    string Usage { get; }

    /// <summary>Runs the command with the arguments after its name.</summary>
    /// <returns>The process exit code (see <see cref="ExitCodes"/>).</returns>
    /// <exception cref="UsageException">The arguments are wrong.</exception>
    Task<int> RunAsync(IReadOnlyList<string> arguments, CommandContext context, CancellationToken cancellationToken);
}
