using System.Runtime.CompilerServices;
using Memstore.Protocol;
using Memstore.Protocol.Commands;
using Memstore.Transport;

namespace Memstore;

// Batched writes: every key's request is the single-key command's (Protocol/Commands), routed like a single-key call;
// each server's share is queued as one group (Connection.TrySubmitGroup), so an idle connection writes it with one
// write, and all servers' groups go out before any reply is awaited: about one round trip per server, all at once.
public sealed partial class MemcacheClient
{
    // The most requests queued as one group; a larger share goes as several groups, back to back.
    private const int BatchGroupLimit = 1024;

    /// <summary>
    /// Stores many values unconditionally, as pipelined sets: one wave per server, all servers at once. Returns one result
    /// per item, in the order of <paramref name="items"/>: the <see cref="StoreResult"/> a <see cref="SetAsync(MemcacheKey, ReadOnlySpan{byte}, TimeSpan?, uint, CancellationToken)"/>
    /// would have returned, or the exception it would have thrown (a dead server, a timeout, a lost connection, a server
    /// error) for the keys it concerns only; each such failure is also raised through <see cref="WriteFailed"/>.
    /// </summary>
    /// <remarks>
    /// Keys and value sizes are checked before anything is sent: an invalid one is an <see cref="ArgumentException"/> naming
    /// its index, and nothing is sent. A key given twice is sent twice, in the caller's order, to the same server, which
    /// applies them in that order (the last value wins); each has its own result.
    /// </remarks>
    /// <param name="items">The keys and values; each value is copied before this method returns.</param>
    /// <param name="expiry">Time to live of every item; null or zero for "never expires".</param>
    /// <param name="flags">32-bit client flags stored with every item.</param>
    /// <param name="cancellationToken">Cancels the wait: keys not yet answered fail with <see cref="OperationCanceledException"/> (they may still be applied).</param>
    public ValueTask<BatchResult<StoreResult>[]> SetManyAsync(IReadOnlyList<BatchSetItem> items, TimeSpan? expiry = null, uint flags = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var command = new StoreCommand(StoreMode.Set, expiry, flags, CasToken.None);
        return ExecuteManyAsync<StoreCommand, StoreResult>(command, null, items, nameof(items), cancellationToken);
    }

