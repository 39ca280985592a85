using System.Buffers;
using System.Runtime.CompilerServices;
using Memstore.Protocol;
using Memstore.Transport;

namespace Memstore;

// Every single-key operation also takes its key as UTF-8 bytes, so callers that build keys in a buffer (the
// generated stores do) send them without making a string. The bytes follow the same rules as string keys
// (see KeyMode) and are hashed to the same server as the equal string. Keys and values are copied into the
// request before the call returns: the caller may reuse its buffers at once.
public sealed partial class MemcacheClient
{
    /// <summary>Reads an item by a key given as UTF-8 bytes. See <see cref="GetAsync(string, CancellationToken)"/>.</summary>
    public ValueTask<CacheValue> GetAsync(ReadOnlySpan<byte> key, CancellationToken cancellationToken = default)
    {
        var operation = PrepareGet("get", Validate(key), ValueTarget.Array, null, null, out var connection, out var failure);
        return operation is null ? FailedCall<CacheValue>.Create(failure!) : CompleteValueAsync(operation, connection, cancellationToken);
    }

    /// <summary>Reads an item into <paramref name="destination"/> by a key given as UTF-8 bytes. See <see cref="GetAsync(string, IBufferWriter{byte}, CancellationToken)"/>.</summary>
    public ValueTask<CacheValueInfo> GetAsync(ReadOnlySpan<byte> key, IBufferWriter<byte> destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var operation = PrepareGet("get", Validate(key), ValueTarget.Writer, destination, null, out var connection, out var failure);
        return operation is null ? FailedCall<CacheValueInfo>.Create(failure!) : CompleteInfoAsync(operation, connection, cancellationToken);
    }

    /// <summary>Reads an item into a pooled buffer by a key given as UTF-8 bytes; null on a miss. Dispose the lease when done.</summary>
    public ValueTask<CacheLease?> GetLeaseAsync(ReadOnlySpan<byte> key, CancellationToken cancellationToken = default)
    {
        var operation = PrepareGet("get", Validate(key), ValueTarget.Pooled, null, null, out var connection, out var failure);
        return operation is null ? FailedCall<CacheLease?>.Create(failure!) : CompleteLeaseAsync(operation, connection, cancellationToken);
    }

    /// <summary>Reads an item and sets its expiry, by a key given as UTF-8 bytes. See <see cref="GetAndTouchAsync(string, TimeSpan?, CancellationToken)"/>.</summary>
    public ValueTask<CacheValue> GetAndTouchAsync(ReadOnlySpan<byte> key, TimeSpan? expiry, CancellationToken cancellationToken = default)
    {
        var operation = PrepareGet("get-and-touch", Validate(key), ValueTarget.Array, null, Expiration.ToTtl(expiry), out var connection, out var failure);
        return operation is null ? FailedCall<CacheValue>.Create(failure!) : CompleteValueAsync(operation, connection, cancellationToken);
    }

    /// <summary>Sets an item's expiry by a key given as UTF-8 bytes; false when there is no item.</summary>
    public ValueTask<bool> TouchAsync(ReadOnlySpan<byte> key, TimeSpan? expiry, CancellationToken cancellationToken = default)
    {
        var operation = PrepareGet("touch", Validate(key), ValueTarget.None, null, Expiration.ToTtl(expiry), out var connection, out var failure);
        return operation is null ? FailedCall<bool>.Create(failure!) : CompleteTouchAsync(operation, connection, cancellationToken);
    }

    /// <summary>
    /// Stores a value in the given mode by a key given as UTF-8 bytes. See
    /// <see cref="StoreAsync(StoreMode, string, ReadOnlyMemory{byte}, TimeSpan?, uint, CancellationToken)"/>.
    /// </summary>
    /// <param name="mode">Set, add, replace, append or prepend.</param>
    /// <param name="key">The key's UTF-8 bytes.</param>
    /// <param name="value">The bytes, copied into the request before this method returns.</param>
    /// <param name="expiry">Time to live; null or zero for "never expires". Ignored by append and prepend.</param>
    /// <param name="flags">32-bit client flags stored with the item. Ignored by append and prepend.</param>
    /// <param name="cancellationToken">Cancels the wait; a request already sent may still be applied.</param>
    public ValueTask<StoreResult> StoreAsync(StoreMode mode, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, TimeSpan? expiry = null, uint flags = 0, CancellationToken cancellationToken = default)
    {
        var operation = PrepareStore(mode, Validate(key), value, expiry, flags, CasToken.None, out var connection, out var failure);
        return operation is null ? FailedCall<StoreResult>.Create(failure!) : CompleteStoreAsync(operation, connection, cancellationToken);
    }

    /// <summary>Stores a value unconditionally by a key given as UTF-8 bytes.</summary>
    public ValueTask<StoreResult> SetAsync(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, TimeSpan? expiry = null, uint flags = 0, CancellationToken cancellationToken = default) =>
        StoreAsync(StoreMode.Set, key, value, expiry, flags, cancellationToken);

    /// <summary>Stores a value, by a key given as UTF-8 bytes, only if the key holds no item.</summary>
    public ValueTask<StoreResult> AddAsync(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, TimeSpan? expiry = null, uint flags = 0, CancellationToken cancellationToken = default) =>
        StoreAsync(StoreMode.Add, key, value, expiry, flags, cancellationToken);

