using Memstore.Cli;

namespace Memstore.Tests.Cli;

/// <summary>Bad command lines: exit code 2, one line on standard error, nothing on standard output, no server contacted.</summary>
[Trait("Category", "Unit")]
public sealed class UsageTests
{
    // Nothing listens on port 1; usage errors are found before any request is sent.
    private const string Server = "127.0.0.1:1";

    [Theory]
    [InlineData("memstore: unknown command 'frobnicate'", "frobnicate")]
    [InlineData("memstore get: Missing --servers", "get", "k")]
    [InlineData("memstore get: Missing KEY", "get", "-s", Server)]
    [InlineData("memstore get: Option '--timeout' needs a whole number from 1", "get", "-s", Server, "--timeout", "0", "k")]
    [InlineData("memstore get: Option '--timeout' needs a whole number", "get", "-s", Server, "--timeout", "soon", "k")]
    [InlineData("memstore get: Key \"bad key\" is invalid", "get", "-s", Server, "bad key")]
    [InlineData("memstore get: Unknown option '--bogus'", "get", "-s", Server, "--bogus", "k")]
    [InlineData("memstore get: Option '--show-meta' takes no value", "get", "-s", Server, "--show-meta=yes", "k")]
    [InlineData("memstore set: set needs KEY and VALUE", "set", "-s", Server, "k")]
    [InlineData("memstore set: Option '--ttl' needs a whole number from 0", "set", "-s", Server, "--ttl", "-1", "k", "v")]
    [InlineData("memstore set: Option '--flags' needs a whole number from 0 to 4294967295", "set", "-s", Server, "--flags", "4294967296", "k", "v")]
    [InlineData("memstore delete: Missing KEY", "delete", "-s", Server)]
    [InlineData("memstore delete: A memcached key cannot be", "delete", "-s", Server, "")]
    [InlineData("memstore flush: Refusing to flush without --yes", "flush", "-s", Server)]
    [InlineData("memstore flush: Option '--delay' needs a whole number", "flush", "-s", Server, "--delay", "later", "--yes")]
    [InlineData("memstore stats: A stats group is a single word", "stats", "-s", Server, "--group", "a b")]
    [InlineData("memstore stats: stats takes no arguments", "stats", "-s", Server, "settings")]
    [InlineData("memstore ping: ping takes no arguments", "ping", "-s", Server, "extra")]
    [InlineData("memstore ping: Unknown distribution 'random'", "ping", "-s", Server, "-d", "random")]
    [InlineData("memstore ping: Server list entry 1: Invalid server address 'a:0'", "ping", "-s", "a:0")]
    [InlineData("memstore ping: --servers lists 127.0.0.1:1 twice.", "ping", "-s", "127.0.0.1:1,127.0.0.1:1")]
    [InlineData("memstore ping: Option '--servers' needs a value", "ping", "--servers")]
    [InlineData("memstore get: Option '--servers' is given more than once", "get", "-s", Server, "--servers", Server, "k")]
    [InlineData("memstore top: Unknown sort column 'cpu'", "top", "-s", Server, "--sort", "cpu")]
    [InlineData("memstore top: Option '--interval' needs a number of seconds from 0.1", "top", "-s", Server, "--interval", "0")]
    [InlineData("memstore bench: Option '--get-ratio' needs a number from 0 to 1", "bench", "-s", Server, "--get-ratio", "1.5")]
    [InlineData("memstore bench: Option '--concurrency' needs a whole number from 1", "bench", "-s", Server, "-c", "0")]
    [InlineData("memstore bench: Key \"bad key00000000009999\" is invalid", "bench", "-s", Server, "--key-prefix", "bad key")]
    public async Task Bad_arguments_exit_2_with_one_line_on_stderr(string message, params string[] arguments)
    {
        var result = await CliRunner.RunAsync(arguments);
        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Empty(result.Output);
        string line = Assert.Single(result.ErrorLines);
        Assert.StartsWith(message, line, StringComparison.Ordinal);
        Assert.Contains("--help", line, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_over_the_item_size_is_a_usage_error()
    {
        var result = await CliRunner.RunWithInputAsync(new byte[(1024 * 1024) + 1], "set", "-s", Server, "big", "-");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("memstore set: The value for key \"big\" is 1048577 bytes", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_every_command_and_exit_codes_and_each_command_has_its_own()
    {
        var help = await CliRunner.RunAsync("--help");
        Assert.Equal(0, help.ExitCode);
        foreach (string command in new[] { "locate", "ping", "stats", "top", "bench", "get", "set", "delete", "flush", "keys", "mcas", "deque" })
        {
            Assert.Contains($"\n  {command} ", help.Output, StringComparison.Ordinal);
            var own = await CliRunner.RunAsync(command, "--help");
            Assert.Equal(0, own.ExitCode);
            Assert.Contains($"Usage:\n  memstore {command} ", own.Output, StringComparison.Ordinal);
            Assert.Contains("--servers <LIST>", own.Output, StringComparison.Ordinal);
            Assert.Empty(own.Error);
        }
        Assert.Contains("Exit codes: 0 success; 1 a server failed", help.Output, StringComparison.Ordinal);

        var none = await CliRunner.RunAsync();
        Assert.Equal(2, none.ExitCode);
        Assert.Empty(none.Output);
        Assert.Contains("Usage:\n  memstore [command] [options]", none.Error, StringComparison.Ordinal);
    }
}
