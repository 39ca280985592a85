using Memstore.Cli;

// Buffered standard output: locate may print millions of lines; flushed once at the end.
// The raw stream is handed over too, so `get` can write values byte for byte.
Stream standardOutput = Console.OpenStandardOutput();
var output = new StreamWriter(standardOutput) { AutoFlush = false };
await using (output.ConfigureAwait(false))
{
    var context = new CommandContext(Console.In, output, Console.Error)
    {
        InputStream = Console.OpenStandardInput(),
        OutputStream = standardOutput,
        IsTerminal = !Console.IsOutputRedirected && !Console.IsInputRedirected,
        HandlesTermination = true,
    };
    int exitCode = await CliApplication.RunAsync(args, context).ConfigureAwait(false);
    await output.FlushAsync().ConfigureAwait(false);
    return exitCode;
}
