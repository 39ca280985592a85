using System.Text;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Caching;

/// <summary>
/// Early recache (meta <c>R</c>) and serving stale values after <c>InvalidateAsync</c> (<c>md … I</c>, then
/// <c>X</c>/<c>W</c>/<c>Z</c>): one caller recomputes while the others keep the current value. The recomputing
/// caller's factory is held open by the test, so the others are known to read during the refresh.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class RecacheAndStaleTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private MemcacheClient NewClient() => MemcacheClient.Create(fixture.Server.ConnectionString);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task In_the_recache_window_one_caller_refreshes_while_the_others_read_the_current_value()
    {
        await using var refresher = NewClient();
        await using var reader = NewClient();
        var key = TestKeys.Unique("recache");
        await refresher.SetAsync(key, "current", TimeSpan.FromSeconds(3));
        var options = new GetOrCreateOptions { RecacheWindow = TimeSpan.FromSeconds(30), Expiry = TimeSpan.FromMinutes(5) };
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);

        // 3 s left of a 30 s window: the first reader wins the recache.
        var refreshing = refresher.GetOrCreateAsync(key, async _ => { entered.SetResult(); return await release.Task; }, options).AsTask();
        await entered.Task.WaitAsync(Bound);
        var during = await reader.GetOrCreateAsync(key, _ => throw new InvalidOperationException("only one caller refreshes"), options).AsTask().WaitAsync(Bound);
        Assert.Equal("current", during.AsString());

        release.SetResult(Bytes("refreshed"));
        Assert.Equal("refreshed", (await refreshing.WaitAsync(Bound)).AsString());
        Assert.Equal("refreshed", (await reader.GetAsync(key)).AsString());
    }

    [Fact]
    public async Task Outside_the_recache_window_nobody_recomputes()
    {
        await using var client = NewClient();
        var key = TestKeys.Unique("recache-far");
        await client.SetAsync(key, "fresh", TimeSpan.FromMinutes(10));
        var options = new GetOrCreateOptions { RecacheWindow = TimeSpan.FromSeconds(5) };
        var read = await client.GetOrCreateAsync(key, _ => throw new InvalidOperationException("not due"), options);
        Assert.Equal("fresh", read.AsString());
    }

    [Fact]
    public async Task An_invalidated_value_is_served_stale_while_one_caller_recomputes_it()
    {
        await using var recomputer = NewClient();
        await using var tolerant = NewClient();
        await using var strict = NewClient();
        var key = TestKeys.Unique("stale");
        await recomputer.SetAsync(key, "old", TimeSpan.FromMinutes(5));
        Assert.True(await recomputer.InvalidateAsync(key, TimeSpan.FromSeconds(30)));
        Assert.False(await recomputer.InvalidateAsync(TestKeys.Unique("stale-none"), TimeSpan.FromSeconds(30)));
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);

        var recomputing = recomputer.GetOrCreateAsync(key, async _ => { entered.SetResult(); return await release.Task; }).AsTask();
        await entered.Task.WaitAsync(Bound);

        var stale = await tolerant.GetOrCreateAsync(key, _ => throw new InvalidOperationException("one recomputes")).AsTask().WaitAsync(Bound);
        Assert.Equal("old", stale.AsString());
        var waitingForFresh = strict.GetOrCreateAsync(key, _ => throw new InvalidOperationException("one recomputes"),
            new GetOrCreateOptions { AllowStale = false }).AsTask();
        await Task.Delay(150);
        Assert.False(waitingForFresh.IsCompleted);

        release.SetResult(Bytes("new"));
        Assert.Equal("new", (await recomputing.WaitAsync(Bound)).AsString());
        Assert.Equal("new", (await waitingForFresh.WaitAsync(Bound)).AsString());
        Assert.Equal("new", (await tolerant.GetAsync(key)).AsString());
    }

    [Fact]
    public async Task A_value_written_during_a_recompute_is_not_overwritten_by_it()
    {
        await using var recomputer = NewClient();
        await using var writer = NewClient();
        var key = TestKeys.Unique("stale-race");
        await recomputer.SetAsync(key, "old");
        await recomputer.InvalidateAsync(key, TimeSpan.FromSeconds(30));
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);

        var recomputing = recomputer.GetOrCreateAsync(key, async _ => { entered.SetResult(); return await release.Task; }).AsTask();
        await entered.Task.WaitAsync(Bound);
        await writer.SetAsync(key, "written meanwhile");
        release.SetResult(Bytes("computed from old data"));

        var result = await recomputing.WaitAsync(Bound);
        Assert.Equal("computed from old data", result.AsString());
        Assert.False(result.Cas.HasValue); // not stored: the item changed after the lease was given
        Assert.Equal("written meanwhile", (await writer.GetAsync(key)).AsString());
    }
}
