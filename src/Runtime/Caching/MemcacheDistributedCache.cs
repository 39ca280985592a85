using System.Buffers;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Caching.Distributed;

namespace Memstore.Caching;

/// <summary>
/// <see cref="IDistributedCache"/> and <see cref="IBufferDistributedCache"/> over a <see cref="MemcacheClient"/>,
/// for ASP.NET Core sessions, output caching and as HybridCache's second level. Expiry is memcached's own TTL:
/// absolute expiry sets it, sliding expiry re-sets it with a touch on every read and on
/// <see cref="RefreshAsync"/>; no sidecar keys. The sliding window and the absolute deadline travel in an
/// 18-byte-at-most header in front of the value (format in docs/configuration.md), so any client sharing the
/// cluster slides entries the same way and an absolute deadline holds to the millisecond.
/// </summary>
/// <remarks>
/// The synchronous methods exist because the interface requires them; they block the calling thread on
/// the asynchronous ones. Prefer the asynchronous methods.
/// </remarks>
public sealed class MemcacheDistributedCache : IBufferDistributedCache
{
    /// <summary>The client flags of the items this cache writes (64): marks the header format.</summary>
    public const uint EntryFlags = 64;

    private readonly MemcacheClient _client;
    private readonly string _prefix;
    private readonly TimeProvider _clock;

    /// <summary>Creates the cache over a client the caller owns (the cache does not dispose it).</summary>
    /// <param name="client">The client.</param>
    /// <param name="options">Key prefix; null for none.</param>
    /// <param name="timeProvider">The clock for absolute deadlines; the system clock by default.</param>
    public MemcacheDistributedCache(MemcacheClient client, MemcacheDistributedCacheOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _prefix = options?.KeyPrefix ?? "";
        _clock = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        var fullKey = FullKey(key);
        token.ThrowIfCancellationRequested();
        using var lease = await _client.GetLeaseAsync(fullKey, token).ConfigureAwait(false);
        if (lease is null || !TryOpen(lease, out var header, out var headerLength))
        {
            return null;
        }
        var value = lease.Span[headerLength..].ToArray();
        await SlideAsync(fullKey, header, token).ConfigureAwait(false);
        return value;
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var fullKey = FullKey(key);
        token.ThrowIfCancellationRequested();
        var writer = HeaderStrippingWriter.Rent(destination, _clock.GetUtcNow().ToUnixTimeMilliseconds());
        EntryHeader header;
        try
        {
            var info = await _client.GetAsync(fullKey, writer, token).ConfigureAwait(false);
            if (!info.Found || info.Flags != EntryFlags || !writer.Forwarded)
            {
                return false;
            }
            header = writer.Header;
        }
        finally
        {
            writer.Return();
        }
        await SlideAsync(fullKey, header, token).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        return SetAsync(key, new ReadOnlySequence<byte>(value), options, token).AsTask();
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var fullKey = FullKey(key);
        token.ThrowIfCancellationRequested();
        var header = HeaderFor(options);
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        var length = checked(header.Length + (int)value.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = header.Write(buffer);
            value.CopyTo(buffer.AsSpan(written));
            await _client.SetAsync(fullKey, buffer.AsSpan(0, length), header.TtlFrom(now), EntryFlags, token).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Slides a sliding entry's expiry (a read plus a touch); does nothing for other entries or a miss.</summary>
    /// <param name="key">The key.</param>
    /// <param name="token">Cancels the call.</param>
    /// <returns>A task that completes when the entry is refreshed.</returns>
    public async Task RefreshAsync(string key, CancellationToken token = default)
    {
        var fullKey = FullKey(key);
        token.ThrowIfCancellationRequested();
        EntryHeader header;
        using (var lease = await _client.GetLeaseAsync(fullKey, token).ConfigureAwait(false))
        {
            if (lease is null || !TryOpen(lease, out header, out _))
            {
                return;
            }
        }
        await SlideAsync(fullKey, header, token).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        var fullKey = FullKey(key);
        token.ThrowIfCancellationRequested();
        await _client.DeleteAsync(fullKey, default, token).ConfigureAwait(false);
    }

    /// <summary>Blocking form of <see cref="GetAsync"/>, for the interface; prefer the asynchronous one.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value, or null on a miss.</returns>
    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    /// <summary>Blocking form of <see cref="TryGetAsync"/>, for the interface; prefer the asynchronous one.</summary>
    /// <param name="key">The key.</param>
    /// <param name="destination">Receives the value on a hit.</param>
    /// <returns>Whether the key held a value.</returns>
    public bool TryGet(string key, IBufferWriter<byte> destination) => TryGetAsync(key, destination).AsTask().GetAwaiter().GetResult();

    /// <summary>Blocking form of <see cref="SetAsync(string, byte[], DistributedCacheEntryOptions, CancellationToken)"/>; prefer the asynchronous one.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="options">Expiry.</param>
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

    /// <summary>Blocking form of <see cref="SetAsync(string, ReadOnlySequence{byte}, DistributedCacheEntryOptions, CancellationToken)"/>; prefer the asynchronous one.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="options">Expiry.</param>
    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).AsTask().GetAwaiter().GetResult();

    /// <summary>Blocking form of <see cref="RefreshAsync"/>, for the interface; prefer the asynchronous one.</summary>
    /// <param name="key">The key.</param>
    public void Refresh(string key) => RefreshAsync(key).GetAwaiter().GetResult();

    /// <summary>Blocking form of <see cref="RemoveAsync"/>, for the interface; prefer the asynchronous one.</summary>
    /// <param name="key">The key.</param>
    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    private string FullKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return _prefix.Length == 0 ? key : _prefix + key;
    }

    // The options' property names as ParamName, as Microsoft's own providers (MemoryCache, RedisCache, SqlServerCache) report them.
#pragma warning disable CA2208
    private EntryHeader HeaderFor(DistributedCacheEntryOptions options)
    {
        var now = _clock.GetUtcNow();
        DateTimeOffset? deadline = options.AbsoluteExpiration;
        if (options.AbsoluteExpirationRelativeToNow is { } relative)
        {
            if (relative <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(options.AbsoluteExpirationRelativeToNow), relative, "The relative expiration value must be positive.");
            }
            deadline = now + relative;
        }
        if (deadline is { } absolute && absolute <= now)
        {
            throw new ArgumentOutOfRangeException(nameof(options.AbsoluteExpiration), absolute, "The absolute expiration value must be in the future.");
        }
        if (options.SlidingExpiration is { } sliding && sliding <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options.SlidingExpiration), sliding, "The sliding expiration value must be positive.");
        }
        return new EntryHeader(options.SlidingExpiration, deadline?.ToUnixTimeMilliseconds());
    }
#pragma warning restore CA2208

    /// <summary>Checks flags, header and absolute deadline of an entry read into a lease.</summary>
    private bool TryOpen(CacheLease lease, out EntryHeader header, out int headerLength)
    {
        header = default;
        headerLength = 0;
        return lease.Flags == EntryFlags
            && EntryHeader.TryRead(lease.Span, out header, out headerLength)
            && !header.IsExpired(_clock.GetUtcNow().ToUnixTimeMilliseconds());
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SlideAsync(string fullKey, EntryHeader header, CancellationToken token)
    {
        if (header.Sliding is null)
        {
            return;
        }
        var ttl = header.TtlFrom(_clock.GetUtcNow().ToUnixTimeMilliseconds());
        await _client.TouchAsync(fullKey, ttl, token).ConfigureAwait(false);
    }
}
