using System.Buffers;
using System.Runtime.CompilerServices;
using Memstore.Protocol;
using Memstore.Transport;

namespace Memstore;

public sealed partial class MemcacheClient
{
    /// <summary>Reads an item: its bytes, client flags and CAS token, or a miss.</summary>
    public ValueTask<CacheValue> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        Span<byte> scratch = stackalloc byte[KeyCodec.ScratchSize];
        var operation = PrepareGet("get", Validate(key, scratch), ValueTarget.Array, null, null, out var connection, out var failure);
        return operation is null ? FailedCall<CacheValue>.Create(failure!) : CompleteValueAsync(operation, connection, cancellationToken);
    }

    /// <summary>Reads an item and, on a hit, sets its expiry in the same request.</summary>
    public ValueTask<CacheValue> GetAndTouchAsync(string key, TimeSpan? expiry, CancellationToken cancellationToken = default)
    {
        Span<byte> scratch = stackalloc byte[KeyCodec.ScratchSize];
        var operation = PrepareGet("get-and-touch", Validate(key, scratch), ValueTarget.Array, null, Expiration.ToTtl(expiry), out var connection, out var failure);
        return operation is null ? FailedCall<CacheValue>.Create(failure!) : CompleteValueAsync(operation, connection, cancellationToken);
    }

    /// <summary>
    /// Reads an item into <paramref name="destination"/> without allocating: on a hit the bytes are written
    /// to the buffer writer and the result says how many. On a miss nothing is written.
    /// </summary>
    public ValueTask<CacheValueInfo> GetAsync(string key, IBufferWriter<byte> destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        Span<byte> scratch = stackalloc byte[KeyCodec.ScratchSize];
        var operation = PrepareGet("get", Validate(key, scratch), ValueTarget.Writer, destination, null, out var connection, out var failure);
        return operation is null ? FailedCall<CacheValueInfo>.Create(failure!) : CompleteInfoAsync(operation, connection, cancellationToken);
    }

    /// <summary>Reads an item into a pooled buffer; returns null on a miss. Dispose the lease when done.</summary>
    public ValueTask<CacheLease?> GetLeaseAsync(string key, CancellationToken cancellationToken = default)
    {
        Span<byte> scratch = stackalloc byte[KeyCodec.ScratchSize];
        var operation = PrepareGet("get", Validate(key, scratch), ValueTarget.Pooled, null, null, out var connection, out var failure);
        return operation is null ? FailedCall<CacheLease?>.Create(failure!) : CompleteLeaseAsync(operation, connection, cancellationToken);
    }

    /// <summary>Sets an item's expiry without reading it. Returns false when the key holds no item.</summary>
    public ValueTask<bool> TouchAsync(string key, TimeSpan? expiry, CancellationToken cancellationToken = default)
    {
        Span<byte> scratch = stackalloc byte[KeyCodec.ScratchSize];
        var operation = PrepareGet("touch", Validate(key, scratch), ValueTarget.None, null, Expiration.ToTtl(expiry), out var connection, out var failure);
        return operation is null ? FailedCall<bool>.Create(failure!) : CompleteTouchAsync(operation, connection, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<CacheValue> CompleteValueAsync(MetaOperation operation, Connection connection, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(operation, connection, cancellationToken).ConfigureAwait(false);
            return operation.HasValue
                ? new CacheValue(operation.TakeValueArray()!, operation.ClientFlags, operation.Cas)
                : CacheValue.Miss;
        }
        finally
        {
            operation.ReleaseByCaller();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<CacheValueInfo> CompleteInfoAsync(MetaOperation operation, Connection connection, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(operation, connection, cancellationToken).ConfigureAwait(false);
            return operation.HasValue
                ? new CacheValueInfo(true, operation.ValueLength, operation.ClientFlags, operation.Cas)
                : default;
        }
        finally
        {
            operation.ReleaseByCaller();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<CacheLease?> CompleteLeaseAsync(MetaOperation operation, Connection connection, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(operation, connection, cancellationToken).ConfigureAwait(false);
            return operation.HasValue
                ? new CacheLease(operation.TakeValueArray()!, operation.ValueLength, operation.ClientFlags, operation.Cas)
                : null;
        }
        finally
        {
            operation.ReleaseByCaller();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> CompleteTouchAsync(MetaOperation operation, Connection connection, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(operation, connection, cancellationToken).ConfigureAwait(false);
            return operation.Succeeded;
        }
        finally
        {
            operation.ReleaseByCaller();
        }
    }

    /// <summary>
    /// Reads many items at once. Keys are split by server and each server's share goes out as one pipelined
    /// part closed by a tagged get of its last key: one round trip per server, all servers at once. The result
    /// has one entry per key, in the order of <paramref name="keys"/>.
    /// </summary>
    public ValueTask<CacheValue[]> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return GetManyCoreAsync(keys, null, keys.Count, cancellationToken);
    }

    /// <summary>Reads many items by keys given as UTF-8 bytes (see the string overload).</summary>
    internal ValueTask<CacheValue[]> GetManyAsync(Utf8KeyList keys, CancellationToken cancellationToken) =>
        GetManyCoreAsync(null, keys, keys.Count, cancellationToken);

    /// <summary>One multi-get over either key form (exactly one of <paramref name="textKeys"/> and <paramref name="utf8Keys"/>).</summary>
    private async ValueTask<CacheValue[]> GetManyCoreAsync(IReadOnlyList<string>? textKeys, Utf8KeyList? utf8Keys, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var results = new CacheValue[count];
        if (count > 0)
        {
            await SendPerServerAsync(SplitByServer(textKeys, utf8Keys, results), cancellationToken).ConfigureAwait(false);
        }
        return results;
    }

    /// <summary>Sends every server's part at once, then waits for all of them.</summary>
    private ValueTask SendPerServerAsync(List<(Connection Connection, MultiGetOperation Operation)> parts, CancellationToken cancellationToken)
    {
        var pending = new List<(Operation Operation, ValueTask Completion)>(parts.Count);
        Exception? firstError = null;
        foreach (var (connection, operation) in parts)
        {
            StartOrRecord(pending, operation, connection, cancellationToken, ref firstError);
        }
        return AwaitAllAsync(pending, firstError);
    }

    /// <summary>Sends one of several concurrent requests; a synchronous failure is remembered, not thrown.</summary>
    private void StartOrRecord(List<(Operation Operation, ValueTask Completion)> pending, Operation operation, Connection connection,
        CancellationToken cancellationToken, ref Exception? firstError)
    {
        try
        {
#pragma warning disable CA2012 // Each ValueTask is awaited exactly once, in AwaitAllAsync, after every request is under way.
            pending.Add((operation, SendAsync(operation, connection, cancellationToken)));
#pragma warning restore CA2012
        }
#pragma warning disable CA1031 // Remembered and rethrown after every request has been awaited.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            operation.ReleaseByCaller();
            firstError ??= ex;
        }
    }

    /// <summary>Awaits every request (so none is left running), releases them, then rethrows the first failure.</summary>
    private static async ValueTask AwaitAllAsync(List<(Operation Operation, ValueTask Completion)> pending, Exception? firstError)
    {
        foreach (var (operation, completion) in pending)
        {
            try
            {
                await completion.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Every request must be awaited before the first error is rethrown.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                firstError ??= ex;
            }
            finally
            {
                operation.ReleaseByCaller();
            }
        }
        if (firstError is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(firstError);
        }
    }

    /// <summary>
    /// Builds one part per connection in a single pass: each key is validated, routed and written
    /// once (classic multi-key gets for text keys, quiet meta gets for base64 keys).
    /// </summary>
    private List<(Connection Connection, MultiGetOperation Operation)> SplitByServer(IReadOnlyList<string>? textKeys, Utf8KeyList? utf8Keys, CacheValue[] results)
    {
        var parts = new List<(Connection Connection, MultiGetOperation Operation)>(Math.Min(ServerCount, results.Length));
        Span<byte> scratch = stackalloc byte[KeyCodec.ScratchSize];
        try
        {
            for (var i = 0; i < results.Length; i++)
            {
                var key = textKeys is not null ? Validate(textKeys[i], scratch) : Validate(utf8Keys![i]);
                var connection = Route(key, "get-many");
                MultiGetOperation? operation = null;
                foreach (var (existing, part) in parts)
                {
                    if (ReferenceEquals(existing, connection))
                    {
                        operation = part;
                        break;
                    }
                }
                if (operation is null)
                {
                    // Text keys go as classic multi-key gets (cheaper for memcached per key); base64 keys need meta.
                    operation = _keyMode == KeyMode.Text ? new ClassicMultiGetOperation(results, connection.Opaques) : new MetaMultiGetOperation(results, connection.Opaques);
                    parts.Add((connection, operation));
                }
                operation.AddKey(i, key.Bytes, _keyMode);
            }
        }
        catch
        {
            foreach (var (_, operation) in parts)
            {
                operation.AbandonConnectionReference();
                operation.ReleaseByCaller();
            }
            throw;
        }
        foreach (var (_, operation) in parts)
        {
            operation.Close();
        }
        return parts;
    }

    private MetaOperation? PrepareGet(string name, in ValidKey key, ValueTarget target, IBufferWriter<byte>? destination, uint? touchTtl, out Connection connection, out Exception? failure, bool withTtl = false)
    {
        connection = Route(key, name, out failure);
        if (failure is not null)
        {
            return null; // nothing rented or written: the caller returns the failure as it is
        }
        var operation = Rent(name, key, target, connection, target == ValueTarget.None ? ReplyKinds.Touch : ReplyKinds.Get, destination);
        MetaRequestWriter.Get(operation.Request, key.Bytes, _keyMode, target != ValueTarget.None, touchTtl, opaque: operation.Opaque, withTtl: withTtl);
        return operation;
    }
}
