namespace Memstore.Cli;

/// <summary>The standard streams a command reads and writes; tests pass their own.</summary>
/// <param name="Input">Standard input.</param>
/// <param name="Output">Standard output: results only.</param>
/// <param name="Error">Standard error: diagnostics and usage messages.</param>
internal sealed record CommandContext(TextReader Input, TextWriter Output, TextWriter Error);
