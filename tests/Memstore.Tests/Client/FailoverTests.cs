using System.Collections.Concurrent;
using System.Diagnostics;
using Memstore.Cluster;
using Memstore.Tests.Infrastructure;
using static Memstore.Tests.Infrastructure.StreamFactoryOptions;

namespace Memstore.Tests.Client;

/// <summary>Three real servers; one is killed under load and restarted.</summary>
[Trait("Category", "Memcached")]
[Collection(LatencyBoundTestGroup.Name)]
public sealed class FailoverTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private readonly ThreeServerFixture _cluster = new();

    private List<MemcachedServer> Servers => _cluster.Servers;

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    private MemcacheClientOptions Options(FailoverPolicy policy)
    {
        var options = MemcacheClientOptions.Parse(string.Join(",", Servers.Select(s => s.ConnectionString)));
        options.Failover = policy;
        options.OperationTimeout = Timeout;
        options.DeadTime = TimeSpan.FromMilliseconds(700);
        options.ReconnectDelay = TimeSpan.FromMilliseconds(20);
        options.MaxReconnectDelay = TimeSpan.FromMilliseconds(200);
        return options;
    }

    [Fact]
    public async Task A_thousand_key_multi_get_takes_one_round_trip_per_server()
    {
        var streams = new CountingStreamFactory();
        await using var client = new MemcacheClient(WithStreams(Options(FailoverPolicy.FailFast), streams));
        var keys = Enumerable.Range(0, 1000).Select(i => $"rt:{i}").ToArray();
        foreach (var key in keys.Where((_, i) => i % 2 == 0))
        {
            await client.SetAsync(key, key);
        }
        var before = Servers.Select(s => streams.Writes(s.Address)).ToArray();

        var results = await client.GetManyAsync(keys);

        Assert.Equal(500, results.Count(r => r.Found));
        for (var s = 0; s < Servers.Count; s++)
        {
            Assert.Equal(1, streams.Writes(Servers[s].Address) - before[s]);
        }
    }

    [Theory]
    [InlineData(FailoverPolicy.Redistribute)]
    [InlineData(FailoverPolicy.FailFast)]
    public async Task Killing_a_server_under_load_follows_the_policy_and_the_server_comes_back(FailoverPolicy policy)
    {
        await using var client = new MemcacheClient(Options(policy));
        var ring = new HashRing(client.Servers);
        var victim = 1;
        var deadAt = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var backAt = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var healthEvents = new ConcurrentQueue<ServerHealthChangedEventArgs>();
        client.ServerHealthChanged += (_, e) =>
        {
            if (e.Server == Servers[victim].Address)
            {
                healthEvents.Enqueue(e);
                (e.IsAlive ? backAt : deadAt).TrySetResult(Stopwatch.GetTimestamp());
            }
        };
        var keys = Enumerable.Range(0, 300).Select(i => $"load:{i}").ToArray();
        Assert.Contains(keys, k => ring.Locate(k) == victim);

        var calls = new ConcurrentBag<(long Start, TimeSpan Took, string Key, Exception? Error)>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            while (!stop.IsCancellationRequested)
            {
                var key = keys[random.Next(keys.Length)];
                var start = Stopwatch.GetTimestamp();
                Exception? error = null;
                try
                {
                    await client.SetAsync(key, "v");
                    await client.GetAsync(key);
                }
                catch (MemcacheException ex)
                {
                    error = ex;
                    await Task.Delay(5); // a failing call returns at once; don't spin
                }
                calls.Add((start, Stopwatch.GetElapsedTime(start), key, error));
            }
        })).ToArray();

        await Task.Delay(300);
        await Servers[victim].KillAsync();
        var markedDead = await deadAt.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(500);
        await Servers[victim].RestartAsync();
        var markedAlive = await backAt.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        // Assert here, not in the handler: the client catches and logs a subscriber's exceptions.
        Assert.Collection(healthEvents,
            dead => { Assert.False(dead.IsAlive); Assert.NotNull(dead.RetryAt); Assert.NotNull(dead.Cause); },
            back => { Assert.True(back.IsAlive); Assert.Null(back.RetryAt); });
        var all = calls.ToArray();
        Assert.True(all.Length > 100, $"only {all.Length} calls ran");
        Assert.All(all, c => Assert.True(
            c.Took < Timeout + TimeSpan.FromMilliseconds(500),
            $"a call to server {ring.Locate(c.Key)} (victim {victim}) took {c.Took.TotalMilliseconds:0} ms, starting "
            + $"{Stopwatch.GetElapsedTime(markedDead, c.Start).TotalMilliseconds:0} ms after the victim was marked dead "
            + $"and {Stopwatch.GetElapsedTime(markedAlive, c.Start).TotalMilliseconds:0} ms after it was marked alive"));
        var whileDead = all.Where(c => c.Start > markedDead && c.Start < markedAlive).ToArray();
        Assert.NotEmpty(whileDead);
        if (policy == FailoverPolicy.Redistribute)
        {
            Assert.All(whileDead, c => Assert.Null(c.Error));
        }
        else
        {
            Assert.All(whileDead.Where(c => c.Error is not null), c =>
            {
                Assert.Equal(victim, ring.Locate(c.Key));
                var unavailable = Assert.IsType<ServerUnavailableException>(c.Error);
                Assert.Contains(Servers[victim].Address.ToString(), unavailable.Message);
            });
            Assert.Contains(whileDead, c => c.Error is ServerUnavailableException);
            // Keys of live servers never failed, not even around the kill.
            Assert.All(all.Where(c => ring.Locate(c.Key) != victim), c => Assert.Null(c.Error));
        }

        // Back in service: the victim's keys map to it again and calls succeed.
        var victimKey = keys.First(k => ring.Locate(k) == victim);
        Assert.Equal(Servers[victim].Address, client.Locate(victimKey));
        Assert.True((await client.SetAsync(victimKey, "home")).Stored);
        await using var direct = MemcacheClient.Create(Servers[victim].ConnectionString);
        Assert.Equal("home", (await direct.GetAsync(victimKey)).AsString());
        Assert.True(client.ServerHealth[Servers[victim].Address]);
    }

    [Fact]
    public async Task Fail_fast_error_names_the_server_and_the_retry_time()
    {
        await using var client = new MemcacheClient(Options(FailoverPolicy.FailFast));
        var ring = new HashRing(client.Servers);
        var key = Enumerable.Range(0, 100).Select(i => $"ff:{i}").First(k => ring.Locate(k) == 2);
        var dead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ServerHealthChanged += (_, e) => { if (!e.IsAlive) { dead.TrySetResult(); } };
        await client.PingAsync();
        await Servers[2].KillAsync();
        await Assert.ThrowsAnyAsync<MemcacheException>(async () => await client.GetAsync(key));
        await dead.Task.WaitAsync(TimeSpan.FromSeconds(5));
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ServerUnavailableException>(async () => await client.GetAsync(key));
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(100));
        Assert.Contains(Servers[2].Address.ToString(), error.Message);
        Assert.Contains("probed again", error.Message);
        Assert.True(error.RetryAt > DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1));
        Assert.False(client.ServerHealth[Servers[2].Address]);
    }
}
