using System.Diagnostics;
using System.Runtime.CompilerServices;
using Memstore.Protocol;
using Memstore.Protocol.Commands;
using Memstore.Transport;

namespace Memstore;

public sealed partial class MemcacheClient
{
    /// <summary>
    /// Reads value, flags, CAS token and remaining TTL (seconds, -1 for never) in one request.
    /// Used by MCAS, which must keep an item's expiry when it releases the key.
    /// </summary>
    internal ValueTask<(CacheValue Value, long Ttl)> GetWithTtlAsync(string key, CancellationToken cancellationToken)
    {
        Span<byte> scratch = stackalloc byte[KeyCodec.ScratchSize];
        return ExecuteAsync<GetWithTtlCommand, (CacheValue Value, long Ttl)>(default, Validate(key, scratch), default, cancellationToken);
    }

    /// <summary>The index of the server the ring gives for a key (no failover, no I/O): where MCAS places a descriptor.</summary>
    internal int ServerIndexOf(ReadOnlySpan<byte> utf8Key) => Volatile.Read(ref _topology).Locator.Locate(utf8Key);

    /// <summary>Where MCAS logs what no caller can be told (a phase 2 that failed after its operation returned).</summary>
    internal Microsoft.Extensions.Logging.ILogger Logger => _logger;

    /// <summary>
    /// Sends <paramref name="writes"/> back to back on one connection, with one write when the connection is idle, so
    /// that memcached executes them in this order; none is ever sent without the one before it going out just before
    /// it (<see cref="Connection.TrySubmitGroup"/>, linked), so what memcached executes of them is always a prefix.
    /// False, with nothing sent, when the keys are not all routed to one server (failover included) or the connection
    /// cannot take them now: the caller then sends them another way. Argument errors (a value too large) throw before
    /// anything is sent. <paramref name="results"/> receives one awaitable per write; a delete's
    /// <see cref="DeleteStatus"/> arrives as the <see cref="StoreStatus"/> of the same name (Deleted as Stored).
    /// </summary>
    internal bool TryWriteInOrder(ReadOnlySpan<OrderedWrite> writes, ValueTask<StoreResult>[] results, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested || writes.Length == 0)
        {
            return false;
        }
        Span<byte> scratch = stackalloc byte[KeyCodec.ScratchSize];
        var operations = new Operation[writes.Length];
        var stores = new StoreCommand[writes.Length];
        Connection? connection = null;
        var written = 0;
        try
        {
            for (; written < writes.Length; written++)
            {
                var write = writes[written];
                var key = Validate(write.Key, scratch);
                // MCAS refuses to run under FailoverPolicy.Gutter, so no key can carry a TTL cap here.
                var routed = Route(key, write.Name, out var failure, out _);
                if (failure is not null || (connection is not null && routed.Address != connection.Address))
                {
                    AbandonAll();
                    return false;
                }
                connection = routed;
                if (write.IsDelete)
                {
                    operations[written] = Write<DeleteCommand, DeleteStatus>(connection, new DeleteCommand(write.Cas), key, default);
                    continue;
                }
                stores[written] = new StoreCommand(write.Mode, write.Expiry, write.Flags, write.Cas);
                CheckValueSize(key, write.Value.Length);
                CheckServerValueSize(key, write.Value.Length, connection);
                operations[written] = Write<StoreCommand, StoreResult>(connection, stores[written], key, write.Value.Span);
            }
        }
        catch
        {
            AbandonAll();
            throw;
        }
        foreach (var operation in operations)
        {
            operation.Prepare(cancellationToken);
        }
        var started = Stopwatch.GetTimestamp();
        if (!connection!.TrySubmitGroup(operations, operations.Length, linked: true))
        {
            AbandonAll();
            return false;
        }
        for (var i = 0; i < operations.Length; i++)
        {
#pragma warning disable CA2012 // Each is awaited exactly once by the MCAS owner, after all are under way.
            results[i] = AwaitOrderedAsync((MetaOperation)operations[i], connection, writes[i].IsDelete ? null : stores[i], started);
#pragma warning restore CA2012
        }
        return true;

