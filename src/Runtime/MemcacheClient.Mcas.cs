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
    /// Sends <paramref name="second"/> right behind <paramref name="first"/> on one connection, with one write when
    /// the connection is idle, so that memcached executes the first before the second; the second is never sent
    /// without the first going out just before it (<see cref="Connection.TrySubmitGroup"/>). False, with nothing sent,
    /// when the two keys are routed to different servers (failover included) or the connection cannot take both now:
    /// the caller then sends them one after the other. Argument errors (a value too large) throw before anything is sent.
    /// </summary>
    internal bool TryStoreInOrder(in OrderedStore first, in OrderedStore second, CancellationToken cancellationToken,
        out ValueTask<StoreResult> firstResult, out ValueTask<StoreResult> secondResult)
    {
        (firstResult, secondResult) = (default, default);
        Span<byte> firstScratch = stackalloc byte[KeyCodec.ScratchSize];
        Span<byte> secondScratch = stackalloc byte[KeyCodec.ScratchSize];
        var firstKey = Validate(first.Key, firstScratch);
        var secondKey = Validate(second.Key, secondScratch);
        // MCAS refuses to run under FailoverPolicy.Gutter, so neither key can carry a TTL cap here.
        var connection = Route(firstKey, "add", out var failure, out _);
        var other = Route(secondKey, "cas", out var otherFailure, out _);
        if (failure is not null || otherFailure is not null || connection.Address != other.Address || cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        var firstCommand = new StoreCommand(first.Mode, first.Expiry, first.Flags, first.Cas);
        var secondCommand = new StoreCommand(second.Mode, second.Expiry, second.Flags, second.Cas);
        CheckValueSize(firstKey, first.Value.Length);
        CheckServerValueSize(firstKey, first.Value.Length, connection);
        CheckValueSize(secondKey, second.Value.Length);
        CheckServerValueSize(secondKey, second.Value.Length, connection);
        var firstOperation = Write<StoreCommand, StoreResult>(connection, firstCommand, firstKey, first.Value.Span);
        MetaOperation secondOperation;
        try
        {
            secondOperation = Write<StoreCommand, StoreResult>(connection, secondCommand, secondKey, second.Value.Span);
        }
        catch
        {
            Abandon(firstOperation);
            throw;
        }
        firstOperation.Prepare(cancellationToken);
        secondOperation.Prepare(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        if (!connection.TrySubmitGroup([firstOperation, secondOperation], 2, linked: true))
        {
            Abandon(firstOperation);
            Abandon(secondOperation);
            return false;
        }
        firstResult = AwaitStoreAsync(firstOperation, connection, firstCommand, started);
        secondResult = AwaitStoreAsync(secondOperation, connection, secondCommand, started);
        return true;

        static void Abandon(MetaOperation operation)
        {
            operation.ReleaseByCaller();
            operation.AbandonConnectionReference();
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
