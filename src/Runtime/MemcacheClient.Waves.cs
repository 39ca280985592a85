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
        private readonly List<Connection?> _connections = new(capacity);
        private readonly List<MetaOperation?> _operations = new(capacity);
        private readonly List<string> _keys = new(capacity);
        private readonly List<Exception?> _failures = new(capacity);
        private ValueTask[] _completions = [];
        private long _started;

        /// <summary>How many requests the wave holds.</summary>
        public int Count => _operations.Count;

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
                var valid = client.Validate(key, scratch);
                connection = client.Route(valid, command.Name, out failure, out var maxTtl);
                if (command.HasDataBlock)
                {
                    client.CheckValueSize(valid, dataBlock.Length);
                    CheckServerValueSize(valid, dataBlock.Length, connection);
                }
                if (failure is null)
                {
                    operation = client.Write<TCommand, TResult>(connection, command, valid, dataBlock, maxTtl);
                }
            }
            catch (ArgumentException ex)
            {
                failure = ex; // the key or value was checked when the operation began; whatever is wrong now is this request's failure
            }
            _connections.Add(connection);
            _operations.Add(operation);
            _keys.Add(key);
            _failures.Add(failure);
            return _operations.Count - 1;
        }

        /// <summary>Queues every request, each connection's share as one group in the order added. Call once.</summary>
        public void Send(CancellationToken cancellationToken)
        {
            _started = Stopwatch.GetTimestamp();
            _completions = new ValueTask[_operations.Count];
            var group = new Operation[_operations.Count];
            var indexes = new int[_operations.Count];
            var sent = new bool[_operations.Count];
            for (var first = 0; first < _operations.Count; first++)
            {
                if (sent[first] || _operations[first] is null)
                {
                    continue;
                }
                var connection = _connections[first]!;
                var length = 0;
                for (var i = first; i < _operations.Count; i++)
                {
                    if (!sent[i] && _operations[i] is { } operation && ReferenceEquals(_connections[i], connection))
                    {
                        operation.Prepare(cancellationToken);
                        group[length] = operation;
                        indexes[length++] = i;
                        sent[i] = true;
                    }
                }
                var grouped = connection.TrySubmitGroup(group, length, linked: false);
                for (var j = 0; j < length; j++)
                {
#pragma warning disable CA2012 // Each is awaited exactly once, in ResultAsync.
                    _completions[indexes[j]] = grouped ? group[j].AsValueTask() : SubmitPrepared(group[j], connection, cancellationToken);
#pragma warning restore CA2012
                }
            }
        }

        /// <summary>The reply to request <paramref name="index"/>, read by the command that wrote it; awaited once per request.</summary>
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
