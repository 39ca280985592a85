using System.Buffers.Text;
using System.Runtime.CompilerServices;
using Memstore.Serialization;

namespace Memstore;

/// <summary>
/// A keyspace of 64-bit unsigned counters, stored as decimal text with <see cref="MemcacheFlags.Integer"/> so other
/// clients read them. The source generator implements a partial property of this type declared with
/// <see cref="CounterAttribute"/>.
/// </summary>
/// <typeparam name="TKey">The key: a string, an integer, a <see cref="Guid"/>, an enum, or a tuple of those.</typeparam>
public abstract class CounterKeyspace<TKey>
{
    /// <summary>Creates the counter keyspace.</summary>
    /// <param name="client">The client that carries the requests.</param>
    /// <param name="defaultExpiry">The expiry of counters created by an increment or decrement; null or zero means none.</param>
    protected CounterKeyspace(MemcacheClient client, TimeSpan? defaultExpiry)
    {
        ArgumentNullException.ThrowIfNull(client);
        Client = client;
        DefaultExpiry = defaultExpiry;
    }

    /// <summary>The client that carries the requests.</summary>
    public MemcacheClient Client { get; }

    /// <summary>The expiry of counters this keyspace creates (null: no expiry).</summary>
    public TimeSpan? DefaultExpiry { get; }

    /// <summary>The memcached key for <paramref name="key"/>: the store's prefix and the keyspace's template.</summary>
    public string FormatKey(TKey key)
    {
        var builder = new KeyBuilder(stackalloc byte[KeyBuilder.MaxLength]);
        WriteKey(key, ref builder);
        return builder.ToKeyString();
    }

    /// <summary>Writes the memcached key for <paramref name="key"/> as UTF-8.</summary>
    protected abstract void WriteKey(TKey key, ref KeyBuilder builder);

    /// <summary>Adds <paramref name="delta"/>; a missing counter is created holding <paramref name="delta"/>. Wraps at 2^64.</summary>
    /// <returns>The counter's value after the increment.</returns>
    public ValueTask<ulong> IncrementAsync(TKey key, ulong delta = 1, CancellationToken cancellationToken = default)
    {
        var builder = new KeyBuilder(stackalloc byte[KeyBuilder.MaxLength]);
        WriteKey(key, ref builder);
        return ValueOf(Client.IncrementAsync(builder.Utf8Key, delta, initialValue: delta, DefaultExpiry, cancellationToken));
    }

    /// <summary>Subtracts <paramref name="delta"/>, stopping at zero; a missing counter is created holding zero.</summary>
    /// <returns>The counter's value after the decrement.</returns>
    public ValueTask<ulong> DecrementAsync(TKey key, ulong delta = 1, CancellationToken cancellationToken = default)
    {
        var builder = new KeyBuilder(stackalloc byte[KeyBuilder.MaxLength]);
        WriteKey(key, ref builder);
        return ValueOf(Client.DecrementAsync(builder.Utf8Key, delta, initialValue: 0, DefaultExpiry, cancellationToken));
    }

    /// <summary>Reads a counter; null when it does not exist.</summary>
    /// <exception cref="MemcacheFormatException">The item is not a decimal number.</exception>
    public ValueTask<ulong?> GetAsync(TKey key, CancellationToken cancellationToken = default)
    {
        var builder = new KeyBuilder(stackalloc byte[KeyBuilder.MaxLength]);
        WriteKey(key, ref builder);
        return ReadAsync(Client.GetDecodedAsync(builder.Utf8Key, CounterCodec.Instance, touch: false, null, cancellationToken), key);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ulong?> ReadAsync(ValueTask<CacheItem<ulong>> pending, TKey key)
    {
        try
        {
            var item = await pending.ConfigureAwait(false);
            return item.Found ? item.Value : null;
        }
        catch (MemcacheFormatException error)
        {
            // The codec cannot know the key; the caller needs it to find the bad item.
            throw new MemcacheFormatException($"Counter {FormatKey(key)}: {error.Message}", error);
        }
    }

    /// <summary>Counters as memcached stores them: unsigned 64-bit decimal text (incr pads with spaces after a shrink).</summary>
    private sealed class CounterCodec : IValueCodec<ulong>
    {
        public static CounterCodec Instance { get; } = new();

        public uint Flags => MemcacheFlags.Integer;

        public void Encode(ulong value, System.Buffers.IBufferWriter<byte> destination)
        {
            var span = destination.GetSpan(20);
            Utf8Formatter.TryFormat(value, span, out var written);
            destination.Advance(written);
        }

        public ulong Decode(ReadOnlyMemory<byte> bytes, uint flags)
        {
            var span = bytes.Span.TrimEnd((byte)' ');
            if (!Utf8Parser.TryParse(span, out ulong number, out var consumed) || consumed != span.Length)
            {
                throw new MemcacheFormatException($"the item holds {MemcacheFlags.Describe(flags)} ({bytes.Length} bytes), not a decimal number.");
            }
            return number;
        }
    }

    /// <summary>Sets a counter to <paramref name="value"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The new value.</param>
    /// <param name="expiry">The expiry; null takes <see cref="DefaultExpiry"/>, zero means no expiry.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public ValueTask<StoreResult> SetAsync(TKey key, ulong value, TimeSpan? expiry = null, CancellationToken cancellationToken = default)
    {
        var builder = new KeyBuilder(stackalloc byte[KeyBuilder.MaxLength]);
        WriteKey(key, ref builder);
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var written);
        return Client.SetAsync(builder.Utf8Key, digits[..written], expiry ?? DefaultExpiry, MemcacheFlags.Integer, cancellationToken);
    }

    /// <summary>Deletes a counter.</summary>
    public ValueTask<DeleteStatus> DeleteAsync(TKey key, CancellationToken cancellationToken = default)
    {
        var builder = new KeyBuilder(stackalloc byte[KeyBuilder.MaxLength]);
        WriteKey(key, ref builder);
        return Client.DeleteAsync(builder.Utf8Key, default, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<ulong> ValueOf(ValueTask<CounterResult> result) => (await result.ConfigureAwait(false)).Value;
}
