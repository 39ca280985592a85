using Memstore.Cli;

// Buffered standard output: locate may print millions of lines; flushed once at the end.
var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
await using (output.ConfigureAwait(false))
{
    int exitCode = await CliApplication.RunAsync(args, new CommandContext(Console.In, output, Console.Error)).ConfigureAwait(false);
    await output.FlushAsync().ConfigureAwait(false);
    return exitCode;
}
