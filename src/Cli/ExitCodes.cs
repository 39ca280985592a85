namespace Memstore.Cli;

/// <summary>Process exit codes, the same for every command.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Success = 0;

    /// <summary>The command ran and failed (for example a server did not answer).</summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong: unknown command or option, missing or invalid value.</summary>
    public const int Usage = 2;
}
