using System.Text;
using Memstore.Cli;

namespace Memstore.Tests.Cluster;

/// <summary>`memstore locate`, run in-process with its standard streams captured.</summary>
[Trait("Category", "Unit")]
public class LocateCommandTests
{
    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string input, params string[] arguments)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exitCode = await CliApplication.RunAsync(arguments, new CommandContext(new StringReader(input), output, error));
        return (exitCode, output.ToString().ReplaceLineEndings("\n"), error.ToString());
    }

    [Fact]
    public async Task Locates_keys_given_as_arguments()
    {
        var (exitCode, output, error) = await RunAsync("", "locate", "--servers", "10.0.1.1,10.0.1.2,10.0.1.3", "key0", "key1", "key2");
        Assert.Equal(0, exitCode);
        Assert.Equal("key0\t10.0.1.1:11211\nkey1\t10.0.1.3:11211\nkey2\t10.0.1.2:11211\n", output);
        Assert.Empty(error);
    }

    [Fact]
    public async Task Reads_keys_from_standard_input_when_none_are_given()
    {
        var (exitCode, output, _) = await RunAsync("key0\nkey1\n\nkey2\r\n", "locate", "-s", "10.0.1.1,10.0.1.2,10.0.1.3", "-d", "ketama-pre1010");
        Assert.Equal(0, exitCode);
        Assert.Equal("key0\t10.0.1.3:11211\nkey1\t10.0.1.1:11211\nkey2\t10.0.1.2:11211\n", output);
    }

    [Theory]
    [InlineData("ketama")]
    [InlineData("ketama-weighted")]
    [InlineData("ketama-pre1010")]
    [InlineData("modula")]
    public async Task Agrees_with_libmemcached_vectors(string distribution)
    {
        VectorFile file = VectorFile.Load(distribution);
        VectorConfig config = file.Configs.First(c => c.Name == "three-ports");
        int column = file.Configs.ToList().IndexOf(config);
        // Keys that survive a line-based round trip: valid UTF-8, no line breaks (memcached keys have none).
        var sample = file.Keys.Where((_, i) => i % 25 == 0).ToList();
        string input = string.Join("\n", sample.Select(k => Encoding.UTF8.GetString(k.Key)));
        string servers = string.Join(",", config.Servers.Select(s => $"{s}:{s.Weight}"));

        var (exitCode, output, error) = await RunAsync(input, "locate", $"--servers={servers}", $"--distribution={distribution}");

        Assert.True(exitCode == 0, error);
        string[] lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal(sample.Count, lines.Length);
        for (int i = 0; i < sample.Count; i++)
        {
            string expected = $"{Encoding.UTF8.GetString(sample[i].Key)}\t{config.Servers[sample[i].Expected[column]]}";
            Assert.Equal(expected, lines[i]);
        }
    }

    [Theory]
    [InlineData(new[] { "frobnicate" }, "unknown command 'frobnicate'")]
    [InlineData(new[] { "locate", "key" }, "Missing --servers")]
    [InlineData(new[] { "locate", "--servers" }, "Option '--servers' needs a value")]
    [InlineData(new[] { "locate", "--servers", "a", "--bogus" }, "Unknown option '--bogus'")]
    [InlineData(new[] { "locate", "--servers", "a", "-s", "b" }, "Option '--servers' is given more than once")]
    [InlineData(new[] { "locate", "--servers", "a:0", "k" }, "Invalid server address 'a:0': the port '0'")]
    [InlineData(new[] { "locate", "--servers", ",", "k" }, "Server list entry 1 is empty")]
    [InlineData(new[] { "locate", "--servers", "a", "-d", "random", "k" }, "Unknown distribution 'random'. Valid values: ketama, ketama-weighted, ketama-pre1010, modula.")]
    public async Task Usage_errors_exit_with_2_and_explain_on_standard_error(string[] arguments, string message)
    {
        var (exitCode, output, error) = await RunAsync("", arguments);
        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Contains("--help", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split(Environment.NewLine));
        Assert.Empty(output);
    }

    [Fact]
    public async Task Help_goes_to_standard_output_with_exit_code_0()
    {
        var (exitCode, output, _) = await RunAsync("", "locate", "--help");
        Assert.Equal(0, exitCode);
        Assert.Contains("ketama (default), ketama-weighted, ketama-pre1010, modula", output, StringComparison.Ordinal);
        (exitCode, output, _) = await RunAsync("", "--help");
        Assert.Equal(0, exitCode);
        Assert.Contains("locate", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Double_dash_lets_keys_start_with_a_dash()
    {
        var (exitCode, output, _) = await RunAsync("", "locate", "-s", "solo:11300", "--", "-k", "--x");
        Assert.Equal(0, exitCode);
        Assert.Equal("-k\tsolo:11300\n--x\tsolo:11300\n", output);
    }
}