        void AbandonAll()
        {
            for (var i = 0; i < written; i++)
            {
                var operation = (MetaOperation)operations[i];
                operation.ReleaseByCaller();
                operation.AbandonConnectionReference();
            }
            written = 0;
        }
    }

    /// <summary>
    /// The outcome of a write submitted by <see cref="TryWriteInOrder"/> (<paramref name="store"/> null for a delete),
    /// measured like any other request when someone listens.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<StoreResult> AwaitOrderedAsync(MetaOperation operation, Connection connection, StoreCommand? store, long started)
    {
        var observed = Telemetry.MemstoreInstruments.OperationsObserved;
        try
        {
            await operation.AsValueTask().ConfigureAwait(false);
            if (observed)
            {
                RecordSuccess(null, operation, connection, started);
            }
            if (store is { } command)
            {
                return command.Read(operation.Reply, null);
            }
            return default(DeleteCommand).Read(operation.Reply, null) switch
            {
                DeleteStatus.Deleted => new StoreResult(StoreStatus.Stored, CasToken.None),
                DeleteStatus.Exists => new StoreResult(StoreStatus.Exists, CasToken.None),
                _ => new StoreResult(StoreStatus.NotFound, CasToken.None),
            };
        }
        catch (Exception ex) when (observed && Record(operation, connection, started, ex))
        {
            throw;
        }
        finally
        {
            operation.ReleaseByCaller();
        }

        static bool Record(MetaOperation operation, Connection connection, long started, Exception error)
        {
            RecordFailure(null, operation, connection, started, error);
            return false;
        }
    }

    /// <summary>
    /// Refuses MCAS and deques on a client whose failover policy moves keys (<see cref="FailoverPolicy.Gutter"/>,
    /// <see cref="FailoverPolicy.Redistribute"/>): they need every key to have one home, and while a server is dead a
    /// moved key has a second one (operations deciding on different copies, and the returning server's older copy,
    /// lose committed updates).
    /// </summary>
    /// <exception cref="NotSupportedException">The client's failover policy is not <see cref="FailoverPolicy.FailFast"/>.</exception>
    internal void RefuseMovingFailover(string feature)
    {
        var moves = _options.Failover switch
        {
            FailoverPolicy.Gutter => "its keys would get a second, short-lived copy in the gutter pool",
            FailoverPolicy.Redistribute => "its keys would move to another live server, a second home",
            _ => null,
        };
        if (moves is not null)
        {
            throw new NotSupportedException(
                $"{feature} cannot run on a client with MemcacheClientOptions.Failover = {_options.Failover}: it needs every key to have one home, and while a server is dead "
                + $"{moves}, so two operations could decide on different copies, and the server's older copy returns with it: committed changes would be lost. "
                + "Use a separate MemcacheClient with FailoverPolicy.FailFast for these keys.");
        }
    }

    /// <summary>The largest value the client accepts, so MCAS can refuse a descriptor that would not fit.</summary>
    internal int MaxValueSizeForMcas => (int)_maxValueSize;
}

/// <summary>
/// One request for <see cref="MemcacheClient.TryWriteInOrder"/>: a store (<see cref="StoreMode.Add"/> or a CAS'd set) or,
/// with <see cref="IsDelete"/>, a delete (CAS'd unless <see cref="Cas"/> is none).
/// </summary>
internal readonly record struct OrderedWrite(StoreMode Mode, string Key, ReadOnlyMemory<byte> Value, TimeSpan? Expiry, uint Flags, CasToken Cas, bool IsDelete = false)
{
    /// <summary>A delete, CAS'd on <paramref name="cas"/> unless it is none.</summary>
    public static OrderedWrite Delete(string key, CasToken cas) => new(StoreMode.Set, key, default, null, 0, cas, IsDelete: true);

    /// <summary>What the request is called when its failure is reported.</summary>
    public string Name => IsDelete ? "delete" : Mode == StoreMode.Add ? "add" : "cas";
}
