using System.Text;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Caching;

/// <summary>
/// GetOrCreateAsync against real memcached: one computation per key across clients (each client is what a
/// separate process is to the server: its own connection and its own in-process single flight), waiting,
/// released leases, wait bounds. Interleavings are forced by factories that block until the test releases them.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class GetOrCreateTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private MemcacheClient NewClient() => MemcacheClient.Create(fixture.Server.ConnectionString);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task A_miss_is_computed_once_and_stored_then_read_without_the_factory()
    {
        await using var client = NewClient();
        var key = TestKeys.Unique("goc-miss");
        var calls = 0;
        var options = new GetOrCreateOptions { Expiry = TimeSpan.FromMinutes(5), Flags = 9 };

        var first = await client.GetOrCreateAsync(key, _ => { calls++; return ValueTask.FromResult(Bytes("made")); }, options);
        var second = await client.GetOrCreateAsync(key, _ => { calls++; return ValueTask.FromResult(Bytes("again")); }, options);

        Assert.Equal("made", first.AsString());
        Assert.True(first.Cas.HasValue);
        Assert.Equal("made", second.AsString());
        Assert.Equal(9u, second.Flags);
        Assert.Equal(1, calls);
        var stored = await client.GetAsync(key);
        Assert.Equal("made", stored.AsString());
        Assert.Equal(first.Cas, stored.Cas);
    }

    [Fact]
    public async Task Under_a_stampede_from_four_clients_the_factory_runs_once()
    {
        var clients = Enumerable.Range(0, 4).Select(_ => NewClient()).ToArray();
        try
        {
            var key = TestKeys.Unique("goc-stampede");
            var calls = 0;
            async ValueTask<byte[]> Slow(CancellationToken token)
            {
                Interlocked.Increment(ref calls);
                await Task.Delay(200, token);
                return Bytes("once");
            }
            var callers = Enumerable.Range(0, 64)
                .Select(i => clients[i % clients.Length].GetOrCreateAsync(key, Slow).AsTask())
                .ToArray();
            var results = await Task.WhenAll(callers).WaitAsync(Bound);

            Assert.Equal(1, calls);
            Assert.All(results, r => Assert.Equal("once", r.AsString()));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_waiting_client_gets_the_lease_holders_value_once_it_is_stored()
    {
        await using var holder = NewClient();
        await using var waiter = NewClient();
        var key = TestKeys.Unique("goc-wait");
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);

        var held = holder.GetOrCreateAsync(key, async _ => { entered.SetResult(); return await release.Task; }).AsTask();
        await entered.Task.WaitAsync(Bound);
        var waiting = waiter.GetOrCreateAsync(key, _ => throw new InvalidOperationException("the waiter must not compute")).AsTask();
        await Task.Delay(150);
        Assert.False(waiting.IsCompleted); // held off by the lease, not computing

        release.SetResult(Bytes("from the holder"));
        Assert.Equal("from the holder", (await held.WaitAsync(Bound)).AsString());
        Assert.Equal("from the holder", (await waiting.WaitAsync(Bound)).AsString());
    }

    [Fact]
    public async Task A_failing_factory_releases_the_lease_at_once()
    {
        await using var holder = NewClient();
        await using var waiter = NewClient();
        var key = TestKeys.Unique("goc-fail");
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fail = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new GetOrCreateOptions { LeaseTime = TimeSpan.FromSeconds(30), WaitTimeout = TimeSpan.FromSeconds(20) };

        var held = holder.GetOrCreateAsync(key, async _ =>
        {
            entered.SetResult();
            await fail.Task;
            throw new TimeoutException("the database is down");
        }, options).AsTask();
        await entered.Task.WaitAsync(Bound);
        var waiting = waiter.GetOrCreateAsync(key, _ => ValueTask.FromResult(Bytes("second try")), options).AsTask();
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);

        var failedAt = DateTime.UtcNow;
        fail.SetResult();
        var error = await Assert.ThrowsAsync<TimeoutException>(() => held.WaitAsync(Bound));
        Assert.Equal("the database is down", error.Message);
        Assert.Equal("second try", (await waiting.WaitAsync(Bound)).AsString());
        Assert.True(DateTime.UtcNow - failedAt < TimeSpan.FromSeconds(5), "the waiter took over long before the 30 s lease ended");
    }

    [Fact]
    public async Task After_the_wait_bound_a_caller_fails_or_computes_as_configured()
    {
        await using var holder = NewClient();
        await using var other = NewClient();
        var key = TestKeys.Unique("goc-bound");
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = holder.GetOrCreateAsync(key, async _ => { entered.SetResult(); return await release.Task; }).AsTask();
        await entered.Task.WaitAsync(Bound);

        var failing = new GetOrCreateOptions { WaitTimeout = TimeSpan.FromMilliseconds(200), WhenWaitExpires = LeaseWaitExpiry.Fail };
        var timeout = await Assert.ThrowsAsync<MemcacheTimeoutException>(() => other.GetOrCreateAsync(key, _ => ValueTask.FromResult(Bytes("x")), failing).AsTask());
        Assert.Contains("another caller holds the lease", timeout.Message);
        Assert.Contains(key, timeout.Message);

        var computing = failing with { WhenWaitExpires = LeaseWaitExpiry.Compute };
        // A factory returning null must not read as a miss on the compute-locally path either.
        await Assert.ThrowsAsync<InvalidOperationException>(() => other.GetOrCreateAsync(key, _ => ValueTask.FromResult<byte[]>(null!), computing).AsTask());
        var local = await other.GetOrCreateAsync(key, _ => ValueTask.FromResult(Bytes("local")), computing);
        Assert.Equal("local", local.AsString());
        Assert.False(local.Cas.HasValue); // not stored: the lease holder stores its own

        release.SetResult(Bytes("holder"));
        await held.WaitAsync(Bound);
        Assert.Equal("holder", (await other.GetAsync(key)).AsString());
    }

    [Fact]
    public async Task Waiting_callers_in_one_process_share_one_wait_and_cancel_alone()
    {
        await using var client = NewClient();
        var key = TestKeys.Unique("goc-flight");
        var calls = 0;
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        async ValueTask<byte[]> Factory(CancellationToken token)
        {
            Interlocked.Increment(ref calls);
            entered.TrySetResult();
            return await release.Task;
        }
        var winner = client.GetOrCreateAsync(key, Factory).AsTask();
        await entered.Task.WaitAsync(Bound);
        using var leaving = new CancellationTokenSource();
        var staying = client.GetOrCreateAsync(key, Factory).AsTask();
        var cancelled = client.GetOrCreateAsync(key, Factory, cancellationToken: leaving.Token).AsTask();
        await Task.Delay(100);
        leaving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Bound));
        Assert.False(staying.IsCompleted); // one waiter left; the other still waits

        release.SetResult(Bytes("shared"));
        Assert.Equal("shared", (await winner.WaitAsync(Bound)).AsString());
        Assert.Equal("shared", (await staying.WaitAsync(Bound)).AsString());
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task When_the_computing_caller_cancels_its_factory_is_cancelled_and_the_lease_released()
    {
        await using var client = NewClient();
        var key = TestKeys.Unique("goc-cancel");
        var factoryCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async ValueTask<byte[]> Factory(CancellationToken token)
        {
            token.Register(() => factoryCancelled.TrySetResult());
            await Task.Delay(Timeout.Infinite, token);
            return [];
        }
        using var cts = new CancellationTokenSource();
        var call = client.GetOrCreateAsync(key, Factory, cancellationToken: cts.Token).AsTask();
        await Task.Delay(100);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Bound));
        await factoryCancelled.Task.WaitAsync(Bound);
        // The lease was released: the next caller computes at once.
        var next = await client.GetOrCreateAsync(key, _ => ValueTask.FromResult(Bytes("next"))).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("next", next.AsString());
    }

    [Fact]
    public async Task Mistakes_are_refused_before_anything_is_sent()
    {
        await using var client = NewClient();
#pragma warning disable CA2012 // Each call throws before it returns a ValueTask: that is what these lines check.
        Assert.Throws<ArgumentNullException>(() => client.GetOrCreateAsync("k", null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.GetOrCreateAsync("k", _ => default, new GetOrCreateOptions { LeaseTime = TimeSpan.FromMilliseconds(10) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.GetOrCreateAsync("k", _ => default, new GetOrCreateOptions { WaitTimeout = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.GetOrCreateAsync("k", _ => default, new GetOrCreateOptions { RecacheWindow = TimeSpan.Zero }));
        Assert.Throws<InvalidKeyException>(() => client.GetOrCreateAsync("a key", _ => default));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.InvalidateAsync("k", TimeSpan.Zero));
#pragma warning restore CA2012
        var key = TestKeys.Unique("goc-null");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetOrCreateAsync(key, _ => ValueTask.FromResult<byte[]>(null!)).AsTask());
        Assert.Contains("returned null", error.Message);
        // The failed computation released its lease.
        Assert.Equal("ok", (await client.GetOrCreateAsync(key, _ => ValueTask.FromResult(Bytes("ok"))).AsTask().WaitAsync(TimeSpan.FromSeconds(5))).AsString());
    }
}