    /// <summary>Stores a value, by a key given as UTF-8 bytes, only if the key already holds an item.</summary>
    public ValueTask<StoreResult> ReplaceAsync(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, TimeSpan? expiry = null, uint flags = 0, CancellationToken cancellationToken = default) =>
        StoreAsync(StoreMode.Replace, key, value, expiry, flags, cancellationToken);

    /// <summary>Appends bytes to an existing item, by a key given as UTF-8 bytes.</summary>
    public ValueTask<StoreResult> AppendAsync(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, CancellationToken cancellationToken = default) =>
        StoreAsync(StoreMode.Append, key, value, null, 0, cancellationToken);

    /// <summary>Prepends bytes to an existing item, by a key given as UTF-8 bytes.</summary>
    public ValueTask<StoreResult> PrependAsync(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, CancellationToken cancellationToken = default) =>
        StoreAsync(StoreMode.Prepend, key, value, null, 0, cancellationToken);

    /// <summary>
    /// Stores a value, by a key given as UTF-8 bytes, only if the item still carries <paramref name="cas"/>. See
    /// <see cref="CompareAndSetAsync(string, ReadOnlyMemory{byte}, CasToken, TimeSpan?, uint, CancellationToken)"/>.
    /// </summary>
    public ValueTask<StoreResult> CompareAndSetAsync(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, CasToken cas, TimeSpan? expiry = null, uint flags = 0, CancellationToken cancellationToken = default)
    {
        RequireCas(cas);
        var operation = PrepareStore(StoreMode.Set, Validate(key), value, expiry, flags, cas, out var connection, out var failure);
        return operation is null ? FailedCall<StoreResult>.Create(failure!) : CompleteStoreAsync(operation, connection, cancellationToken);
    }

    /// <summary>Deletes an item by a key given as UTF-8 bytes; with a CAS token, only if it has not changed since it was read.</summary>
    public ValueTask<DeleteStatus> DeleteAsync(ReadOnlySpan<byte> key, CasToken cas = default, CancellationToken cancellationToken = default)
    {
        var operation = PrepareDelete(Validate(key), cas, out var connection, out var failure);
        return operation is null ? FailedCall<DeleteStatus>.Create(failure!) : CompleteDeleteAsync(operation, connection, cancellationToken);
    }

    /// <summary>Adds to a counter by a key given as UTF-8 bytes. See <see cref="IncrementAsync(string, ulong, ulong?, TimeSpan?, CancellationToken)"/>.</summary>
    public ValueTask<CounterResult> IncrementAsync(ReadOnlySpan<byte> key, ulong delta = 1, ulong? initialValue = null, TimeSpan? expiry = null, CancellationToken cancellationToken = default)
    {
        var operation = PrepareArithmetic("increment", Validate(key), decrement: false, delta, initialValue, expiry, out var connection, out var failure);
        return operation is null ? FailedCall<CounterResult>.Create(failure!) : CompleteArithmeticAsync(operation, connection, cancellationToken);
    }

    /// <summary>Subtracts from a counter by a key given as UTF-8 bytes. See <see cref="DecrementAsync(string, ulong, ulong?, TimeSpan?, CancellationToken)"/>.</summary>
    public ValueTask<CounterResult> DecrementAsync(ReadOnlySpan<byte> key, ulong delta = 1, ulong? initialValue = null, TimeSpan? expiry = null, CancellationToken cancellationToken = default)
    {
        var operation = PrepareArithmetic("decrement", Validate(key), decrement: true, delta, initialValue, expiry, out var connection, out var failure);
        return operation is null ? FailedCall<CounterResult>.Create(failure!) : CompleteArithmeticAsync(operation, connection, cancellationToken);
    }

    /// <summary>
    /// Reads an item into a pooled buffer and decodes it there: typed reads allocate only the decoded value.
    /// With <paramref name="touchExpiry"/> it is a get-and-touch.
    /// </summary>
    internal ValueTask<CacheItem<T>> GetDecodedAsync<T>(ReadOnlySpan<byte> key, IValueCodec<T> codec, bool touch, TimeSpan? touchExpiry, CancellationToken cancellationToken)
    {
        var ttl = touch ? Expiration.ToTtl(touchExpiry) : (uint?)null;
        var operation = PrepareGet(touch ? "get-and-touch" : "get", Validate(key), ValueTarget.Pooled, null, ttl, out var connection, out var failure);
        return operation is null ? FailedCall<CacheItem<T>>.Create(failure!) : CompleteDecodedAsync(operation, connection, codec, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<CacheItem<T>> CompleteDecodedAsync<T>(MetaOperation operation, Connection connection, IValueCodec<T> codec, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(operation, connection, cancellationToken).ConfigureAwait(false);
            if (!operation.HasValue)
            {
                return default;
            }
            var buffer = operation.TakeValueArray()!;
            try
            {
                return new CacheItem<T>(codec.Decode(buffer.AsMemory(0, operation.ValueLength), operation.ClientFlags), operation.Cas);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        finally
        {
            operation.ReleaseByCaller();
        }
    }
}
