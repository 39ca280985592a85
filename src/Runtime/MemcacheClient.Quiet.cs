using System.Runtime.CompilerServices;
using Memstore.Protocol;
using Memstore.Protocol.Commands;
using Memstore.Transport;

namespace Memstore;

// Quiet batches: memcached's q flag leaves out the reply of every success, so a batch costs the server and the network
// only its requests, its failures and one MN per server (Transport/QuietWriteOperation.cs). The caller learns that each
// server processed the batch and which keys failed (WriteFailed), not each key's outcome.
public sealed partial class MemcacheClient
{
    /// <summary>
    /// Stores many values unconditionally in quiet mode (<c>ms … q</c>, then <c>mn</c>): one wave per server, all servers
    /// at once, and no reply for a value stored.
    /// </summary>
    /// <remarks>
    /// <para>What the caller learns: when the task completes, every server has processed every request sent to it (its
    /// <c>MN</c> came back), and every key that failed has been raised through <see cref="WriteFailed"/> (a dead server:
    /// <see cref="ServerUnavailableException"/>, nothing sent; a timeout or lost connection: every key of that server not yet
    /// confirmed, which may or may not have been stored; a server error such as <c>SERVER_ERROR out of memory</c>). The
    /// result counts those keys. So a key not reported was stored.</para>
    /// <para>What the caller does not learn: any key's CAS token, and, when memcached's error line (which carries no key)
    /// cannot be pinned to one key, which of the candidate keys failed: each is then reported with
    /// <see cref="WriteFailedEventArgs.IsCertain"/> false (and counted). Canceling reports nothing: the caller knows then
    /// that the keys not yet confirmed may or may not have been stored.</para>
    /// <para>Arguments are checked as <see cref="SetManyAsync"/> does, before anything is sent.</para>
    /// </remarks>
    /// <param name="items">The keys and values; each value is copied before this method returns.</param>
    /// <param name="expiry">Time to live of every item; null or zero for "never expires".</param>
    /// <param name="flags">32-bit client flags stored with every item.</param>
    /// <param name="cancellationToken">Cancels the wait (with <see cref="OperationCanceledException"/>); requests already sent may still be applied.</param>
    /// <returns>How many keys were reported through <see cref="WriteFailed"/>; 0 when every value was stored.</returns>
    public ValueTask<int> SetManyQuietAsync(IReadOnlyList<BatchSetItem> items, TimeSpan? expiry = null, uint flags = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var command = new StoreCommand(StoreMode.Set, expiry, flags, CasToken.None) { Quiet = true };
        return ExecuteQuietAsync<StoreCommand, StoreResult>(command, null, items, nameof(items), cancellationToken);
    }

