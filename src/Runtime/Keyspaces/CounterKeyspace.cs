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
    public abstract string FormatKey(TKey key);

    /// <summary>Adds <paramref name="delta"/>; a missing counter is created holding <paramref name="delta"/>. Wraps at 2^64.</summary>
    /// <returns>The counter's value after the increment.</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ulong> IncrementAsync(TKey key, ulong delta = 1, CancellationToken cancellationToken = default) =>
        (await Client.IncrementAsync(FormatKey(key), delta, initialValue: delta, DefaultExpiry, cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>Subtracts <paramref name="delta"/>, stopping at zero; a missing counter is created holding zero.</summary>
    /// <returns>The counter's value after the decrement.</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ulong> DecrementAsync(TKey key, ulong delta = 1, CancellationToken cancellationToken = default) =>
        (await Client.DecrementAsync(FormatKey(key), delta, initialValue: 0, DefaultExpiry, cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>Reads a counter; null when it does not exist.</summary>
    /// <exception cref="MemcacheFormatException">The item is not a decimal number.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ulong?> GetAsync(TKey key, CancellationToken cancellationToken = default)
    {
        var value = await Client.GetAsync(FormatKey(key), cancellationToken).ConfigureAwait(false);
        if (!value.Found)
        {
            return null;
        }
        var span = value.Value.AsSpan().TrimEnd((byte)' ');
        if (!Utf8Parser.TryParse(span, out ulong number, out var consumed) || consumed != span.Length)
        {
            throw new MemcacheFormatException($"Counter {FormatKey(key)} holds {MemcacheFlags.Describe(value.Flags)}, not a decimal number.");
        }
        return number;
    }

    /// <summary>Sets a counter to <paramref name="value"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The new value.</param>
    /// <param name="expiry">The expiry; null takes <see cref="DefaultExpiry"/>, zero means no expiry.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<StoreResult> SetAsync(TKey key, ulong value, TimeSpan? expiry = null, CancellationToken cancellationToken = default)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var written);
        var bytes = digits[..written].ToArray();
        return await Client.SetAsync(FormatKey(key), bytes, expiry ?? DefaultExpiry, MemcacheFlags.Integer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a counter.</summary>
    public ValueTask<DeleteStatus> DeleteAsync(TKey key, CancellationToken cancellationToken = default) =>
        Client.DeleteAsync(FormatKey(key), default, cancellationToken);
}
