namespace Memstore.Cli;

/// <summary>The standard streams a command reads and writes; tests pass their own.</summary>
/// <param name="Input">Standard input, as text.</param>
/// <param name="Output">Standard output, as text: results only.</param>
/// <param name="Error">Standard error: diagnostics and usage messages.</param>
internal sealed record CommandContext(TextReader Input, TextWriter Output, TextWriter Error)
{
    /// <summary>
    /// Standard input as bytes, for values read with <c>memstore set KEY -</c>. When null, the text
    /// <see cref="Input"/> is read instead and encoded as UTF-8.
    /// </summary>
    public Stream? InputStream { get; init; }

    /// <summary>
    /// The byte stream underneath <see cref="Output"/>, for values written as-is by <c>memstore get</c>.
    /// <see cref="Output"/> is flushed before bytes go here. When null, values are written to
    /// <see cref="Output"/> decoded as UTF-8.
    /// </summary>
    public Stream? OutputStream { get; init; }

    /// <summary>
    /// Whether standard output is an interactive terminal (the real console, not redirected): <c>top</c> draws a
    /// live view and <c>bench</c> a progress line only then; otherwise they print plain text.
    /// </summary>
    public bool IsTerminal { get; init; }

    /// <summary>Whether Ctrl-C and SIGTERM cancel the command (the real process; tests leave the handlers alone).</summary>
    public bool HandlesTermination { get; init; }
}
