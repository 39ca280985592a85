namespace Memstore.Cli;

/// <summary>Process exit codes, the same for every command.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Success = 0;

    /// <summary>
    /// The command ran and failed: a server was unreachable, timed out, or answered with an error.
    /// Standard error names the server.
    /// </summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong: unknown command or option, missing or invalid value, invalid key.</summary>
    public const int Usage = 2;

    /// <summary><c>get</c> or <c>delete</c> found no item for (at least one of) the keys; every other key was handled.</summary>
    public const int NotFound = 3;
}
