using System.Text;
using Memstore.Mcas;
using Memstore.Tests.Infrastructure;
using static Memstore.Tests.Infrastructure.StreamFactoryOptions;

namespace Memstore.Tests.Mcas;

/// <summary>
/// MCAS sends each wave's requests to one server with one write (docs/mcas.md 4.3): the reads of
/// <see cref="McasClient.GetManyAsync"/>, and phase 2's releases with the clean-up deletes behind them (counted on the
/// sockets of three real servers); and a read wave that meets a marker, a dead server, a cancellation or an invalid key.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class McasWaveTests(ThreeServerFixture cluster) : IClassFixture<ThreeServerFixture>
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
            // Per server: the install wave (on the descriptor's server, its markers ride with the descriptor's add), the
            // release wave, and on the descriptor's server also the decide and FlushAsync's delete of the finished descriptor.
            var expected = 1 + 1 + (s == firstServer ? 2 : 0);
            Assert.True(expected == streams.Writes(servers[s]) - before[s],
                $"server {s}: {streams.Writes(servers[s]) - before[s]} writes, expected {expected}; all: {string.Join(", ", servers.Select((a, i) => streams.Writes(a) - before[i]))}, descriptor on {firstServer}");
        }
        Assert.All(await mcas.GetManyAsync(keys), entry => Assert.Equal("v1", Encoding.UTF8.GetString(entry.Value!)));
        foreach (var key in keys)
        {
            Assert.Equal("v1", Encoding.UTF8.GetString((await client.GetAsync(key)).Value!)); // released: no marker left
        }
    }

    [Fact]
    public async Task A_key_the_read_wave_finds_marked_is_helped_from_that_read_and_the_others_are_read_as_they_are()
    {
        await using var ownerClient = cluster.NewClient();
        await using var readerClient = cluster.NewClient();
        var owner = new McasClient(ownerClient);
        var reader = new McasClient(readerClient);
        var keys = KeysOnEveryServer(ownerClient, perServer: 1);
        foreach (var key in keys)
        {
            await ownerClient.SetAsync(key, Encoding.UTF8.GetBytes("v0"));
        }
        var entries = await owner.GetManyAsync(keys[..2]);
        var reached = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        owner.AfterPhase1ForTesting = async (_, _, _) => { reached.SetResult(); await release.Task; };
        var running = owner.CompareAndSwapAsync(entries.Select(e => McasUpdate.Set(e, Encoding.UTF8.GetBytes("v1"))).ToArray()).AsTask();
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(10)); // both keys hold the stalled owner's markers

        var read = await reader.GetManyAsync(keys).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["v1", "v1", "v0"], read.Select(e => Encoding.UTF8.GetString(e.Value!)));
        foreach (var key in keys)
        {
            Assert.Null(StoredRecordCodec.TryDecodeMarker(await readerClient.GetAsync(key))); // released by the reader
        }
        release.SetResult();
        Assert.True(await running.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_read_wave_fails_with_a_dead_servers_error_and_leaves_the_client_usable()
    {
        var deadPort = MemcachedServer.RefusingPort(); // refuses connections, and no other test can take it
        var options = MemcacheClientOptions.Parse($"{cluster.ConnectionString},127.0.0.1:{deadPort}");
        options.ConnectTimeout = TimeSpan.FromMilliseconds(500);
        await using var client = new MemcacheClient(options);
        var mcas = new McasClient(client);
        var keys = KeysOnEveryServer(client, perServer: 1);
        var deadIndex = client.Servers.ToList().FindIndex(s => s.Port == deadPort);
        var live = keys.Where(k => client.ServerIndexOf(Encoding.UTF8.GetBytes(k)) != deadIndex).ToArray();

        var error = await Assert.ThrowsAnyAsync<MemcacheException>(() => mcas.GetManyAsync(keys).AsTask());
        Assert.Contains(deadPort.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.All(await mcas.GetManyAsync(live), entry => Assert.False(entry.Exists)); // the other servers answer as before
    }

    [Fact]
    public async Task A_canceled_or_invalid_read_wave_throws_and_the_next_one_works()
    {
        await using var client = cluster.NewClient();
        var mcas = new McasClient(client);
        var keys = KeysOnEveryServer(client, perServer: 2);
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => mcas.GetManyAsync(keys, canceled.Token).AsTask());
        var invalid = await Assert.ThrowsAnyAsync<ArgumentException>(() => mcas.GetManyAsync([keys[0], new string('k', 251)]).AsTask());
        Assert.Contains("250", invalid.Message, StringComparison.Ordinal);
        await client.SetAsync(keys[0], Encoding.UTF8.GetBytes("here"));
        var read = await mcas.GetManyAsync(keys);
        Assert.Equal("here", Encoding.UTF8.GetString(read[0].Value!));
        Assert.All(read[1..], entry => Assert.False(entry.Exists));
    }

    /// <summary><paramref name="perServer"/> fresh keys on each of the client's servers, in no particular order.</summary>
    private static string[] KeysOnEveryServer(MemcacheClient client, int perServer)
    {
        var byServer = new Dictionary<int, List<string>>();
        var run = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 10_000 && byServer.Values.Sum(k => k.Count) < perServer * client.Servers.Count; i++)
        {
            var key = $"wave:{run}:{i}";
            var server = client.ServerIndexOf(Encoding.UTF8.GetBytes(key));
            var keysThere = byServer.TryGetValue(server, out var list) ? list : byServer[server] = [];
            if (keysThere.Count < perServer)
            {
                keysThere.Add(key);
            }
        }
        Assert.Equal(perServer * client.Servers.Count, byServer.Values.Sum(k => k.Count));
        return [.. byServer.Values.SelectMany(k => k)];
    }
}
