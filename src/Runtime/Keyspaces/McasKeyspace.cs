using Memstore.Mcas;
using Memstore.Serialization;

namespace Memstore;

/// <summary>
/// A typed view of an MCAS-managed keyspace (<see cref="McasGroupAttribute">[McasGroup]</see>): every read
/// goes through McasGet and every write through an MCAS commit, so the keyspace offers no plain get, set or
/// touch. The source generator implements a partial property of this type on a
/// <see cref="MemcacheStoreAttribute">[MemcacheStore]</see> class; the generated subclass formats keys and
/// picks the value codec. Several keys, of one or several keyspaces of the store, are updated atomically
/// through the store's generated <c>TransactAsync</c>.
/// </summary>
/// <typeparam name="TKey">The key: a string, an integer, a <see cref="Guid"/>, an enum, or a tuple of those.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public abstract class McasKeyspace<TKey, TValue>
{
    private readonly Func<McasClient> _mcas;
    private readonly IValueCodec<TValue> _codec;

    /// <summary>Creates the keyspace.</summary>
    /// <param name="mcas">Returns the MCAS client that carries the requests (called on each operation, so it may create the client lazily).</param>
    /// <param name="codec">How values are encoded.</param>
    /// <param name="defaultExpiry">The expiry of values written with none given; null or zero means no expiry.</param>
    protected McasKeyspace(Func<McasClient> mcas, IValueCodec<TValue> codec, TimeSpan? defaultExpiry)
    {
        ArgumentNullException.ThrowIfNull(mcas);
        ArgumentNullException.ThrowIfNull(codec);
        _mcas = mcas;
        _codec = codec;
        DefaultExpiry = defaultExpiry;
    }

    /// <summary>The MCAS client that carries the requests.</summary>
    public McasClient Mcas => _mcas();

    /// <summary>The expiry of values written with none given (null: no expiry).</summary>
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

    /// <summary>Writes the memcached key for <paramref name="key"/> as UTF-8.</summary>
    protected abstract void WriteKey(TKey key, ref KeyBuilder builder);

    /// <summary>Reads an item through McasGet: its value (if it exists) and the entry a commit needs.</summary>
    public async ValueTask<McasItem<TValue>> GetAsync(TKey key, CancellationToken cancellationToken = default) =>
        Decode(await Mcas.GetAsync(FormatKey(key), cancellationToken).ConfigureAwait(false));

    /// <summary>Reads many items through McasGet; results are in the order of <paramref name="keys"/>.</summary>
    public async ValueTask<McasItem<TValue>[]> GetManyAsync(IReadOnlyList<TKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var entries = await Mcas.GetManyAsync([.. keys.Select(FormatKey)], cancellationToken).ConfigureAwait(false);
        return [.. entries.Select(Decode)];
    }

    /// <summary>
    /// Writes <paramref name="value"/> if the item is still as <paramref name="item"/> was read (absent, or
    /// unchanged): one single-key MCAS commit. False when someone else changed the item in between.
    /// </summary>
    /// <param name="item">The item as read by <see cref="GetAsync(TKey, CancellationToken)"/>.</param>
    /// <param name="value">The new value.</param>
    /// <param name="expiry">The new expiry; null takes <see cref="DefaultExpiry"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    [McasCommit]
    public ValueTask<bool> TrySetAsync(McasItem<TValue> item, TValue value, TimeSpan? expiry = null, CancellationToken cancellationToken = default) =>
        Mcas.CompareAndSwapAsync([McasUpdate.Set(item.Entry, Encode(value), _codec.Flags, expiry ?? DefaultExpiry)], cancellationToken);

    /// <summary>
    /// Deletes the item if it is still as <paramref name="item"/> was read: one single-key MCAS commit.
    /// False when someone else changed the item in between.
    /// </summary>
    [McasCommit]
    public ValueTask<bool> TryDeleteAsync(McasItem<TValue> item, CancellationToken cancellationToken = default) =>
        Mcas.CompareAndSwapAsync([McasUpdate.Delete(item.Entry)], cancellationToken);

    /// <summary>
    /// Writes <paramref name="value"/> whatever the item holds: reads it through McasGet and commits, again on
    /// a conflict (see <see cref="McasClient.TransactAsync(Func{McasTransaction, CancellationToken, ValueTask}, CancellationToken)"/>).
    /// </summary>
    /// <exception cref="McasConflictException">The retry budget ran out.</exception>
    public ValueTask SetAsync(TKey key, TValue value, TimeSpan? expiry = null, CancellationToken cancellationToken = default)
    {
        var memcacheKey = FormatKey(key);
        var bytes = Encode(value);
        return Mcas.TransactAsync(async (transaction, token) =>
        {
            await transaction.GetAsync(memcacheKey, token).ConfigureAwait(false);
            transaction.Set(memcacheKey, bytes, _codec.Flags, expiry ?? DefaultExpiry);
        }, cancellationToken);
    }

    /// <summary>Deletes the item whatever it holds, through MCAS (retried on a conflict); false if it did not exist.</summary>
    /// <exception cref="McasConflictException">The retry budget ran out.</exception>
    public ValueTask<bool> DeleteAsync(TKey key, CancellationToken cancellationToken = default)
    {
        var memcacheKey = FormatKey(key);
        return Mcas.TransactAsync(async (transaction, token) =>
        {
            var entry = await transaction.GetAsync(memcacheKey, token).ConfigureAwait(false);
            if (entry.Exists)
            {
                transaction.Delete(memcacheKey);
            }
            return entry.Exists;
        }, cancellationToken);
    }

    /// <summary>
    /// Reads the item and writes <paramref name="update"/>'s result through MCAS, again with a fresh read on a
    /// conflict; returns the value written. <paramref name="update"/> may run several times.
    /// </summary>
    /// <exception cref="McasConflictException">The retry budget ran out.</exception>
    public ValueTask<TValue> UpdateAsync(TKey key, Func<McasItem<TValue>, TValue> update, TimeSpan? expiry = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        return Mcas.TransactAsync(async (transaction, token) =>
        {
            var item = await GetAsync(transaction, key, token).ConfigureAwait(false);
            var value = update(item);
            Set(transaction, key, value, expiry);
            return value;
        }, cancellationToken);
    }

    /// <summary>Reads an item inside <paramref name="transaction"/> (once per attempt).</summary>
    public async ValueTask<McasItem<TValue>> GetAsync(McasTransaction transaction, TKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return Decode(await transaction.GetAsync(FormatKey(key), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Stages a write inside <paramref name="transaction"/>; the key must have been read in it first.</summary>
    public void Set(McasTransaction transaction, TKey key, TValue value, TimeSpan? expiry = null)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        transaction.Set(FormatKey(key), Encode(value), _codec.Flags, expiry ?? DefaultExpiry);
    }

    /// <summary>Stages a delete inside <paramref name="transaction"/>; the key must have been read in it first.</summary>
    public void Delete(McasTransaction transaction, TKey key)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        transaction.Delete(FormatKey(key));
    }

    private byte[] Encode(TValue value) => _codec.EncodeToArray(value);

    private McasItem<TValue> Decode(McasEntry entry) =>
        new(entry, entry.Value is { } bytes ? _codec.DecodeRead(bytes, entry.Flags, "mcas-get", entry.Key, Mcas.Client) : default);
}

/// <summary>An item of an <see cref="McasKeyspace{TKey, TValue}"/> as read through McasGet.</summary>
/// <typeparam name="TValue">The value type.</typeparam>
public readonly struct McasItem<TValue>
{
    internal McasItem(McasEntry entry, TValue? value)
    {
        Entry = entry;
        Value = value;
    }

    /// <summary>The untyped entry, which an MCAS commit compares against.</summary>
    public McasEntry Entry { get; }

    /// <summary>The memcached key.</summary>
    public string Key => Entry.Key;

    /// <summary>Whether the item exists.</summary>
    public bool Exists => Entry.Exists;

    /// <summary>The value; the type's default when the item does not exist.</summary>
    public TValue? Value { get; }

    /// <summary>The item's CAS token as read (not to be used with plain CAS commands).</summary>
    public CasToken Cas => Entry.Cas;

    /// <summary>When the item expires, if it does.</summary>
    public DateTimeOffset? ExpiresAt => Entry.ExpiresAt;

    /// <summary>Gets the value when the item exists.</summary>
    public bool TryGetValue(out TValue value)
    {
        value = Value!;
        return Exists;
    }

    /// <inheritdoc />
    public override string ToString() => Entry.ToString();
}

/// <summary>
/// One keyspace of a store seen from inside an MCAS transaction: typed reads and staged writes, with the
/// keyspace's key formatting and codec. The generated store transaction exposes one per MCAS keyspace.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public readonly struct McasTransactionKeyspace<TKey, TValue>
{
    private readonly McasKeyspace<TKey, TValue> _keyspace;
    private readonly McasTransaction _transaction;

    /// <summary>Binds <paramref name="keyspace"/> to <paramref name="transaction"/>.</summary>
    public McasTransactionKeyspace(McasKeyspace<TKey, TValue> keyspace, McasTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(keyspace);
        ArgumentNullException.ThrowIfNull(transaction);
        _keyspace = keyspace;
        _transaction = transaction;
    }

    /// <summary>The memcached key for <paramref name="key"/>.</summary>
    public string FormatKey(TKey key) => _keyspace.FormatKey(key);

    /// <summary>Reads an item in this attempt (once; later calls return the same item).</summary>
    public ValueTask<McasItem<TValue>> GetAsync(TKey key, CancellationToken cancellationToken = default) =>
        _keyspace.GetAsync(_transaction, key, cancellationToken);

    /// <summary>Stages a write of a key read in this attempt; null <paramref name="expiry"/> takes the keyspace's.</summary>
    public void Set(TKey key, TValue value, TimeSpan? expiry = null) => _keyspace.Set(_transaction, key, value, expiry);

    /// <summary>Stages a delete of a key read in this attempt.</summary>
    public void Delete(TKey key) => _keyspace.Delete(_transaction, key);
}
