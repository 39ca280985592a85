using System.Text.Json;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Cli;

/// <summary>`memstore bench` against real memcached: short runs, the JSON checked field by field, the live progress in tmux.</summary>
[Trait("Category", "Memcached")]
public sealed class BenchCommandTests
{
    [Fact]
    public async Task Json_reports_the_run_and_the_keys_are_on_the_servers()
    {
        await using var first = await MemcachedServer.StartAsync();
        await using var second = await MemcachedServer.StartAsync();
        string servers = $"{first.ConnectionString},{second.ConnectionString}";
        var result = await CliRunner.RunAsync(
            "bench", "-s", servers, "--duration", "1", "--warmup", "0.2", "--concurrency", "4", "--keys", "200", "--get-ratio", "0.5",
            "--key-prefix", "bench-test:", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Error);

        using var json = JsonDocument.Parse(result.Output);
        JsonElement root = json.RootElement;
        Assert.Equal([first.ConnectionString, second.ConnectionString], root.GetProperty("servers").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(4, root.GetProperty("concurrency").GetInt32());
        Assert.Equal(200, root.GetProperty("keys").GetInt32());
        Assert.False(root.GetProperty("stopped").GetBoolean());
        long requests = root.GetProperty("requests").GetInt64();
        Assert.True(requests > 0);
        Assert.Equal(requests, root.GetProperty("ops").GetInt64());
        Assert.Equal(0, root.GetProperty("errors").GetInt64());
        Assert.Equal(0, root.GetProperty("populate_errors").GetInt64());
        double elapsed = root.GetProperty("elapsed_seconds").GetDouble();
        Assert.InRange(elapsed, 0.9, 5);
        Assert.InRange(root.GetProperty("ops_per_second").GetDouble(), requests / elapsed * 0.99, requests / elapsed * 1.01);
        JsonElement latency = root.GetProperty("latency_us");
        Assert.True(latency.GetProperty("p50").GetInt64() <= latency.GetProperty("p99").GetInt64());
        Assert.True(latency.GetProperty("p99").GetInt64() <= latency.GetProperty("max").GetInt64());
        Assert.Equal(requests, root.GetProperty("histogram").EnumerateArray().Sum(b => b.GetProperty("count").GetInt64()));

        // Every key was set before the run, spread over both servers.
        await using var client = MemcacheClient.Create(servers);
        Assert.True((await client.GetAsync("bench-test:00000000000000")).Found);
        Assert.True((await client.GetAsync("bench-test:00000000000199")).Found);
        var stats = await client.GetStatsAsync();
        Assert.All(stats.Values, s => Assert.True(long.Parse(s["cmd_set"]) > 0));
    }

    [Fact]
    public async Task Summary_draws_the_latency_histogram_as_bars()
    {
        await using var server = await MemcachedServer.StartAsync();
        var result = await CliRunner.RunAsync("bench", "-s", server.ConnectionString, "--duration", "0.5", "--keys", "100", "-c", "2", "--multiget", "5");
        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Output.TrimEnd('\n').Split('\n');
        Assert.StartsWith("memstore bench: 1 server(s), concurrency 2, 0.5 s after 0.1 s warm-up", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("set 100 keys in ", lines[1], StringComparison.Ordinal);
        Assert.Matches(@"^\d+ requests, \d+ keys in 0\.\d\d s: \d+ keys/s, 0 errors$", lines[2]);
        Assert.StartsWith("latency: p50 ", lines[3], StringComparison.Ordinal);
        Assert.Equal("latency histogram:", lines[4]);
        Assert.Contains(lines.Skip(5), l => l.Contains(new string('█', 40), StringComparison.Ordinal));
        Assert.All(lines.Skip(5), l => Assert.Matches(@"(µs|ms)\s+█*\s+\d+\.\d%\s+\d+$", l));
    }

    [Fact]
    public async Task An_unreachable_cluster_exits_1_naming_the_server()
    {
        string dead = $"127.0.0.1:{MemcachedServer.FreePort()}";
        var result = await CliRunner.RunAsync("bench", "-s", dead, "--duration", "0.3", "--keys", "10", "-c", "1", "--json", "--timeout", "500");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(dead, result.ErrorLines[0], StringComparison.Ordinal);
        using var json = JsonDocument.Parse(result.Output);
        Assert.Equal(0, json.RootElement.GetProperty("requests").GetInt64());
        Assert.Equal(10, json.RootElement.GetProperty("populate_errors").GetInt64());
    }

    [TmuxTheory]
    [InlineData("C-c")]
    public async Task Progress_line_moves_and_ctrl_c_prints_the_partial_summary_and_exits_130(string stopKey)
    {
        await using var server = await MemcachedServer.StartAsync();
        using var tmux = Tmux.Start($"{Tmux.CliCommand} bench --servers {server.ConnectionString} --duration 60 --warmup 0.2 --keys 100 -c 2");
        string first = await tmux.WaitForAsync(screen => screen.Contains("elapsed ", StringComparison.Ordinal) && !screen.Contains("elapsed   0.0", StringComparison.Ordinal));
        string line = first.Split('\n').First(l => l.StartsWith("elapsed ", StringComparison.Ordinal));
        Assert.Matches(@"^elapsed +\d+\.\d/60 s  ops/s +\d+  p50 +[\d.]+ (µs|ms)  p99 +[\d.]+ (µs|ms)  errors 0", line);
        await tmux.WaitForAsync(screen => screen.Split('\n').Any(l => l.StartsWith("elapsed ", StringComparison.Ordinal) && l != line));

        tmux.SendKeys(stopKey);
        string after = await tmux.WaitForAsync(screen => screen.Contains("EXITED", StringComparison.Ordinal));
        Assert.Contains("stopped (partial results): ", after, StringComparison.Ordinal);
        Assert.Contains("latency histogram:", after, StringComparison.Ordinal);
        Assert.Contains("EXITED 130", after, StringComparison.Ordinal);
    }
}
