using System.Diagnostics;
using System.Runtime.CompilerServices;
using Memstore.Protocol;
using Memstore.Protocol.Commands;
using Memstore.Transport;

namespace Memstore;

public sealed partial class MemcacheClient
{
    /// <summary>An empty <see cref="RequestWave"/> on this client.</summary>
    internal RequestWave NewWave(int capacity) => new(this, capacity);

    /// <summary>
    /// Requests of different kinds sent as one wave, for MCAS (its reads, releases and clean-up deletes): each is
    /// routed and written like its single-key call, each connection's share is queued as one group in the order it was
    /// added (one write on an idle connection, nobody else's request in between), and every reply is awaited only after
    /// all are under way. A wave costs one write and one wake-up per server, where single calls cost one per request.
    /// Add every request, <see cref="Send"/> once, then await <see cref="ResultAsync"/> exactly once per request (it
    /// returns the pooled operation), in any order. A request that could not be sent (its server is down, a value the
    /// server cannot take) fails through its result, like the single-key call's task.
    /// </summary>
    internal sealed class RequestWave(MemcacheClient client, int capacity)
    {
        private Connection?[] _connections = new Connection?[Math.Max(1, capacity)];
        private MetaOperation?[] _operations = new MetaOperation?[Math.Max(1, capacity)];
        private string[] _keys = new string[Math.Max(1, capacity)];
        private Exception?[] _failures = new Exception?[Math.Max(1, capacity)];
        private ValueTask[] _completions = [];
        private int _count;
        private long _started;

        /// <summary>How many requests the wave holds.</summary>
        public int Count => _count;

        /// <summary>Routes and writes one request; returns its index for <see cref="ResultAsync"/>.</summary>
        public int Add<TCommand, TResult>(in TCommand command, string key, ReadOnlySpan<byte> dataBlock)
            where TCommand : struct, IMetaCommand<TResult>
        {
            Span<byte> scratch = stackalloc byte[KeyCodec.ScratchSize];
            Connection? connection = null;
            MetaOperation? operation = null;
            Exception? failure;
            try
            {
                var valid = client.RouteChecked<TCommand, TResult>(command, key, dataBlock, scratch, out var routed, out failure, out var maxTtl);
                connection = routed;
                if (failure is null)
                {
                    operation = client.Write<TCommand, TResult>(connection, command, valid, dataBlock, maxTtl);
                }
            }
            catch (ArgumentException ex)
            {
                failure = ex; // a bad key or value fails this request through its result, as the single-key call's task would
            }
            if (_count == _operations.Length)
            {
                var larger = _count * 2;
                Array.Resize(ref _connections, larger);
                Array.Resize(ref _operations, larger);
                Array.Resize(ref _keys, larger);
                Array.Resize(ref _failures, larger);
            }
            (_connections[_count], _operations[_count], _keys[_count], _failures[_count]) = (connection, operation, key, failure);
            return _count++;
        }

        /// <summary>Queues every request, each connection's share as one group in the order added. Call once.</summary>
        public void Send(CancellationToken cancellationToken)
        {
            _started = Stopwatch.GetTimestamp();
            _completions = new ValueTask[_count];
            var parts = new List<(Connection Connection, List<int> Items)>(2);
            for (var i = 0; i < _count; i++)
            {
                if (_operations[i] is not null)
                {
                    PartOf(parts, _connections[i]!).Add(i);
                }
            }
            foreach (var (connection, items) in parts)
            {
                SubmitShare(connection, items, _operations, _completions, cancellationToken);
            }
        }

        /// <summary>
        /// Every reply, in the order added, each read by <c>commandOf(i)</c> (the command given to <see cref="Add"/> for
        /// request i). All are awaited before the first failure is thrown, so no pooled request is left behind.
        /// </summary>
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        public async ValueTask<TResult[]> AllResultsAsync<TCommand, TResult>(Func<int, TCommand> commandOf)
            where TCommand : struct, IMetaCommand<TResult>
        {
            var results = new TResult[_count];
            System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
            for (var i = 0; i < results.Length; i++)
            {
                try
                {
                    results[i] = await ResultAsync<TCommand, TResult>(i, commandOf(i)).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Rethrown below, once every reply is in.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    failure ??= System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex);
                }
            }
            failure?.Throw();
            return results;
        }

        /// <summary>
        /// The reply to request <paramref name="index"/>; awaited once per request. <paramref name="command"/> must be the one
        /// given to <see cref="Add"/> for it: it reads the reply and names the request when a failure is reported.
        /// </summary>
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        public async ValueTask<TResult> ResultAsync<TCommand, TResult>(int index, TCommand command)
            where TCommand : struct, IMetaCommand<TResult>
        {
            if (_operations[index] is not { } operation)
            {
                var failure = _failures[index]!;
                if (failure is not ArgumentException)
                {
                    client.ReportIfWrite<TCommand, TResult>(command, _connections[index]!, _keys[index], failure);
                }
                throw failure;
            }
            var connection = _connections[index]!;
            var observed = Telemetry.MemstoreInstruments.OperationsObserved;
            try
            {
                await _completions[index].ConfigureAwait(false);
                if (observed)
                {
                    RecordSuccess(null, operation, connection, _started);
                }
                return command.Read(operation.Reply, operation.TakeValueArray());
            }
            catch (Exception ex) when (Failed(ex))
            {
                throw; // never reached: the filter records, reports and declines
            }
            finally
            {
                operation.ReleaseByCaller();
            }

            bool Failed(Exception error)
            {
                if (observed)
                {
                    RecordFailure(null, operation, connection, _started, error);
                }
                return client.ReportIfWrite<TCommand, TResult>(command, connection, _keys[index], error);
            }
        }
    }
}
