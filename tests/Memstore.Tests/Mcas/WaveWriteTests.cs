using System.Text;
using Memstore.Mcas;
using Memstore.Tests.Infrastructure;
using static Memstore.Tests.Infrastructure.StreamFactoryOptions;

namespace Memstore.Tests.Mcas;

/// <summary>
/// MCAS sends each wave's requests to one server with one write (docs/mcas.md 4.3): the reads of
/// <see cref="McasClient.GetManyAsync"/>, and phase 2's releases with the clean-up deletes behind them. Counted on the
/// sockets of three real servers.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class WaveWriteTests(ThreeServerFixture cluster) : IClassFixture<ThreeServerFixture>
{
    [Fact]
    public async Task A_read_and_a_commit_of_six_keys_on_three_servers_write_once_per_server_and_wave()
    {
        var streams = new CountingStreamFactory();
        await using var client = new MemcacheClient(WithStreams(MemcacheClientOptions.Parse(cluster.ConnectionString), streams));
        await client.PingAsync(); // every connection open and probed before counting
        var servers = client.Servers.ToArray(); // the client's order: ServerIndexOf indexes it
        var keys = KeysOnEveryServer(client, perServer: 2);
        foreach (var key in keys)
        {
            await client.SetAsync(key, Encoding.UTF8.GetBytes("v0"));
        }
        var mcas = new McasClient(client);
        // The descriptor goes to the first key's server (as 4.2 places it), chosen here so the count below is exact.
        var first = keys.Order(StringComparer.Ordinal).First();
        var firstServer = client.ServerIndexOf(Encoding.UTF8.GetBytes(first));
        var id = 0;
        mcas.DescriptorIdForTesting = () =>
        {
            while (true)
            {
                var candidate = $"{id++:x32}";
                if (client.ServerIndexOf(Encoding.UTF8.GetBytes(new McasOptions().KeyPrefix + "mcas:" + candidate)) == firstServer)
                {
                    return candidate;
                }
            }
        };

        var before = servers.Select(streams.Writes).ToArray();
        var entries = await mcas.GetManyAsync(keys);
        Assert.All(servers.Select((s, i) => streams.Writes(s) - before[i]), writes => Assert.Equal(1, writes)); // one read wave

        before = servers.Select(streams.Writes).ToArray();
        Assert.True(await mcas.CompareAndSwapAsync(entries.Select(e => McasUpdate.Set(e, Encoding.UTF8.GetBytes("v1"))).ToArray()));
        await mcas.FlushAsync();
        for (var s = 0; s < servers.Length; s++)
        {
            // Per server: one install per key (the first rides with the descriptor's add), the release wave, and on the
            // descriptor's server also the decide and FlushAsync's delete of the finished descriptor.
            var expected = 2 + 1 + (s == firstServer ? 2 : 0);
            Assert.True(expected == streams.Writes(servers[s]) - before[s],
                $"server {s}: {streams.Writes(servers[s]) - before[s]} writes, expected {expected}; all: {string.Join(", ", servers.Select((a, i) => streams.Writes(a) - before[i]))}, descriptor on {firstServer}");
        }
        Assert.All(await mcas.GetManyAsync(keys), entry => Assert.Equal("v1", Encoding.UTF8.GetString(entry.Value!)));
        foreach (var key in keys)
        {
            Assert.Equal("v1", Encoding.UTF8.GetString((await client.GetAsync(key)).Value!)); // released: no marker left
        }
    }

    /// <summary><paramref name="perServer"/> fresh keys on each of the client's servers, in no particular order.</summary>
    private static string[] KeysOnEveryServer(MemcacheClient client, int perServer)
    {
        var byServer = new Dictionary<int, List<string>>();
        var run = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 10_000 && byServer.Values.Sum(k => k.Count) < perServer * client.Servers.Count; i++)
        {
            var key = $"wave:{run}:{i}";
            var keysThere = byServer.TryGetValue(client.ServerIndexOf(Encoding.UTF8.GetBytes(key)), out var list) ? list : byServer[client.ServerIndexOf(Encoding.UTF8.GetBytes(key))] = [];
            if (keysThere.Count < perServer)
            {
                keysThere.Add(key);
            }
        }
        Assert.Equal(perServer * client.Servers.Count, byServer.Values.Sum(k => k.Count));
        return [.. byServer.Values.SelectMany(k => k)];
    }
}
