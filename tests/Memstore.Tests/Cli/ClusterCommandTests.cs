using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Cli;

/// <summary>Commands on a two-server cluster, and flush (on servers of its own: it wipes everything).</summary>
[Trait("Category", "Memcached")]
public sealed class ClusterCommandTests
{
    [Fact]
    public async Task Set_and_get_route_keys_as_locate_says_for_the_chosen_distribution()
    {
        await using var first = await MemcachedServer.StartAsync();
        await using var second = await MemcachedServer.StartAsync();
        string servers = $"{first.ConnectionString},{second.ConnectionString}";
        string[] keys = [.. Enumerable.Range(0, 20).Select(i => $"route{i}")];

        var locate = await CliRunner.RunAsync(["locate", "-s", servers, "-d", "modula", .. keys]);
        Assert.Equal(0, locate.ExitCode);
        var expected = locate.Output.TrimEnd('\n').Split('\n').Select(l => l.Split('\t')).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(2, expected.Values.Distinct().Count());

        foreach (string key in keys)
        {
            var set = await CliRunner.RunAsync("set", "-s", servers, "--distribution", "modula", key, $"value of {key}");
            Assert.True(set.ExitCode == 0, set.ToString());
            Assert.EndsWith($" on {expected[key]}\n", set.Output, StringComparison.Ordinal);
            await using var owner = MemcacheClient.Create(expected[key]);
            Assert.Equal($"value of {key}", (await owner.GetAsync(key)).AsString());
        }

        var get = await CliRunner.RunAsync(["get", "-s", servers, "-d", "modula", .. keys]);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(string.Concat(keys.Select(k => $"{k}\tvalue of {k}\n")), get.Output);

        var ping = await CliRunner.RunAsync("ping", "-s", servers);
        Assert.Equal(0, ping.ExitCode);
        Assert.Equal(2, ping.Output.TrimEnd('\n').Split('\n').Length);
        var stats = await CliRunner.RunAsync("stats", "-s", servers);
        Assert.Contains($"# {first.ConnectionString}\n", stats.Output, StringComparison.Ordinal);
        Assert.Contains($"# {second.ConnectionString}\n", stats.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flush_refuses_without_yes_and_then_flushes_every_server()
    {
        await using var first = await MemcachedServer.StartAsync();
        await using var second = await MemcachedServer.StartAsync();
        string servers = $"{first.ConnectionString},{second.ConnectionString}";
        await using var a = MemcacheClient.Create(first.ConnectionString);
        await using var b = MemcacheClient.Create(second.ConnectionString);
        await a.SetAsync("kept", "1");
        await b.SetAsync("kept", "2");

        var refused = await CliRunner.RunAsync("flush", "-s", servers);
        Assert.Equal(2, refused.ExitCode);
        Assert.Single(refused.ErrorLines);
        Assert.Contains("--yes", refused.Error, StringComparison.Ordinal);
        Assert.True((await a.GetAsync("kept")).Found);

        var delayed = await CliRunner.RunAsync("flush", "-s", servers, "--delay", "3600", "--yes");
        Assert.Equal(0, delayed.ExitCode);
        Assert.Equal($"{first.ConnectionString}  flush scheduled in 3600 s\n{second.ConnectionString}  flush scheduled in 3600 s\n", delayed.Output);
        Assert.True((await a.GetAsync("kept")).Found);

        var flushed = await CliRunner.RunAsync("flush", "-s", servers, "-y");
        Assert.Equal(0, flushed.ExitCode);
        Assert.Equal($"{first.ConnectionString}  flushed\n{second.ConnectionString}  flushed\n", flushed.Output);
        Assert.False((await a.GetAsync("kept")).Found);
        Assert.False((await b.GetAsync("kept")).Found);
    }
}