    /// <summary>
    /// Deletes many items in quiet mode (<c>md … q</c>, then <c>mn</c>): one wave per server, all servers at once, and no
    /// reply for an item deleted. What the caller learns is what <see cref="SetManyQuietAsync"/> says: every server processed
    /// the batch, and the keys whose delete failed were raised through <see cref="WriteFailed"/>; not whether a key held an
    /// item (a missing key is not a failure).
    /// </summary>
    /// <remarks>
    /// There is no quiet touch: memcached's quiet <c>mg</c> leaves out the misses, not the hits, so it would save nothing
    /// on keys that exist. Use <see cref="TouchManyAsync"/>.
    /// </remarks>
    /// <param name="keys">The keys.</param>
    /// <param name="cancellationToken">Cancels the wait (with <see cref="OperationCanceledException"/>); requests already sent may still be applied.</param>
    /// <returns>How many keys were reported through <see cref="WriteFailed"/>; 0 when every delete was processed.</returns>
    public ValueTask<int> DeleteManyQuietAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return ExecuteQuietAsync<DeleteCommand, DeleteStatus>(new DeleteCommand(CasToken.None) { Quiet = true }, keys, null, nameof(keys), cancellationToken);
    }

    private ValueTask<int> ExecuteQuietAsync<TCommand, TResult>(in TCommand command, IReadOnlyList<string>? keys, IReadOnlyList<BatchSetItem>? items,
        string parameter, CancellationToken cancellationToken)
        where TCommand : struct, IMetaCommand<TResult>
    {
        var count = items?.Count ?? keys!.Count;
        if (count == 0)
        {
            return ValueTask.FromResult(0);
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }
        var unavailable = new List<(Connection Connection, string Key, Exception Failure)>();
        var parts = BuildQuietParts<TCommand, TResult>(command, keys, items, parameter, count, unavailable);
        foreach (var (connection, key, failure) in unavailable)
        {
            ReportWriteFailure(connection, command.Name, key, failure, certain: true);
        }
        return CompleteQuietAsync(parts, unavailable.Count, cancellationToken);
    }

    /// <summary>Validates, routes and writes every item into its server's quiet batch (argument errors throw here, with nothing sent).</summary>
    private List<(Connection Connection, QuietWriteOperation Operation)> BuildQuietParts<TCommand, TResult>(in TCommand command, IReadOnlyList<string>? keys,
        IReadOnlyList<BatchSetItem>? items, string parameter, int count, List<(Connection Connection, string Key, Exception Failure)> unavailable)
        where TCommand : struct, IMetaCommand<TResult>
    {
        var parts = new List<(Connection Connection, QuietWriteOperation Operation)>();
        Span<byte> scratch = stackalloc byte[KeyCodec.ScratchSize];
        try
        {
            for (var i = 0; i < count; i++)
            {
                var text = KeyOf(keys, items, i, parameter);
                var data = items is null ? default : items[i].Value.Span;
                var key = RouteItem<TCommand, TResult>(command, text, data, i, parameter, scratch, out var connection, out var failure, out var maxTtl);
                if (failure is not null)
                {
                    unavailable.Add((connection, text, failure));
                    continue;
                }
                var operation = QuietPartOf(parts, connection, command.Name, command.Accepts, command.HasDataBlock);
                command.Write(operation.Request, key.Bytes, _keyMode, data, operation.AddRequest(text), maxTtl);
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

    private static QuietWriteOperation QuietPartOf(List<(Connection Connection, QuietWriteOperation Operation)> parts, Connection connection,
        string name, ReplyKinds accepts, bool hasDataBlock)
    {
        foreach (var (existing, operation) in parts)
        {
            if (ReferenceEquals(existing, connection))
            {
                return operation;
            }
        }
        var created = new QuietWriteOperation(name, accepts, hasDataBlock, connection.Opaques);
        parts.Add((connection, created));
        return created;
    }

    /// <summary>Sends every server's batch at once, waits for all, and reports the keys that failed.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> CompleteQuietAsync(List<(Connection Connection, QuietWriteOperation Operation)> parts, int failed, CancellationToken cancellationToken)
    {
        var pending = new ValueTask[parts.Count];
        for (var p = 0; p < parts.Count; p++)
        {
            // SendAsync delivers every failure (a server down, the client disposed) through its task.
#pragma warning disable CA2012 // Each ValueTask is awaited exactly once, below, after every batch is under way.
            pending[p] = SendAsync(parts[p].Operation, parts[p].Connection, cancellationToken);
#pragma warning restore CA2012
        }
        OperationCanceledException? canceled = null;
        for (var p = 0; p < parts.Count; p++)
        {
            var (connection, operation) = parts[p];
            try
            {
                await pending[p].ConfigureAwait(false);
                failed += operation.ReportFailures(this, connection, null);
            }
            catch (OperationCanceledException ex)
            {
                canceled ??= ex; // the caller's choice, not the server's failure: nothing reported
            }
#pragma warning disable CA1031 // One server's failure is its keys' failure; the other servers' batches are not affected.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failed += operation.ReportFailures(this, connection, ex);
            }
            finally
            {
                operation.ReleaseByCaller();
            }
        }
        if (canceled is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(canceled);
        }
        return failed;
    }
}
