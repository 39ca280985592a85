using System.Collections.Concurrent;
using System.Diagnostics;
using Memstore.Cluster;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Client;

/// <summary>
/// A server frozen by SIGSTOP keeps its connections open and answers nothing. Consecutive timeouts mark it
/// dead, calls stop queueing behind it, and it comes back through its probe after SIGCONT.
/// Margins are generous: these tests check what happens, not how fast.
/// </summary>
[Trait("Category", "Memcached")]
[Collection(LatencyBoundTestGroup.Name)]
public sealed class FrozenServerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(800);
    private readonly ThreeServerFixture _cluster = new();

    private List<MemcachedServer> Servers => _cluster.Servers;

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    private MemcacheClientOptions Options(FailoverPolicy policy, params MemcachedServer[] servers)
    {
        var options = MemcacheClientOptions.Parse(string.Join(",", (servers.Length > 0 ? servers : [.. Servers]).Select(s => s.ConnectionString)));
        options.Failover = policy;
        options.OperationTimeout = Timeout;
        options.ConnectTimeout = TimeSpan.FromMilliseconds(500);
        options.DeadTime = TimeSpan.FromMilliseconds(700);
        options.ReconnectDelay = TimeSpan.FromMilliseconds(20);
        options.MaxReconnectDelay = TimeSpan.FromMilliseconds(200);
        return options;
    }

    [Theory]
    [InlineData(FailoverPolicy.FailFast)]
    [InlineData(FailoverPolicy.Redistribute)]
    public async Task One_of_three_servers_frozen_under_64_callers_is_dropped_within_about_one_timeout(FailoverPolicy policy)
    {
        await using var client = new MemcacheClient(Options(policy));
        await client.PingAsync();
        var ring = new HashRing(client.Servers);
        const int victim = 1;
        var keys = Enumerable.Range(0, 600).Select(i => $"frozen:{i}").ToArray();
        Assert.Contains(keys, k => ring.Locate(k) == victim);
        var deadAt = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var backAt = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ServerHealthChanged += (_, e) =>
        {
            if (e.Server == Servers[victim].Address)
            {
                (e.IsAlive ? backAt : deadAt).TrySetResult(Stopwatch.GetTimestamp());
            }
        };

        var calls = new ConcurrentBag<(long Start, TimeSpan Took, bool Victim, Exception? Error)>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 64).Select(w => Task.Run(async () =>
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
                }
                catch (MemcacheException ex)
                {
                    error = ex;
                    await Task.Delay(2); // a refused call returns at once; don't spin
                }
                calls.Add((start, Stopwatch.GetElapsedTime(start), ring.Locate(key) == victim, error));
            }
        })).ToArray();

        await Task.Delay(300);
        var frozenAt = Stopwatch.GetTimestamp();
        Servers[victim].Pause();
        long markedDead;
        long resumedAt;
        try
        {
            markedDead = await deadAt.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await Task.Delay(1000);
        }
        finally
        {
            // Stamped before SIGCONT: once the server runs again its pending probe can bring it back
            // before this thread is scheduled, and calls made from then on rightly succeed.
            resumedAt = Stopwatch.GetTimestamp();
            Servers[victim].Resume();
        }
        await backAt.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(200);
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        var detection = TimeSpan.FromTicks((long)((markedDead - frozenAt) * (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency));
        Assert.True(detection < Timeout + TimeSpan.FromMilliseconds(1000), $"marked dead {detection.TotalMilliseconds:0} ms after the freeze (timeout {Timeout.TotalMilliseconds} ms)");
        var all = calls.ToArray();
        Assert.All(all, c => Assert.True(c.Took < Timeout + TimeSpan.FromMilliseconds(1000), $"a call took {c.Took}"));
        // The live servers' keys never fail.
        Assert.All(all.Where(c => !c.Victim), c => Assert.Null(c.Error));
        // Once marked dead (and until resumed), the frozen server's keys fail at once or move.
        var afterDead = all.Where(c => c.Victim && c.Start > markedDead && c.Start < resumedAt).ToArray();
        Assert.True(afterDead.Length > 50, $"only {afterDead.Length} calls for the frozen server's keys after it was marked dead");
        if (policy == FailoverPolicy.Redistribute)
        {
            Assert.All(afterDead, c => Assert.Null(c.Error));
        }
        else
        {
            // ServerUnavailableException is raised before anything is queued, so none of these waited for a
            // timeout (no per-call timing asserted: a shared CI machine can pause the process).
            Assert.All(afterDead, c => Assert.IsType<ServerUnavailableException>(c.Error));
        }
        // Back after SIGCONT: its keys are served by it again.
        var key = keys.First(k => ring.Locate(k) == victim);
        Assert.True((await client.SetAsync(key, "back")).Stored);
        Assert.Equal("back", (await client.GetAsync(key)).AsString());
    }

    [Fact]
    public async Task With_one_caller_a_timeout_then_refusals_without_queueing_mark_the_server_dead()
    {
        var server = Servers[0];
        var options = Options(FailoverPolicy.FailFast, server);
        options.ServerTimeoutLimit = 3;
        await using var client = new MemcacheClient(options);
        await client.PingAsync();
        server.Pause();
        try
        {
            // 1st timeout: the call waits its full timeout.
            var watch = Stopwatch.StartNew();
            var first = await Assert.ThrowsAsync<MemcacheTimeoutException>(async () => await client.GetAsync("one"));
            Assert.True(watch.Elapsed >= Timeout, $"the first call failed after {watch.Elapsed}");
            Assert.DoesNotContain("without being sent", first.Message, StringComparison.Ordinal);

            // 2nd: refused at once, not queued behind the silent server (and counted).
            var second = await Assert.ThrowsAsync<MemcacheTimeoutException>(async () => await client.GetAsync("two"));
            Assert.Contains("without being sent", second.Message, StringComparison.Ordinal);
            Assert.Contains("ServerTimeoutLimit", second.Message, StringComparison.Ordinal);
            Assert.True(client.ServerHealth[server.Address]);

            // 3rd reaches the limit: the server is marked dead and the call fails as unavailable.
            await Assert.ThrowsAsync<ServerUnavailableException>(async () => await client.GetAsync("three"));
            Assert.False(client.ServerHealth[server.Address]);
            var unavailable = await Assert.ThrowsAsync<ServerUnavailableException>(async () => await client.GetAsync("four"));
            Assert.Contains(server.Address.ToString(), unavailable.Message, StringComparison.Ordinal);
        }
        finally
        {
            server.Resume();
        }
        var deadline = Stopwatch.StartNew();
        while (!client.ServerHealth[server.Address] && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }
        Assert.True(client.ServerHealth[server.Address], "the server did not come back after SIGCONT");
        Assert.True((await client.SetAsync("after", "ok")).Stored);
    }

    [Fact]
    public async Task A_call_to_a_silent_server_is_refused_without_being_sent_until_it_answers_again()
    {
        var server = Servers[0];
        var options = Options(FailoverPolicy.FailFast, server);
        options.ServerTimeoutLimit = 1000; // never reached here: the refusal itself is checked
        await using var client = new MemcacheClient(options);
        await client.PingAsync();
        server.Pause();
        try
        {
            await Assert.ThrowsAsync<MemcacheTimeoutException>(async () => await client.GetAsync("a"));
            for (var i = 0; i < 5; i++)
            {
                var refused = await Assert.ThrowsAsync<MemcacheTimeoutException>(async () => await client.GetAsync($"b{i}"));
                Assert.Contains("without being sent", refused.Message, StringComparison.Ordinal);
                Assert.Contains("answered nothing", refused.Message, StringComparison.Ordinal);
                Assert.Equal(server.Address.ToString(), refused.Server);
                Assert.Equal($"b{i}", refused.Key);
            }
            Assert.True(client.ServerHealth[server.Address]);
        }
        finally
        {
            server.Resume();
        }
        // The late reply to "a" arrives; from then on calls are sent again.
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            try
            {
                await client.SetAsync("c", "v");
                break;
            }
            catch (MemcacheTimeoutException)
            {
                await Task.Delay(20);
            }
        }
        Assert.Equal("v", (await client.GetAsync("c")).AsString());
    }

    [Fact]
    public async Task With_limit_zero_calls_queue_behind_a_silent_server_and_it_is_never_marked_dead()
    {
        var server = Servers[0];
        var options = Options(FailoverPolicy.FailFast, server);
        options.ServerTimeoutLimit = 0;
        await using var client = new MemcacheClient(options);
        await client.PingAsync();
        server.Pause();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var watch = Stopwatch.StartNew();
                var error = await Assert.ThrowsAsync<MemcacheTimeoutException>(async () => await client.GetAsync($"z{i}"));
                Assert.True(watch.Elapsed >= Timeout, $"call {i} failed after {watch.Elapsed}, before its timeout");
                Assert.DoesNotContain("without being sent", error.Message, StringComparison.Ordinal);
            }
            Assert.True(client.ServerHealth[server.Address]);
        }
        finally
        {
            server.Resume();
        }
    }

    [Fact]
    public async Task Redistribute_moves_a_silent_servers_keys_before_it_is_marked_dead()
    {
        var options = Options(FailoverPolicy.Redistribute);
        options.ServerTimeoutLimit = 100; // dead only much later: the move must not wait for it
        await using var client = new MemcacheClient(options);
        await client.PingAsync();
        var ring = new HashRing(client.Servers);
        var victimKeys = Enumerable.Range(0, 200).Select(i => $"silent:{i}").Where(k => ring.Locate(k) == 2).Take(20).ToArray();
        Servers[2].Pause();
        try
        {
            await Assert.ThrowsAsync<MemcacheTimeoutException>(async () => await client.GetAsync(victimKeys[0]));
            await Task.Delay(300);
            // Stored and read back while the key's own server is frozen: it went to another server.
            foreach (var key in victimKeys.Skip(1))
            {
                Assert.True((await client.SetAsync(key, "moved")).Stored);
                Assert.Equal("moved", (await client.GetAsync(key)).AsString());
            }
        }
        finally
        {
            Servers[2].Resume();
        }
    }
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_refused_call_is_one_new_exception_thrown_once_by_the_callers_await(bool markedDead)
    {
        // Marked dead after one timeout, or never (silent: refused without being sent until it answers).
        var server = Servers[0];
        var options = Options(FailoverPolicy.FailFast, server);
        options.ServerTimeoutLimit = markedDead ? 1 : 1000;
        options.DeadTime = TimeSpan.FromMinutes(1);
        await using var client = new MemcacheClient(options);
        await client.PingAsync();
        var address = server.Address.ToString();
        var thrown = new ConcurrentBag<Exception>();
        void Record(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            // Only refusals: the connection's own reset and reconnect errors are not counted.
            if (e.Exception is ServerUnavailableException { Server: var s } && s == address
                || e.Exception is MemcacheTimeoutException { Server: var t, Key: { } key } && t == address && key.StartsWith("refused:", StringComparison.Ordinal))
            {
                thrown.Add(e.Exception);
            }
        }
        server.Pause();
        try
        {
            await Assert.ThrowsAsync<MemcacheTimeoutException>(async () => await client.GetAsync("first"));
            var deadline = Stopwatch.StartNew(); // the timeout is delivered just before the server is marked dead
            while (client.ServerHealth[server.Address] == markedDead && deadline.Elapsed < TimeSpan.FromSeconds(2))
            {
                await Task.Delay(10);
            }
            Assert.Equal(!markedDead, client.ServerHealth[server.Address]);
            var caught = new List<MemcacheException>();
            AppDomain.CurrentDomain.FirstChanceException += Record;
            try
            {
                for (var i = 0; i < 40; i++)
                {
                    // Awaited here directly: a helper task would rethrow the same exception once more.
                    try
                    {
                        if (i % 2 == 0)
                        {
                            await client.GetAsync($"refused:{i}");
                        }
                        else
                        {
                            await client.SetAsync($"refused:{i}", "v");
                        }
                        Assert.Fail($"call {i} to the frozen server succeeded");
                    }
                    catch (MemcacheException error)
                    {
                        caught.Add(error);
                    }
                }
            }
            finally
            {
                AppDomain.CurrentDomain.FirstChanceException -= Record;
            }
            // A new exception per call, each thrown exactly once (by the await in this test), none inside the client.
            Assert.Equal(caught.Count, caught.Distinct(ReferenceEqualityComparer.Instance).Count());
            var throws = thrown.ToArray();
            Assert.All(caught, c => Assert.Equal(1, throws.Count(t => ReferenceEquals(t, c))));
            Assert.All(throws, t => Assert.Contains(t, caught));
            for (var i = 0; i < caught.Count; i++)
            {
                var error = caught[i];
                Assert.Contains($"refused:{i}", error.Message, StringComparison.Ordinal);
                Assert.Contains(i % 2 == 0 ? "'get'" : "'set'", error.Message, StringComparison.Ordinal);
                if (markedDead)
                {
                    var unavailable = Assert.IsType<ServerUnavailableException>(error);
                    Assert.Contains("probed again", unavailable.Message, StringComparison.Ordinal);
                    Assert.NotNull(unavailable.InnerException); // why it was marked dead
                    Assert.True(unavailable.RetryAt > DateTimeOffset.UtcNow);
                }
                else
                {
                    Assert.Contains("without being sent", Assert.IsType<MemcacheTimeoutException>(error).Message, StringComparison.Ordinal);
                }
            }
        }
        finally
        {
            server.Resume();
        }
    }
}
