using System.Buffers;
using System.Text;
using Memstore.Caching;
using Memstore.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Distributed;

namespace Memstore.Tests.Extensions;

/// <summary>IDistributedCache conformance on real memcached: values, expiry with memcached's own TTL, keys, cancellation.</summary>
[Trait("Category", "Memcached")]
public sealed class DistributedCacheTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>, IAsyncLifetime
{
    private MemcacheClient _client = null!;
    private MemcacheDistributedCache _cache = null!;

    public Task InitializeAsync()
    {
        _client = MemcacheClient.Create(fixture.Server.ConnectionString);
        _cache = new MemcacheDistributedCache(_client);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task Set_get_and_remove()
    {
        var key = TestKeys.Unique();
        Assert.Null(await _cache.GetAsync(key));
        await _cache.SetAsync(key, Encoding.UTF8.GetBytes("value"), new DistributedCacheEntryOptions());
        Assert.Equal("value", Encoding.UTF8.GetString((await _cache.GetAsync(key))!));
        await _cache.SetAsync(key, [], new DistributedCacheEntryOptions());
        Assert.Empty((await _cache.GetAsync(key))!);
        await _cache.RemoveAsync(key);
        Assert.Null(await _cache.GetAsync(key));
        await _cache.RemoveAsync(key); // removing a missing key is fine
    }

    [Fact]
    public async Task TryGet_writes_only_the_value_into_the_buffer_and_nothing_on_a_miss()
    {
        var key = TestKeys.Unique();
        var writer = new ArrayBufferWriter<byte>();
        Assert.False(await _cache.TryGetAsync(key, writer));
        Assert.Equal(0, writer.WrittenCount);

        var value = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        await _cache.SetAsync(key, new ReadOnlySequence<byte>(value), new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(5), AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) });
        Assert.True(await _cache.TryGetAsync(key, writer));
        Assert.Equal(value, writer.WrittenSpan.ToArray());
    }

    [Fact]
    public async Task Sliding_expiry_slides_on_every_read_and_expires_without_reads()
    {
        var key = TestKeys.Unique();
        // A 3 s window read every 0.6 s: generous margins, because a loaded CI machine can delay timers.
        await _cache.SetAsync(key, [7], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(3) });
        for (var i = 0; i < 8; i++)
        {
            await Task.Delay(600);
            Assert.NotNull(await _cache.GetAsync(key)); // 4.8 s in all: alive only because each read slid it
        }
        await Task.Delay(4500); // window 3 s + memcached's 1 s clock granularity
        Assert.Null(await _client.GetLeaseAsync(key)); // memcached itself dropped it: no sidecar, no client-side check
    }

    [Fact]
    public async Task Refresh_slides_without_reading_the_value_back()
    {
        var key = TestKeys.Unique();
        await _cache.SetAsync(key, [7], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(3) });
        for (var i = 0; i < 8; i++)
        {
            await Task.Delay(600);
            await _cache.RefreshAsync(key);
        }
        Assert.NotNull(await _cache.GetAsync(key));
        await _cache.RefreshAsync(TestKeys.Unique()); // refreshing a missing key does nothing
    }

    [Fact]
    public async Task Absolute_expiry_caps_sliding_expiry()
    {
        var key = TestKeys.Unique();
        // Sliding alone would keep the entry to ~5.2 s; the absolute deadline at 4 s must win.
        // Wide margins, because a loaded CI machine can delay timers by hundreds of milliseconds.
        await _cache.SetAsync(key, [7], new DistributedCacheEntryOptions
        {
            SlidingExpiration = TimeSpan.FromSeconds(3),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(4),
        });
        await Task.Delay(1200);
        Assert.NotNull(await _cache.GetAsync(key));
        await Task.Delay(1000);
        Assert.NotNull(await _cache.GetAsync(key)); // slid, but the TTL is now capped by the deadline
        await Task.Delay(2700);
        Assert.Null(await _cache.GetAsync(key));
    }

    [Fact]
    public async Task Absolute_expiry_alone_uses_the_items_ttl()
    {
        var key = TestKeys.Unique();
        await _cache.SetAsync(key, [7], new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.UtcNow.AddSeconds(1) });
        Assert.NotNull(await _cache.GetAsync(key));
        await Task.Delay(3200); // 1 s + memcached's 1 s clock granularity, rounded up
        Assert.Null(await _client.GetLeaseAsync(key));
    }

    [Fact]
    public async Task The_deadline_in_the_header_holds_to_the_millisecond_and_nothing_is_written_for_an_expired_entry()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var cache = new MemcacheDistributedCache(_client, timeProvider: clock);
        var key = TestKeys.Unique();
        await cache.SetAsync(key, [1, 2, 3], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) });
        clock.Now += TimeSpan.FromMinutes(59);
        Assert.NotNull(await cache.GetAsync(key));
        clock.Now += TimeSpan.FromMinutes(1);
        Assert.Null(await cache.GetAsync(key));
        var writer = new ArrayBufferWriter<byte>();
        Assert.False(await cache.TryGetAsync(key, writer));
        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public async Task Expiry_in_the_past_or_not_positive_is_refused()
    {
        var key = TestKeys.Unique();
        var past = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _cache.SetAsync(key, [1], new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.UtcNow.AddSeconds(-1) }));
        // As Microsoft's providers (MemoryCache, RedisCache, SqlServerCache) report it.
        Assert.Equal("AbsoluteExpiration", past.ParamName);
        Assert.StartsWith("The absolute expiration value must be in the future.", past.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.Zero });
        Assert.Null(await _cache.GetAsync(key));
    }

    [Fact]
    public async Task Keys_are_validated_and_prefixed()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _cache.GetAsync(""));
        await Assert.ThrowsAsync<ArgumentNullException>(() => _cache.GetAsync(null!));
        var error = await Assert.ThrowsAsync<InvalidKeyException>(() => _cache.SetAsync("has space", [1], new DistributedCacheEntryOptions()));
        Assert.Contains("space", error.Message, StringComparison.OrdinalIgnoreCase);

        var prefixed = new MemcacheDistributedCache(_client, new MemcacheDistributedCacheOptions { KeyPrefix = "app1:" });
        var key = TestKeys.Unique();
        await prefixed.SetAsync(key, [9], new DistributedCacheEntryOptions());
        Assert.True((await _client.GetAsync("app1:" + key)).Found);
        Assert.Null(await _cache.GetAsync(key));
        Assert.Equal(new byte[] { 9 }, await prefixed.GetAsync(key));
    }

    [Fact]
    public async Task Items_not_written_by_the_cache_read_as_misses()
    {
        var key = TestKeys.Unique();
        await _client.SetAsync(key, "plain value");
        Assert.Null(await _cache.GetAsync(key));
        Assert.False(await _cache.TryGetAsync(key, new ArrayBufferWriter<byte>()));
        await _client.SetAsync(key, new byte[] { 9, 9, 9 }, flags: MemcacheDistributedCache.EntryFlags);
        Assert.Null(await _cache.GetAsync(key)); // right flags, but not a header
    }

    [Fact]
    public async Task Cancellation_is_honoured()
    {
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();
        var key = TestKeys.Unique();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _cache.GetAsync(key, canceled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _cache.SetAsync(key, [1], new DistributedCacheEntryOptions(), canceled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _cache.RefreshAsync(key, canceled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _cache.RemoveAsync(key, canceled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _cache.TryGetAsync(key, new ArrayBufferWriter<byte>(), canceled.Token).AsTask());
    }

    [Fact]
    public async Task The_synchronous_methods_work_for_callers_that_need_them()
    {
        var key = TestKeys.Unique();
        await Task.Run(() =>
        {
            _cache.Set(key, [4, 2], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(1) });
            Assert.Equal([4, 2], _cache.Get(key));
            var writer = new ArrayBufferWriter<byte>();
            Assert.True(_cache.TryGet(key, writer));
            _cache.Refresh(key);
            _cache.Remove(key);
            Assert.Null(_cache.Get(key));
        });
    }
}