    /// <summary>
    /// Deletes many items as pipelined deletes (one wave per server, all servers at once); one result per key in the order
    /// of <paramref name="keys"/>, as <see cref="SetManyAsync"/> describes.
    /// </summary>
    /// <param name="keys">The keys; a key given twice is deleted once and found missing the second time.</param>
    /// <param name="cancellationToken">Cancels the wait; keys not yet answered fail with <see cref="OperationCanceledException"/>.</param>
    public ValueTask<BatchResult<DeleteStatus>[]> DeleteManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return ExecuteManyAsync<DeleteCommand, DeleteStatus>(new DeleteCommand(CasToken.None), keys, null, nameof(keys), cancellationToken);
    }

    /// <summary>
    /// Sets the expiry of many items without reading them (one wave per server, all servers at once); one result per key
    /// in the order of <paramref name="keys"/>: true when the key held an item. See <see cref="SetManyAsync"/>.
    /// </summary>
    /// <param name="keys">The keys.</param>
    /// <param name="expiry">The new time to live; null or zero for "never expires".</param>
    /// <param name="cancellationToken">Cancels the wait; keys not yet answered fail with <see cref="OperationCanceledException"/>.</param>
    public ValueTask<BatchResult<bool>[]> TouchManyAsync(IReadOnlyList<string> keys, TimeSpan? expiry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return ExecuteManyAsync<TouchCommand, bool>(new TouchCommand(Expiration.ToTtl(expiry)), keys, null, nameof(keys), cancellationToken);
    }

    /// <summary>
    /// Reads many items and sets the expiry of those that exist, in the same requests (memcached's gat with several keys,
    /// OMcache's gat_multi): one wave per server, all servers at once. One result per key in the order of
    /// <paramref name="keys"/>, each a hit or a miss like <see cref="GetManyAsync(IReadOnlyList{string}, CancellationToken)"/>'s entries, or the failure of its server
    /// only (unlike <see cref="GetManyAsync(IReadOnlyList{string}, CancellationToken)"/>, which fails whole): the touch is a write, so a failed one is
    /// also raised through <see cref="WriteFailed"/>.
    /// </summary>
    /// <param name="keys">The keys.</param>
    /// <param name="expiry">The new time to live of every item found; null or zero for "never expires".</param>
    /// <param name="cancellationToken">Cancels the wait; keys not yet answered fail with <see cref="OperationCanceledException"/>.</param>
    public ValueTask<BatchResult<CacheValue>[]> GetAndTouchManyAsync(IReadOnlyList<string> keys, TimeSpan? expiry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return ExecuteManyAsync<GetValueCommand, CacheValue>(new GetValueCommand("get-and-touch", Expiration.ToTtl(expiry)), keys, null, nameof(keys), cancellationToken);
    }

    /// <summary>What one batch sent: per item its key, its connection and its operation (null when it was not sent).</summary>
    private sealed class BatchWave(int count)
    {
        public readonly string[] Keys = new string[count];
        public readonly Connection?[] Connections = new Connection?[count];
        public readonly MetaOperation?[] Operations = new MetaOperation?[count];
        public readonly ValueTask[] Completions = new ValueTask[count];
        public readonly List<(Connection Connection, List<int> Items)> Parts = [];
        public long Started;
    }

    /// <summary>The key of item <paramref name="index"/>, from whichever list the batch has; null or invalid keys are refused naming the index.</summary>
    private static string KeyOf(IReadOnlyList<string>? keys, IReadOnlyList<BatchSetItem>? items, int index, string parameter) =>
        (items is null ? keys![index] : items[index].Key)
        ?? throw new ArgumentException($"The key at index {index} of the batch is null; nothing was sent.", parameter);

    private static ArgumentException InvalidItem(int index, string parameter, ArgumentException error) =>
        new($"The item at index {index} of the batch is invalid, so nothing was sent: {error.Message}", parameter, error);

    private ValueTask<BatchResult<TResult>[]> ExecuteManyAsync<TCommand, TResult>(in TCommand command, IReadOnlyList<string>? keys, IReadOnlyList<BatchSetItem>? items,
        string parameter, CancellationToken cancellationToken)
        where TCommand : struct, IMetaCommand<TResult>
    {
        var count = items?.Count ?? keys!.Count;
        var results = new BatchResult<TResult>[count];
        if (count == 0)
        {
            return ValueTask.FromResult(results);
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<BatchResult<TResult>[]>(cancellationToken);
        }
        var wave = BuildWave<TCommand, TResult>(command, keys, items, parameter, results);
        var isWrite = command is IWriteCommand { IsWrite: true };
        for (var i = 0; i < count; i++)
        {
            if (isWrite && results[i].Error is { } failure)
            {
                ReportWriteFailure(wave.Connections[i]!, command.Name, wave.Keys[i], failure, certain: true);
            }
        }
        SubmitWave(wave, cancellationToken);
        return CompleteWaveAsync<TCommand, TResult>(wave, command, results);
    }

    /// <summary>
    /// Validates, routes and writes every item (argument errors throw here, with nothing sent); an item whose server is
    /// unavailable gets its failure in <paramref name="results"/> at once.
    /// </summary>
    private BatchWave BuildWave<TCommand, TResult>(in TCommand command, IReadOnlyList<string>? keys, IReadOnlyList<BatchSetItem>? items, string parameter,
        BatchResult<TResult>[] results)
        where TCommand : struct, IMetaCommand<TResult>
    {
        var wave = new BatchWave(results.Length);
        Span<byte> scratch = stackalloc byte[KeyCodec.ScratchSize];
        try
        {
            for (var i = 0; i < results.Length; i++)
            {
                var text = KeyOf(keys, items, i, parameter);
                var data = items is null ? default : items[i].Value.Span;
                var key = RouteItem<TCommand, TResult>(command, text, data, i, parameter, scratch, out var connection, out var failure, out var maxTtl);
                wave.Keys[i] = text;
                wave.Connections[i] = connection;
                if (failure is not null)
                {
                    results[i] = new BatchResult<TResult>(text, default!, failure);
                    continue;
                }
                wave.Operations[i] = Write<TCommand, TResult>(connection, command, key, data, maxTtl);
                PartOf(wave.Parts, connection).Add(i);
            }
        }
        catch
        {
            foreach (var operation in wave.Operations)
            {
                operation?.ReleaseByCaller();
                operation?.AbandonConnectionReference();
            }
            throw;
        }
        return wave;
    }

    /// <summary>
    /// One item of a batch (plain or quiet): <see cref="RouteChecked"/>, with an argument mistake thrown naming the item's index.
    /// </summary>
    private ValidKey RouteItem<TCommand, TResult>(in TCommand command, string text, ReadOnlySpan<byte> data, int index, string parameter, Span<byte> scratch,
        out Connection connection, out Exception? failure, out uint maxTtl)
        where TCommand : struct, IMetaCommand<TResult>
    {
        try
        {
            return RouteChecked<TCommand, TResult>(command, text, data, scratch, out connection, out failure, out maxTtl);
        }
        catch (ArgumentException ex)
        {
            throw InvalidItem(index, parameter, ex);
        }
    }

    /// <summary>
    /// One request of a wave (a batch's item, a <see cref="RequestWave"/>'s request): validates its key and value size and
    /// routes it, returning the key as sent (in <paramref name="scratch"/>), its connection, the failure when its server is
    /// unavailable, and the gutter pool's TTL cap when it went there. An argument mistake throws.
    /// </summary>
    private ValidKey RouteChecked<TCommand, TResult>(in TCommand command, string text, ReadOnlySpan<byte> data, Span<byte> scratch,
        out Connection connection, out Exception? failure, out uint maxTtl)
        where TCommand : struct, IMetaCommand<TResult>
    {
        var key = Validate(text, scratch);
        connection = Route(key, command.Name, out failure, out maxTtl);
        if (command.HasDataBlock)
        {
            CheckValueSize(key, data.Length);
            CheckServerValueSize(key, data.Length, connection);
        }
        return key;
    }

    private static List<int> PartOf(List<(Connection Connection, List<int> Items)> parts, Connection connection)
    {
        foreach (var (existing, items) in parts)
        {
            if (ReferenceEquals(existing, connection))
            {
                return items;
            }
        }
        var created = new List<int>();
        parts.Add((connection, created));
        return created;
    }

    /// <summary>Queues each server's share as groups (one write on an idle connection); a group the connection cannot take now goes request by request.</summary>
    private static void SubmitWave(BatchWave wave, CancellationToken cancellationToken)
    {
        wave.Started = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var (connection, items) in wave.Parts)
        {
            SubmitShare(connection, items, wave.Operations, wave.Completions, cancellationToken);
        }
    }

    /// <summary>
    /// Queues one connection's share of a wave (<paramref name="items"/>: indexes into <paramref name="operations"/>, in
    /// sending order) as groups of at most <see cref="BatchGroupLimit"/>, each one write on an idle connection; a group the
    /// connection cannot take now goes request by request. Each item's awaitable goes to <paramref name="completions"/>.
    /// </summary>
    private static void SubmitShare(Connection connection, List<int> items, MetaOperation?[] operations, ValueTask[] completions, CancellationToken cancellationToken)
    {
        var group = new Operation[Math.Min(items.Count, BatchGroupLimit)];
        for (var start = 0; start < items.Count; start += group.Length)
        {
            var length = Math.Min(group.Length, items.Count - start);
            for (var j = 0; j < length; j++)
            {
                var operation = operations[items[start + j]]!;
                operation.Prepare(cancellationToken);
                group[j] = operation;
            }
            var grouped = connection.TrySubmitGroup(group, length, linked: false);
            for (var j = 0; j < length; j++)
            {
#pragma warning disable CA2012 // Each ValueTask is awaited exactly once by the wave's owner, after every request is under way.
                completions[items[start + j]] = grouped ? group[j].AsValueTask() : SubmitPrepared(group[j], connection, cancellationToken);
#pragma warning restore CA2012
            }
        }
    }

    /// <summary>Awaits every item in caller order (all are under way already), reads its reply, and reports failed writes.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<BatchResult<TResult>[]> CompleteWaveAsync<TCommand, TResult>(BatchWave wave, TCommand command, BatchResult<TResult>[] results)
        where TCommand : struct, IMetaCommand<TResult>
    {
        var observed = Telemetry.MemstoreInstruments.OperationsObserved;
        var isWrite = command is IWriteCommand { IsWrite: true };
        for (var i = 0; i < results.Length; i++)
        {
            if (wave.Operations[i] is not { } operation)
            {
                continue;
            }
            var connection = wave.Connections[i]!;
            try
            {
                await wave.Completions[i].ConfigureAwait(false);
                if (observed)
                {
                    RecordSuccess(null, operation, connection, wave.Started);
                }
                results[i] = new BatchResult<TResult>(wave.Keys[i], command.Read(operation.Reply, operation.TakeValueArray()), null);
            }
#pragma warning disable CA1031 // Every failure is this item's result; the others are not affected.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (observed)
                {
                    RecordFailure(null, operation, connection, wave.Started, ex);
                }
                results[i] = new BatchResult<TResult>(wave.Keys[i], default!, ex);
                if (isWrite)
                {
                    ReportWriteFailure(connection, command.Name, wave.Keys[i], ex, certain: true);
                }
            }
            finally
            {
                operation.ReleaseByCaller();
            }
        }
        return results;
    }
}
