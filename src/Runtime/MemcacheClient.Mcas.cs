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
    /// Sends <paramref name="stores"/> back to back on one connection, with one write when the connection is idle, so
    /// that memcached executes them in this order; none is ever sent without the one before it going out just before
    /// it (<see cref="Connection.TrySubmitGroup"/>, linked). False, with nothing sent, when the keys are not all routed
    /// to one server (failover included) or the connection cannot take them now: the caller then sends the first on
    /// its own. Argument errors (a value too large) throw before anything is sent. <paramref name="results"/> receives
    /// one awaitable per store.
    /// </summary>
    internal bool TryStoreInOrder(ReadOnlySpan<OrderedStore> stores, ValueTask<StoreResult>[] results, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested || stores.Length == 0)
        {
            return false;
        }
        Span<byte> scratch = stackalloc byte[KeyCodec.ScratchSize];
        var operations = new Operation[stores.Length];
        var commands = new StoreCommand[stores.Length];
        Connection? connection = null;
        var written = 0;
        try
        {
            for (; written < stores.Length; written++)
            {
                var store = stores[written];
                var key = Validate(store.Key, scratch);
                // MCAS refuses to run under FailoverPolicy.Gutter, so no key can carry a TTL cap here.
                var routed = Route(key, written == 0 ? "add" : "cas", out var failure, out _);
                if (failure is not null || (connection is not null && routed.Address != connection.Address))
                {
                    AbandonAll();
                    return false;
                }
                connection = routed;
                commands[written] = new StoreCommand(store.Mode, store.Expiry, store.Flags, store.Cas);
                CheckValueSize(key, store.Value.Length);
                CheckServerValueSize(key, store.Value.Length, connection);
                operations[written] = Write<StoreCommand, StoreResult>(connection, commands[written], key, store.Value.Span);
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
            results[i] = AwaitStoreAsync((MetaOperation)operations[i], connection, commands[i], started);
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

    /// <summary>The outcome of a store submitted by <see cref="TryStoreInOrder"/>, measured like any other request when someone listens.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<StoreResult> AwaitStoreAsync(MetaOperation operation, Connection connection, StoreCommand command, long started)
    {
        var observed = Telemetry.MemstoreInstruments.OperationsObserved;
        try
        {
            await operation.AsValueTask().ConfigureAwait(false);
            if (observed)
            {
                RecordSuccess(null, operation, connection, started);
            }
            return command.Read(operation.Reply, null);
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

/// <summary>One store request for <see cref="MemcacheClient.TryStoreInOrder"/>: <see cref="StoreMode.Add"/> or a CAS'd set.</summary>
internal readonly record struct OrderedStore(StoreMode Mode, string Key, ReadOnlyMemory<byte> Value, TimeSpan? Expiry, uint Flags, CasToken Cas);
