using Memstore.Serialization;

namespace Memstore;

public abstract partial class Keyspace<TKey, TValue>
{
    /// <summary>
    /// Returns the value, or computes it once across every process and stores it: the typed form of
    /// <see cref="MemcacheClient.GetOrCreateAsync"/> (leases, early recache and stale values work the same).
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="factory">Computes the value for a key; called by one caller per key at a time across all processes.</param>
    /// <param name="options">Lease and wait bounds; the expiry defaults to <see cref="DefaultExpiry"/>, and the flags are always the codec's.</param>
    /// <param name="cancellationToken">Cancels this caller's wait.</param>
    public ValueTask<TValue> GetOrCreateAsync(TKey key, Func<TKey, CancellationToken, ValueTask<TValue>> factory,
        GetOrCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var given = options ?? GetOrCreateOptions.Default;
        var effective = given with { Flags = _codec.Flags, Expiry = given.Expiry ?? DefaultExpiry };
        var builder = new KeyBuilder(stackalloc byte[KeyBuilder.MaxLength]);
        WriteKey(key, ref builder);
        var read = Client.GetOrCreateCoreAsync(builder.Utf8Key, async token => Encode(await factory(key, token).ConfigureAwait(false)), effective,
            Compression is null ? null : PrepareCompressed, cancellationToken);
        return DecodeAsync(read, key);
    }

    /// <summary>Marks the value stale for <paramref name="staleFor"/> (see <see cref="MemcacheClient.InvalidateAsync"/>).</summary>
    /// <param name="key">The key.</param>
    /// <param name="staleFor">How long the stale value may still be served to <see cref="GetOrCreateAsync"/> callers.</param>
    /// <param name="cancellationToken">Cancels the wait; a request already sent may still be applied.</param>
    public ValueTask<bool> InvalidateAsync(TKey key, TimeSpan staleFor, CancellationToken cancellationToken = default)
    {
        var builder = new KeyBuilder(stackalloc byte[KeyBuilder.MaxLength]);
        WriteKey(key, ref builder);
        return Client.InvalidateAsync(builder.Utf8Key, staleFor, cancellationToken);
    }

    /// <summary>A compressing keyspace stores the zstd frame when it pays (the typed read decompresses it).</summary>
    private (byte[] Bytes, uint Flags) PrepareCompressed(byte[] encoded) =>
        Compression!.TryCompress(encoded) is { } frame ? (frame, _codec.Flags | MemcacheFlags.ZstdCompressed) : (encoded, _codec.Flags);

    private byte[] Encode(TValue value)
    {
        var buffer = PooledBufferWriter.Rent();
        try
        {
            _codec.Encode(value, buffer);
            return buffer.WrittenMemory.ToArray();
        }
        finally
        {
            PooledBufferWriter.Return(buffer);
        }
    }

    private async ValueTask<TValue> DecodeAsync(ValueTask<CacheValue> read, TKey key)
    {
        var value = await read.ConfigureAwait(false);
        try
        {
            return _codec.Decode(value.Value, value.Flags);
        }
        catch (MemcacheFormatException ex) when (ex.Key is null)
        {
            throw About(ex, "get-or-create", key);
        }
    }
}
