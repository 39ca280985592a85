using System.Text;
using Memstore.Cli;

namespace Memstore.Tests.Cli;

/// <summary>What a `memstore` run printed and returned.</summary>
public sealed record CliResult(int ExitCode, byte[] OutputBytes, string Error)
{
    public string Output => Encoding.UTF8.GetString(OutputBytes).ReplaceLineEndings("\n");

    public string[] ErrorLines => Error.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {ExitCode}; stdout: {Output}; stderr: {Error}";
}

/// <summary>Runs `memstore` in-process the way Program.cs does: a buffered text writer over a byte stream.</summary>
internal static class CliRunner
{
    public static Task<CliResult> RunAsync(params string[] arguments) => RunWithInputAsync([], arguments);

    public static async Task<CliResult> RunWithInputAsync(byte[] input, params string[] arguments)
    {
        using var stdout = new MemoryStream();
        using var error = new StringWriter();
        int exitCode;
        var output = new StreamWriter(stdout, new UTF8Encoding(false), leaveOpen: true);
        await using (output)
        {
            var context = new CommandContext(new StreamReader(new MemoryStream(input)), output, error)
            {
                InputStream = new MemoryStream(input),
                OutputStream = stdout,
            };
            exitCode = await CliApplication.RunAsync(arguments, context);
        }
        return new CliResult(exitCode, stdout.ToArray(), error.ToString());
    }
}
