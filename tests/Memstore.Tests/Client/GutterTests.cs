using System.Text;
using Memstore.Cluster;
using Memstore.Collections;
using Memstore.Mcas;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Client;

/// <summary>
/// FailoverPolicy.Gutter against real servers: three primaries and two gutter servers on loopback. A primary is
/// killed under load; its keys are served by the gutter pool with capped TTLs, read back from the gutter servers
/// with a plain connection; live primaries' keys never reach the gutter; the restarted primary gets its keys back.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class GutterTests : IAsyncLifetime
{
    private const int CapSeconds = 30; // long enough for the checks below to read every copy before it expires
    private readonly ThreeServerFixture _cluster = new();
    private readonly List<MemcachedServer> _gutter = [];

    private List<MemcachedServer> Primaries => _cluster.Servers;

    public async Task InitializeAsync()
    {
        await _cluster.InitializeAsync();
        _gutter.Add(await MemcachedServer.StartAsync());
        _gutter.Add(await MemcachedServer.StartAsync());
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _gutter)
        {
            await server.DisposeAsync();
        }
        await _cluster.DisposeAsync();
    }

    private MemcacheClientOptions Options()
    {
        var options = MemcacheClientOptions.Parse(string.Join(",", Primaries.Select(s => s.ConnectionString)));
        options.Failover = FailoverPolicy.Gutter;
        foreach (var server in _gutter)
        {
            options.GutterServers.Add(server.Address);
        }
        options.GutterMaxExpiry = TimeSpan.FromSeconds(CapSeconds);
        options.OperationTimeout = TimeSpan.FromSeconds(1);
        options.DeadTime = TimeSpan.FromMilliseconds(700);
        options.ReconnectDelay = TimeSpan.FromMilliseconds(20);
        options.MaxReconnectDelay = TimeSpan.FromMilliseconds(200);
        return options;
    }

    /// <summary>Keys whose primary is server <paramref name="primary"/>, <paramref name="count"/> of them.</summary>
    private static List<string> KeysOf(HashRing ring, int primary, string prefix, int count) =>
        Enumerable.Range(0, 10_000).Select(i => $"{prefix}:{i}").Where(k => ring.Locate(Encoding.UTF8.GetBytes(k)) == primary).Take(count).ToList();

    private MemcachedServer GutterOf(string key) =>
        _gutter[new HashRing(_gutter.Select(s => s.Address).ToList()).Locate(Encoding.UTF8.GetBytes(key))];

    /// <summary>The remaining TTL memcached holds for <paramref name="key"/> on <paramref name="server"/>, or null when it has no item.</summary>
    private static async Task<long?> RawTtlAsync(MemcachedServer server, string key)
    {
        var reply = await server.RawAsync($"mg {key} t\r\n");
        if (reply.StartsWith("EN", StringComparison.Ordinal))
        {
            return null;
        }
        Assert.StartsWith("HD t", reply);
        return long.Parse(reply[4..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<bool> HoldsAsync(MemcachedServer server, string key) =>
        !(await server.RawAsync($"mg {key}\r\n")).StartsWith("EN", StringComparison.Ordinal);

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(20);
        }
        Assert.True(condition(), $"timed out waiting until {what}");
    }

    [Fact]
    public async Task A_killed_primarys_keys_live_in_the_gutter_with_capped_ttls_and_go_back_when_it_returns()
    {
        await using var client = new MemcacheClient(Options());
        var ring = new HashRing(client.Servers);
        const int victim = 1;
        var victimKeys = KeysOf(ring, victim, "gv", 40);
        var liveKeys = KeysOf(ring, 0, "gl", 20).Concat(KeysOf(ring, 2, "gl", 20)).ToList();
        foreach (var key in victimKeys.Concat(liveKeys))
        {
            await client.SetAsync(key, "before");
        }

        // 8 callers keep reading and writing every key, with and without expiry, across the kill.
        using var stop = new CancellationTokenSource();
        var unexpected = new List<Exception>();
        var callers = Enumerable.Range(0, 8).Select(c => Task.Run(async () =>
        {
            var keys = victimKeys.Concat(liveKeys).ToList();
            for (var i = c; !stop.IsCancellationRequested; i++)
            {
                var key = keys[i % keys.Count];
                try
                {
                    await client.SetAsync(key, "during", i % 2 == 0 ? null : TimeSpan.FromHours(1));
                    await client.GetAsync(key);
                }
                catch (Exception ex) when (ex is MemcacheTimeoutException or MemcacheConnectionException or ServerUnavailableException)
                {
                    // the calls in flight when the primary died; asserted below that none is left once it is marked dead
                }
                catch (Exception ex)
                {
                    lock (unexpected)
                    {
                        unexpected.Add(ex);
                    }
                }
            }
        })).ToArray();

        await Task.Delay(200);
        await Primaries[victim].KillAsync();
        await WaitUntilAsync(() => !client.ServerHealth[Primaries[victim].Address], "the victim is marked dead");
        await Task.Delay(300);
        stop.Cancel();
        await Task.WhenAll(callers);
        Assert.Empty(unexpected);

        // The callers' writes of the victim's keys went to the gutter pool, with the cap (they asked for none or an hour).
        await Task.WhenAll(victimKeys.Select(async key =>
        {
            Assert.Equal("during", await GutterValueAsync(GutterOf(key), key));
            Assert.InRange((await RawTtlAsync(GutterOf(key), key))!.Value, 1, CapSeconds);
        }));

        // Now every call for the victim's keys succeeds, in the gutter.
        await Task.WhenAll(victimKeys.Select(async key =>
        {
            await client.SetAsync(key, "gutter:" + key); // no expiry asked for: the cap applies
            Assert.Equal("gutter:" + key, (await client.GetAsync(key)).AsString());
            var ttl = await RawTtlAsync(GutterOf(key), key);
            Assert.NotNull(ttl);
            Assert.InRange(ttl!.Value, 1, CapSeconds);
        }));
        await client.SetAsync(victimKeys[0], "long", TimeSpan.FromDays(365)); // an absolute expiry, a year away
        Assert.InRange((await RawTtlAsync(GutterOf(victimKeys[0]), victimKeys[0]))!.Value, 1, CapSeconds);
        Assert.Equal(victimKeys.Count, (await client.GetManyAsync(victimKeys.Concat(liveKeys).ToList())).Count(v => v.Found) - liveKeys.Count);

        // Live primaries' keys never reached the gutter pool (the callers wrote them all along).
        await Task.WhenAll(liveKeys.Select(async key =>
        {
            foreach (var gutter in _gutter)
            {
                Assert.False(await HoldsAsync(gutter, key), $"{key} of a live primary is on gutter server {gutter.Address}");
            }
            var ttl = await RawTtlAsync(PrimaryOf(ring, key), key);
            Assert.True(ttl is -1 or > CapSeconds, $"{key} on its live primary has TTL {ttl}: capped like a gutter copy"); // written with no expiry or an hour
        }));

        // The victim returns empty on the same port; after its probe its keys go back to it.
        await Primaries[victim].RestartAsync();
        await WaitUntilAsync(() => client.ServerHealth[Primaries[victim].Address], "the victim is back in service");
        Assert.False((await client.GetAsync(victimKeys[1])).Found); // the primary's (empty) copy, not the gutter's
        await client.SetAsync(victimKeys[1], "home");
        Assert.True(await HoldsAsync(Primaries[victim], victimKeys[1]));
        Assert.Equal(-1, await RawTtlAsync(Primaries[victim], victimKeys[1]));
        Assert.Equal("gutter:" + victimKeys[1], await GutterValueAsync(GutterOf(victimKeys[1]), victimKeys[1])); // the gutter copy is left to expire
    }

    private MemcachedServer PrimaryOf(HashRing ring, string key) => Primaries[ring.Locate(Encoding.UTF8.GetBytes(key))];

    private static async Task<string?> GutterValueAsync(MemcachedServer server, string key)
    {
        var reply = await server.RawAsync($"mg {key} v\r\n");
        return reply.StartsWith("VA", StringComparison.Ordinal) ? reply.Split("\r\n")[1] : null;
    }

    [Fact]
    public async Task Touch_counters_and_leases_in_the_gutter_are_capped_too()
    {
        await using var client = new MemcacheClient(Options());
        var ring = new HashRing(client.Servers);
        var keys = KeysOf(ring, 2, "gc", 4);
        await Primaries[2].KillAsync();
        await WaitUntilDeadAsync(client, Primaries[2]);

        await client.SetAsync(keys[0], "v", TimeSpan.FromSeconds(2));
        Assert.True(await client.TouchAsync(keys[0], TimeSpan.FromHours(2)));
        Assert.InRange((await RawTtlAsync(GutterOf(keys[0]), keys[0]))!.Value, 1, CapSeconds);
        Assert.True((await client.GetAndTouchAsync(keys[0], null)).Found);
        Assert.InRange((await RawTtlAsync(GutterOf(keys[0]), keys[0]))!.Value, 1, CapSeconds);

        var counter = await client.IncrementAsync(keys[1], 1, initialValue: 5, expiry: null);
        Assert.Equal(5UL, counter.Value); // a fresh counter: the dead primary's count is not known here
        Assert.InRange((await RawTtlAsync(GutterOf(keys[1]), keys[1]))!.Value, 1, CapSeconds);

        var value = await client.GetOrCreateAsync(keys[2], _ => ValueTask.FromResult("made"u8.ToArray()), new GetOrCreateOptions { Expiry = TimeSpan.FromHours(1), RecacheWindow = TimeSpan.FromHours(1) });
        Assert.Equal("made", value.AsString());
        Assert.InRange((await RawTtlAsync(GutterOf(keys[2]), keys[2]))!.Value, 1, CapSeconds);
        var calls = 0;
        for (var i = 0; i < 5; i++) // the recache window is off in the gutter: a fresh copy is not rebuilt on every read
        {
            await client.GetOrCreateAsync(keys[2], _ => { calls++; return ValueTask.FromResult("again"u8.ToArray()); }, new GetOrCreateOptions { RecacheWindow = TimeSpan.FromHours(1) });
        }
        Assert.Equal(0, calls);
    }

    private static Task WaitUntilDeadAsync(MemcacheClient client, MemcachedServer server) =>
        WaitUntilAsync(() => !client.ServerHealth[server.Address], $"{server.Address} is marked dead");

    [Fact]
    public async Task A_silent_primarys_keys_go_to_the_gutter_after_one_timeout_before_it_is_marked_dead()
    {
        var options = Options();
        options.ServerTimeoutLimit = 10; // so the server is silent, not yet dead, for the calls below
        await using var client = new MemcacheClient(options);
        var ring = new HashRing(client.Servers);
        var key = KeysOf(ring, 0, "gs", 1)[0];
        await client.SetAsync(key, "primary");
        Primaries[0].Pause();
        try
        {
            await Assert.ThrowsAsync<MemcacheTimeoutException>(() => client.GetAsync(key).AsTask()); // queued behind nothing: waits its timeout

            await client.SetAsync(key, "gutter");

            Assert.True(client.ServerHealth[Primaries[0].Address], "the primary is silent, not yet marked dead");
            Assert.Equal("gutter", await GutterValueAsync(GutterOf(key), key));
            Assert.InRange((await RawTtlAsync(GutterOf(key), key))!.Value, 1, CapSeconds);
        }
        finally
        {
            Primaries[0].Resume();
        }
        // Once the primary answers again, the key is read from it (its value from before the pause), not from the gutter.
        string? read = null;
        for (var i = 0; i < 100 && read != "primary"; i++)
        {
            try
            {
                read = (await client.GetAsync(key)).AsString();
            }
            catch (MemcacheTimeoutException)
            {
                // a request queued while the server was stopped
            }
            if (read != "primary")
            {
                await Task.Delay(50);
            }
        }
        Assert.Equal("primary", read);
    }

    [Fact]
    public async Task A_key_whose_gutter_server_is_dead_too_fails_naming_both()
    {
        await using var client = new MemcacheClient(Options());
        var ring = new HashRing(client.Servers);
        var key = KeysOf(ring, 0, "gd", 1)[0];
        var gutter = GutterOf(key);
        await Primaries[0].KillAsync();
        await gutter.KillAsync();
        await WaitUntilDeadAsync(client, Primaries[0]);
        // The gutter server is marked dead by its own failed reconnects.
        await WaitUntilAsync(() => !client.ServerHealth[gutter.Address], "the gutter server is marked dead");

        var error = await Assert.ThrowsAsync<ServerUnavailableException>(() => client.SetAsync(key, "x").AsTask());

        Assert.Contains(Primaries[0].Address.ToString(), error.Message);
        Assert.Contains($"its gutter server for this key, {gutter.Address}", error.Message);
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public async Task Mcas_and_deques_refuse_a_gutter_client_saying_why()
    {
        await using var client = new MemcacheClient(Options());

        var mcas = Assert.Throws<NotSupportedException>(() => new McasClient(client));
        Assert.Contains("Failover = Gutter", mcas.Message);
        Assert.Contains("one home", mcas.Message);
        var deque = await Assert.ThrowsAsync<NotSupportedException>(() => MemcacheDeque.CreateAsync(client, "gq").AsTask());
        Assert.Contains("one home", deque.Message);
        await Assert.ThrowsAsync<NotSupportedException>(() => ShardedMemcacheDeque.CreateAsync(client, "gq2", 2).AsTask());
        Assert.Throws<NotSupportedException>(() => new TypedDeque<string>(client, "gq3", Serialization.Utf8StringCodec.Instance));
        foreach (var server in Primaries.Concat(_gutter))
        {
            Assert.False(await HoldsAsync(server, "gq"), "a refused deque must send nothing");
        }
    }

    [Fact]
    public async Task FlushAll_and_server_health_cover_the_gutter_pool_and_no_primary_may_join_it()
    {
        await using var client = new MemcacheClient(Options());
        await _gutter[0].RawAsync("ms stale 1 T0\r\nx\r\n");

        await client.FlushAllAsync();

        Assert.False(await HoldsAsync(_gutter[0], "stale"));
        Assert.Equal(5, client.ServerHealth.Count);
        Assert.Equal(_gutter.Select(s => s.Address), client.GutterServers);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.UpdateServersAsync([Primaries[0].Address, _gutter[1].Address]).AsTask());
        Assert.Contains("gutter pool", error.Message);
        Assert.Equal(3, client.Servers.Count);
    }
}
