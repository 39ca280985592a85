using System.Runtime.CompilerServices;
using System.Text;
using Memstore.Protocol;
using Memstore.Transport;

namespace Memstore;

public sealed partial class MemcacheClient
{
    /// <summary>
    /// Stores a value in the given mode. A condition that does not hold (add of an existing key, replace of a
    /// missing one) is a <see cref="StoreStatus.NotStored"/> result, not an exception.
    /// </summary>
    /// <param name="mode">Set, add, replace, append or prepend.</param>
    /// <param name="key">The key (see <see cref="KeyMode"/> for the rules).</param>
    /// <param name="value">The bytes; at most <see cref="MemcacheClientOptions.MaxValueSize"/>.</param>
    /// <param name="expiry">Time to live; null or zero for "never expires". Ignored by append and prepend.</param>
    /// <param name="flags">32-bit client flags stored with the item. Ignored by append and prepend.</param>
    /// <param name="cancellationToken">Cancels the wait; a request already sent may still be applied.</param>
    public ValueTask<StoreResult> StoreAsync(StoreMode mode, string key, ReadOnlyMemory<byte> value, TimeSpan? expiry = null, uint flags = 0, CancellationToken cancellationToken = default)
    {
        Span<byte> scratch = stackalloc byte[KeyCodec.ScratchSize];
        var operation = PrepareStore(mode, Validate(key, scratch), value.Span, expiry, flags, CasToken.None, out var connection, out var failure);
        return operation is null ? FailedCall<StoreResult>.Create(failure!) : CompleteStoreAsync(operation, connection, cancellationToken);
    }

    /// <summary>Stores a value unconditionally.</summary>
    public ValueTask<StoreResult> SetAsync(string key, ReadOnlyMemory<byte> value, TimeSpan? expiry = null, uint flags = 0, CancellationToken cancellationToken = default) =>
        StoreAsync(StoreMode.Set, key, value, expiry, flags, cancellationToken);

    /// <summary>Stores a string as UTF-8 unconditionally.</summary>
    public ValueTask<StoreResult> SetAsync(string key, string value, TimeSpan? expiry = null, uint flags = 0, CancellationToken cancellationToken = default) =>
        StoreAsync(StoreMode.Set, key, Utf8(value), expiry, flags, cancellationToken);

    /// <summary>Stores a value only if the key holds no item.</summary>
    public ValueTask<StoreResult> AddAsync(string key, ReadOnlyMemory<byte> value, TimeSpan? expiry = null, uint flags = 0, CancellationToken cancellationToken = default) =>
        StoreAsync(StoreMode.Add, key, value, expiry, flags, cancellationToken);

    /// <summary>Stores a value only if the key already holds an item.</summary>
    public ValueTask<StoreResult> ReplaceAsync(string key, ReadOnlyMemory<byte> value, TimeSpan? expiry = null, uint flags = 0, CancellationToken cancellationToken = default) =>
        StoreAsync(StoreMode.Replace, key, value, expiry, flags, cancellationToken);

    /// <summary>Appends bytes to an existing item; <see cref="StoreStatus.NotStored"/> if there is none.</summary>
    public ValueTask<StoreResult> AppendAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        StoreAsync(StoreMode.Append, key, value, null, 0, cancellationToken);

    /// <summary>Prepends bytes to an existing item; <see cref="StoreStatus.NotStored"/> if there is none.</summary>
    public ValueTask<StoreResult> PrependAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        StoreAsync(StoreMode.Prepend, key, value, null, 0, cancellationToken);

