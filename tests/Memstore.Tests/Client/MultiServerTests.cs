using Memstore.Cluster;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Client;

/// <summary>Keys land on the server the ring names, and multi-key reads fan out over every server.</summary>
[Trait("Category", "Memcached")]
public sealed class MultiServerTests : IAsyncLifetime
{
    private readonly ThreeServerFixture _cluster = new();

    private List<MemcachedServer> Servers => _cluster.Servers;

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    private string ConnectionString => _cluster.ConnectionString;

    [Fact]
    public async Task Every_key_is_stored_on_the_server_the_ketama_ring_names()
    {
        await using var cluster = MemcacheClient.Create(ConnectionString);
        var ring = new HashRing(cluster.Servers, MemcacheDistribution.Ketama);
        var keys = Enumerable.Range(0, 300).Select(i => $"placed:{i}").ToArray();
        foreach (var key in keys)
        {
            await cluster.SetAsync(key, key);
        }

        var perServer = new int[Servers.Count];
        for (var s = 0; s < Servers.Count; s++)
        {
            await using var single = MemcacheClient.Create(Servers[s].ConnectionString);
            var seen = await single.GetManyAsync(keys);
            for (var k = 0; k < keys.Length; k++)
            {
                var expected = ring.Locate(keys[k]) == s;
                Assert.Equal(expected, seen[k].Found);
                Assert.Equal(Servers[ring.Locate(keys[k])].Address, cluster.Locate(keys[k]));
                perServer[s] += seen[k].Found ? 1 : 0;
            }
        }
        Assert.All(perServer, count => Assert.InRange(count, 40, 200)); // every server got a fair share
    }

    [Fact]
    public async Task Get_many_fans_out_to_every_server_and_keeps_caller_order()
    {
        await using var cluster = MemcacheClient.Create(ConnectionString);
        var keys = Enumerable.Range(0, 120).Select(i => $"fan:{i}").ToArray();
        foreach (var key in keys.Where((_, i) => i % 3 != 0))
        {
            await cluster.SetAsync(key, "v:" + key);
        }
        var results = await cluster.GetManyAsync(keys);
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(i % 3 == 0 ? null : "v:" + keys[i], results[i].AsString());
        }
        Assert.Equal(3, keys.Select(key => cluster.Locate(key)).Distinct().Count());
    }

    [Fact]
    public async Task Server_commands_answer_for_every_server()
    {
        await using var cluster = MemcacheClient.Create(ConnectionString);
        Assert.Equal(3, (await cluster.GetVersionsAsync()).Count);
        Assert.Equal(3, (await cluster.PingAsync()).Count);
        var stats = await cluster.GetStatsAsync();
        Assert.Equal(Servers.Select(s => s.Address).OrderBy(a => a.Port), stats.Keys.OrderBy(a => a.Port));
    }

    [Fact]
    public async Task Several_connections_per_server_spread_requests()
    {
        var options = MemcacheClientOptions.Parse(Servers[0].ConnectionString);
        options.ConnectionsPerServer = 3;
        await using var client = new MemcacheClient(options);
        await Task.WhenAll(Enumerable.Range(0, 60).Select(i => client.SetAsync($"spread:{i}", "x").AsTask()));
        var connections = long.Parse(Assert.Single(await client.GetStatsAsync()).Value["curr_connections"]);
        Assert.True(connections >= 3, $"expected at least 3 connections, memcached reports {connections}");
    }
}
