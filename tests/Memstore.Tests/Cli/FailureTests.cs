using System.Diagnostics;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Cli;

/// <summary>Unreachable and unresponsive servers: exit code 1 and one stderr line naming the server.</summary>
[Trait("Category", "Memcached")]
public sealed class FailureTests
{
    [Theory]
    [InlineData("ping")]
    [InlineData("stats")]
    [InlineData("get", "k")]
    [InlineData("get", "k1", "k2")]
    [InlineData("set", "k", "v")]
    [InlineData("delete", "k")]
    [InlineData("flush", "--yes")]
    [InlineData("keys")]
    [InlineData("mcas", "k")]
    [InlineData("deque", "d")]
    public async Task Unreachable_server_exits_1_with_one_line_naming_it(params string[] command)
    {
        string server = $"127.0.0.1:{MemcachedServer.FreePort()}";
        var watch = Stopwatch.StartNew();
        var result = await CliRunner.RunAsync([command[0], "--servers", server, "--timeout", "1000", .. command.Skip(1)]);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Empty(result.Output);
        string line = Assert.Single(result.ErrorLines);
        Assert.StartsWith($"memstore {command[0]}: ", line, StringComparison.Ordinal);
        Assert.Contains(server, line, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Ping_reports_the_live_servers_and_names_the_dead_one()
    {
        await using var live = await MemcachedServer.StartAsync();
        string dead = $"127.0.0.1:{MemcachedServer.FreePort()}";
        var result = await CliRunner.RunAsync("ping", "-s", $"{live.ConnectionString},{dead}");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"{live.ConnectionString}  version=", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(dead, result.Output, StringComparison.Ordinal);
        string line = Assert.Single(result.ErrorLines);
        Assert.StartsWith($"memstore ping: {dead} is unreachable", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_stops_answering_times_out_after_timeout_ms_with_exit_1()
    {
        await using var server = await MemcachedServer.StartAsync();
        server.Pause();
        try
        {
            foreach (string[] command in new[] { new[] { "get", "k" }, ["ping"] })
            {
                var watch = Stopwatch.StartNew();
                var result = await CliRunner.RunAsync([command[0], "-s", server.ConnectionString, "--timeout", "300", .. command.Skip(1)]);
                Assert.True(result.ExitCode == 1, result.ToString());
                string line = Assert.Single(result.ErrorLines);
                // A paused server still accepts TCP connections, so a new connection fails its no-op probe;
                // an established one times out. Either way: one line, naming the server, within the timeout.
                Assert.True(line.Contains("Timed out", StringComparison.Ordinal) || line.Contains("did not answer", StringComparison.Ordinal), line);
                Assert.Contains(server.ConnectionString, line, StringComparison.Ordinal);
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
            }
        }
        finally
        {
            server.Resume();
        }
    }
}
