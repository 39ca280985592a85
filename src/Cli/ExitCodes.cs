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

    /// <summary>
    /// Stopped by Ctrl-C (SIGINT) or SIGTERM before it finished, after printing what it had (128 + SIGINT's number 2,
    /// the shells' convention): <c>bench</c> after its partial summary, <c>keys</c> after the keys listed so far.
    /// </summary>
    public const int Interrupted = 130;
}
