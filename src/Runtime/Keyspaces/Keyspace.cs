using System.Runtime.CompilerServices;
using Memstore.Protocol;
using Memstore.Serialization;

namespace Memstore;

/// <summary>
/// A typed view of the keys that one template produces, with values of one type. The source generator
/// implements a partial property of this type on a <see cref="MemcacheStoreAttribute">[MemcacheStore]</see>
/// class; the generated subclass formats keys and picks the value codec.
/// </summary>
/// <typeparam name="TKey">The key: a string, an integer, a <see cref="Guid"/>, an enum, or a tuple of those.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public abstract partial class Keyspace<TKey, TValue>
{
    private readonly DecompressingCodec<TValue> _codec;

    /// <summary>Creates the keyspace, storing values uncompressed.</summary>
    /// <param name="client">The client that carries the requests.</param>
    /// <param name="codec">How values are encoded.</param>
    /// <param name="defaultExpiry">The expiry used when a call gives none; null or zero means no expiry.</param>
    protected Keyspace(MemcacheClient client, IValueCodec<TValue> codec, TimeSpan? defaultExpiry)
        : this(client, codec, defaultExpiry, null)
    {
    }

    /// <summary>Creates the keyspace.</summary>
    /// <param name="client">The client that carries the requests.</param>
    /// <param name="codec">How values are encoded.</param>
    /// <param name="defaultExpiry">The expiry used when a call gives none; null or zero means no expiry.</param>
    /// <param name="compression">Compresses the values this keyspace writes (docs/compression.md); null stores them as
    /// encoded. Compressed values are read either way.</param>
    protected Keyspace(MemcacheClient client, IValueCodec<TValue> codec, TimeSpan? defaultExpiry, ValueCompression? compression)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(codec);
        Client = client;
        _codec = new DecompressingCodec<TValue>(codec, compression?.MaxDecompressedBytes ?? ValueCompression.DefaultMaxDecompressedBytes);
        Compression = compression;
        DefaultExpiry = defaultExpiry;
    }

    /// <summary>How the values this keyspace writes are compressed; null when they are not.</summary>
    public ValueCompression? Compression { get; }

    /// <summary>The client that carries the requests.</summary>
    public MemcacheClient Client { get; }

    /// <summary>The expiry used when a call gives none (null: no expiry).</summary>
    public TimeSpan? DefaultExpiry { get; }

    /// <summary>The client flags written with values (see <see cref="MemcacheFlags"/>).</summary>
    public uint Flags => _codec.Flags;

    /// <summary>The memcached key for <paramref name="key"/>: the store's prefix and the keyspace's template.</summary>
    public string FormatKey(TKey key)
    {
        var builder = new KeyBuilder(stackalloc byte[KeyBuilder.MaxLength]);
        WriteKey(key, ref builder);
        return builder.ToKeyString();
    }

    /// <summary>Writes the memcached key for <paramref name="key"/> as UTF-8; requests send it without making a string.</summary>
    protected abstract void WriteKey(TKey key, ref KeyBuilder builder);

    /// <summary>Reads a value; the type's default on a miss.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<TValue?> GetAsync(TKey key, CancellationToken cancellationToken = default) =>
        (await TryGetAsync(key, cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>Reads a value with its CAS token, or a miss.</summary>
    public ValueTask<CacheItem<TValue>> TryGetAsync(TKey key, CancellationToken cancellationToken = default)
    {
        var builder = new KeyBuilder(stackalloc byte[KeyBuilder.MaxLength]);
        WriteKey(key, ref builder);
        return Client.GetDecodedAsync(builder.Utf8Key, _codec, touch: false, null, cancellationToken);
    }

    /// <summary>Reads a value and sets a new expiry on it in one request.</summary>
    /// <param name="key">The key.</param>
    /// <param name="expiry">The new expiry; null takes <see cref="DefaultExpiry"/>, zero means no expiry.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public ValueTask<CacheItem<TValue>> GetAndTouchAsync(TKey key, TimeSpan? expiry = null, CancellationToken cancellationToken = default)
    {
        var builder = new KeyBuilder(stackalloc byte[KeyBuilder.MaxLength]);
        WriteKey(key, ref builder);
        return Client.GetDecodedAsync(builder.Utf8Key, _codec, touch: true, expiry ?? DefaultExpiry, cancellationToken);
    }

    /// <summary>Reads many values in one round trip per server; results are in the order of <paramref name="keys"/>.</summary>
    public async ValueTask<CacheItem<TValue>[]> GetManyAsync(IReadOnlyList<TKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        using var utf8Keys = WriteKeys(keys);
        var values = await Client.GetManyAsync(utf8Keys, cancellationToken).ConfigureAwait(false);
        var items = new CacheItem<TValue>[values.Length];
        var i = 0;
        try
        {
            for (; i < values.Length; i++)
            {
                items[i] = values[i].Found ? new CacheItem<TValue>(_codec.Decode(values[i].Value, values[i].Flags), values[i].Cas) : default;
            }
        }
        catch (MemcacheFormatException ex) when (ex.Key is null)
        {
            throw About(ex, "get-many", keys[i]);
        }
        return items;
    }

    private Utf8KeyList WriteKeys(IReadOnlyList<TKey> keys)
    {
        var list = new Utf8KeyList(keys.Count);
        try
        {
            var builder = new KeyBuilder(stackalloc byte[KeyBuilder.MaxLength]);
            foreach (var key in keys)
            {
                builder.Clear();
                WriteKey(key, ref builder);
                list.Add(builder.Utf8Key);
            }
            return list;
        }
        catch
        {
            list.Dispose();
            throw;
        }
    }

    /// <summary>Stores a value unconditionally.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="expiry">The expiry; null takes <see cref="DefaultExpiry"/>, zero means no expiry.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public ValueTask<StoreResult> SetAsync(TKey key, TValue value, TimeSpan? expiry = null, CancellationToken cancellationToken = default) =>
        StoreAsync(StoreMode.Set, key, value, expiry, cancellationToken);

    /// <summary>Stores a value only if the key holds none (<see cref="StoreStatus.NotStored"/> otherwise).</summary>
    public ValueTask<StoreResult> AddAsync(TKey key, TValue value, TimeSpan? expiry = null, CancellationToken cancellationToken = default) =>
        StoreAsync(StoreMode.Add, key, value, expiry, cancellationToken);

    /// <summary>Stores a value only if the key already holds one (<see cref="StoreStatus.NotStored"/> otherwise).</summary>
    public ValueTask<StoreResult> ReplaceAsync(TKey key, TValue value, TimeSpan? expiry = null, CancellationToken cancellationToken = default) =>
        StoreAsync(StoreMode.Replace, key, value, expiry, cancellationToken);

    /// <summary>Stores a value in the given mode.</summary>
    public ValueTask<StoreResult> StoreAsync(StoreMode mode, TKey key, TValue value, TimeSpan? expiry = null, CancellationToken cancellationToken = default) =>
        WriteAsync(mode, key, value, compare: false, default, expiry, cancellationToken);

    /// <summary>
    /// Stores a value only if the item has not changed since <paramref name="cas"/> was read
    /// (from <see cref="TryGetAsync"/>, <see cref="GetAndTouchAsync"/> or <see cref="GetManyAsync"/>).
    /// </summary>
    public ValueTask<StoreResult> CompareAndSetAsync(TKey key, TValue value, CasToken cas, TimeSpan? expiry = null, CancellationToken cancellationToken = default) =>
        WriteAsync(StoreMode.Set, key, value, compare: true, cas, expiry, cancellationToken);

    /// <summary>Deletes an item; with a token, only if it has not changed since the token was read.</summary>
    public ValueTask<DeleteStatus> DeleteAsync(TKey key, CasToken cas = default, CancellationToken cancellationToken = default)
    {
        var builder = new KeyBuilder(stackalloc byte[KeyBuilder.MaxLength]);
        WriteKey(key, ref builder);
        return Client.DeleteAsync(builder.Utf8Key, cas, cancellationToken);
    }

    /// <summary>Sets a new expiry on an item; false when there is no item.</summary>
    /// <param name="key">The key.</param>
    /// <param name="expiry">The new expiry; null takes <see cref="DefaultExpiry"/>, zero means no expiry.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public ValueTask<bool> TouchAsync(TKey key, TimeSpan? expiry = null, CancellationToken cancellationToken = default)
    {
        var builder = new KeyBuilder(stackalloc byte[KeyBuilder.MaxLength]);
        WriteKey(key, ref builder);
        return Client.TouchAsync(builder.Utf8Key, expiry ?? DefaultExpiry, cancellationToken);
    }

    /// <summary>
    /// Encodes the value into a pooled buffer and hands key and value bytes to the client, which copies both into
    /// the request before it returns; so the buffer goes back at once, on this thread, and nothing is allocated.
    /// </summary>
    private ValueTask<StoreResult> WriteAsync(StoreMode mode, TKey key, TValue value, bool compare, CasToken cas, TimeSpan? expiry, CancellationToken cancellationToken)
    {
        var builder = new KeyBuilder(stackalloc byte[KeyBuilder.MaxLength]);
        WriteKey(key, ref builder);
        var buffer = PooledBufferWriter.Rent();
        try
        {
            _codec.Encode(value, buffer);
            var (bytes, flags) = Compress(buffer.WrittenMemory);
            return compare
                ? Client.CompareAndSetAsync(builder.Utf8Key, bytes.Span, cas, expiry ?? DefaultExpiry, flags, cancellationToken)
                : Client.StoreAsync(mode, builder.Utf8Key, bytes.Span, expiry ?? DefaultExpiry, flags, cancellationToken);
        }
        finally
        {
            PooledBufferWriter.Return(buffer);
        }
    }

    /// <summary>A codec's format error with the key it was read for and the server that holds it.</summary>
    private MemcacheFormatException About(MemcacheFormatException error, string operation, TKey key)
    {
        var text = FormatKey(key);
        return error.About(operation, text, Client.Locate(text).ToString());
    }

    /// <summary>The bytes to store and their flags: the encoded value, or its zstd frame when compression is on and pays.</summary>
    private (ReadOnlyMemory<byte> Bytes, uint Flags) Compress(ReadOnlyMemory<byte> encoded) =>
        Compression?.TryCompress(encoded.Span) is { } frame ? (frame, _codec.Flags | MemcacheFlags.ZstdCompressed) : (encoded, _codec.Flags);
}