    /// <summary>
    /// Stores a value only if the item still carries <paramref name="cas"/> (from an earlier read). Returns
    /// <see cref="StoreStatus.Exists"/> if someone changed it since, <see cref="StoreStatus.NotFound"/> if it is gone.
    /// </summary>
    public ValueTask<StoreResult> CompareAndSetAsync(string key, ReadOnlyMemory<byte> value, CasToken cas, TimeSpan? expiry = null, uint flags = 0, CancellationToken cancellationToken = default)
    {
        RequireCas(cas);
        Span<byte> scratch = stackalloc byte[KeyCodec.ScratchSize];
        var operation = PrepareStore(StoreMode.Set, Validate(key, scratch), value.Span, expiry, flags, cas, out var connection, out var failure);
        return operation is null ? FailedCall<StoreResult>.Create(failure!) : CompleteStoreAsync(operation, connection, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<StoreResult> CompleteStoreAsync(MetaOperation operation, Connection connection, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(operation, connection, cancellationToken).ConfigureAwait(false);
            return operation.StoreResult;
        }
        finally
        {
            operation.ReleaseByCaller();
        }
    }

    private static void RequireCas(CasToken cas)
    {
        if (!cas.HasValue)
        {
            throw new ArgumentException("CompareAndSetAsync needs the CAS token of an earlier read; CasToken.None would store unconditionally. Use SetAsync for that.", nameof(cas));
        }
    }

    /// <summary>Deletes an item; with a CAS token, only if the item has not changed since it was read.</summary>
    public ValueTask<DeleteStatus> DeleteAsync(string key, CasToken cas = default, CancellationToken cancellationToken = default)
    {
        Span<byte> scratch = stackalloc byte[KeyCodec.ScratchSize];
        var operation = PrepareDelete(Validate(key, scratch), cas, out var connection, out var failure);
        return operation is null ? FailedCall<DeleteStatus>.Create(failure!) : CompleteDeleteAsync(operation, connection, cancellationToken);
    }

    private MetaOperation? PrepareDelete(in ValidKey key, CasToken cas, out Connection connection, out Exception? failure)
    {
        connection = Route(key, "delete", out failure);
        if (failure is not null)
        {
            return null; // nothing rented or written: the caller returns the failure as it is
        }
        var operation = Rent("delete", key, ValueTarget.None, connection, ReplyKinds.Delete);
        MetaRequestWriter.Delete(operation.Request, key.Bytes, _keyMode, cas, operation.Opaque);
        return operation;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<DeleteStatus> CompleteDeleteAsync(MetaOperation operation, Connection connection, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(operation, connection, cancellationToken).ConfigureAwait(false);
            return operation.DeleteStatus;
        }
        finally
        {
            operation.ReleaseByCaller();
        }
    }

    /// <summary>
    /// Adds <paramref name="delta"/> to a counter (a decimal number stored as text). On a miss the counter is
    /// created with <paramref name="initialValue"/> and <paramref name="expiry"/> when an initial value is
    /// given; otherwise the result says not found. Wraps at 2^64.
    /// </summary>
    public ValueTask<CounterResult> IncrementAsync(string key, ulong delta = 1, ulong? initialValue = null, TimeSpan? expiry = null, CancellationToken cancellationToken = default)
    {
        Span<byte> scratch = stackalloc byte[KeyCodec.ScratchSize];
        var operation = PrepareArithmetic("increment", Validate(key, scratch), decrement: false, delta, initialValue, expiry, out var connection, out var failure);
        return operation is null ? FailedCall<CounterResult>.Create(failure!) : CompleteArithmeticAsync(operation, connection, cancellationToken);
    }

    /// <summary>Subtracts <paramref name="delta"/> from a counter, stopping at zero. See <see cref="IncrementAsync(string, ulong, ulong?, TimeSpan?, CancellationToken)"/>.</summary>
    public ValueTask<CounterResult> DecrementAsync(string key, ulong delta = 1, ulong? initialValue = null, TimeSpan? expiry = null, CancellationToken cancellationToken = default)
    {
        Span<byte> scratch = stackalloc byte[KeyCodec.ScratchSize];
        var operation = PrepareArithmetic("decrement", Validate(key, scratch), decrement: true, delta, initialValue, expiry, out var connection, out var failure);
        return operation is null ? FailedCall<CounterResult>.Create(failure!) : CompleteArithmeticAsync(operation, connection, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<CounterResult> CompleteArithmeticAsync(MetaOperation operation, Connection connection, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(operation, connection, cancellationToken).ConfigureAwait(false);
            return operation.HasValue
                ? new CounterResult(true, operation.Number, operation.Cas)
                : default;
        }
        finally
        {
            operation.ReleaseByCaller();
        }
    }

    private MetaOperation? PrepareArithmetic(string name, in ValidKey key, bool decrement, ulong delta, ulong? initialValue, TimeSpan? expiry, out Connection connection, out Exception? failure)
    {
        var ttl = Expiration.ToTtl(expiry);
        connection = Route(key, name, out failure);
        if (failure is not null)
        {
            return null; // nothing rented or written: the caller returns the failure as it is
        }
        var operation = Rent(name, key, ValueTarget.Number, connection, ReplyKinds.Arithmetic);
        MetaRequestWriter.Arithmetic(operation.Request, key.Bytes, _keyMode, decrement, delta, initialValue, ttl, operation.Opaque);
        return operation;
    }

    /// <summary>Validates, routes and writes a store request; the value is copied into the request here.</summary>
    private MetaOperation? PrepareStore(StoreMode mode, in ValidKey key, ReadOnlySpan<byte> value, TimeSpan? expiry, uint flags, CasToken cas, out Connection connection, out Exception? failure)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown store mode.");
        }
        connection = Route(key, StoreName(mode, cas), out failure);
        // Argument mistakes are thrown even when the server is down; then nothing is rented or written and the
        // caller returns the failure as it is.
        var ttl = CheckStore(key, value.Length, expiry, connection);
        return failure is null ? WriteStore(connection, mode, key, value, ttl, flags, cas) : null;
    }

    /// <summary><see cref="PrepareStore"/> on a connection already chosen and known to be usable.</summary>
    private MetaOperation PrepareStoreOn(Connection connection, StoreMode mode, in ValidKey key, ReadOnlySpan<byte> value, TimeSpan? expiry, uint flags, CasToken cas) =>
        WriteStore(connection, mode, key, value, CheckStore(key, value.Length, expiry, connection), flags, cas);

    /// <summary>The caller's mistakes in a store (TTL range, value size against the client's and the server's limit); returns the TTL.</summary>
    private uint CheckStore(in ValidKey key, int valueLength, TimeSpan? expiry, Connection connection)
    {
        var ttl = Expiration.ToTtl(expiry);
        CheckValueSize(key, valueLength);
        CheckServerValueSize(key, valueLength, connection);
        return ttl;
    }

    private MetaOperation WriteStore(Connection connection, StoreMode mode, in ValidKey key, ReadOnlySpan<byte> value, uint ttl, uint flags, CasToken cas)
    {
        var operation = Rent(StoreName(mode, cas), key, ValueTarget.None, connection, ReplyKinds.Store, hasDataBlock: true);
        MetaRequestWriter.Store(operation.Request, key.Bytes, _keyMode, mode, value, flags, ttl, cas, operation.Opaque);
        return operation;
    }

    private static string StoreName(StoreMode mode, CasToken cas) => cas.HasValue ? "cas" : mode switch
    {
        StoreMode.Add => "add",
        StoreMode.Replace => "replace",
        StoreMode.Append => "append",
        StoreMode.Prepend => "prepend",
        _ => "set",
    };


    private static byte[] Utf8(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Encoding.UTF8.GetBytes(value);
    }
}
