using System.Collections.Concurrent;
using System.Diagnostics;
using Memstore.Protocol.Commands;
using Memstore.Telemetry;
using Memstore.Transport;

namespace Memstore;

// Writes and invalidations that failed because of the connection or the server, reported per key (WriteFailed and the
// memstore.client.writes.failed counter) so that an application can repair them once the server is back. Results
// (NotStored, a CAS conflict, NotFound) are never failures; nor are cancellation, disposal and argument errors.
public sealed partial class MemcacheClient
{
    private readonly ConcurrentQueue<WriteFailedEventArgs> _writeFailures = new();
    private int _raisingWriteFailures;

    /// <summary>
    /// Raised for every write or invalidation (set and the other stores, delete, touch, get-and-touch, invalidate,
    /// increment, decrement; single-key, batched and quiet) that failed because of the connection or the server: the server
    /// was marked dead, the request timed out, the connection was lost, or the server answered an error. Not raised for
    /// results (<see cref="StoreStatus.NotStored"/>, <see cref="StoreStatus.Exists"/>, a miss), nor for a canceled call,
    /// a disposed client or an argument error. Raised on a pool thread, one failure at a time and in the order they were
    /// seen; a handler that throws is logged (event id 50) and affects neither the other handlers nor the client.
    /// </summary>
    public event EventHandler<WriteFailedEventArgs>? WriteFailed;

    /// <summary>Whether a failure is the connection's or the server's (the exceptions Memstore raises for them).</summary>
    internal static bool IsServerFailure(Exception error) => error is MemcacheException;

    /// <summary>Reports a failed single-key command if it writes; false, so that it can sit in an exception filter.</summary>
    private bool ReportIfWrite<TCommand, TResult>(in TCommand command, Connection connection, string? key, Exception error)
        where TCommand : struct, IMetaCommand<TResult>
    {
        if (command is IWriteCommand { IsWrite: true } && key is not null)
        {
            ReportWriteFailure(connection, command.Name, key, error, certain: true);
        }
        return false;
    }

    /// <summary>Counts the failure and raises <see cref="WriteFailed"/> for it, if it is the connection's or the server's.</summary>
    internal void ReportWriteFailure(Connection connection, string operation, string key, Exception error, bool certain)
    {
        if (!IsServerFailure(error))
        {
            return;
        }
        if (MemstoreInstruments.WritesFailed.Enabled)
        {
            MemstoreInstruments.WritesFailed.Add(1, new TagList
            {
                { TelemetryNames.DbSystemName, TelemetryNames.Memcached },
                { TelemetryNames.DbOperationName, operation },
                connection.Tags.Address,
                connection.Tags.Port,
                { TelemetryNames.ClientName, connection.ClientName },
                { TelemetryNames.ErrorType, MemstoreInstruments.ErrorKind(error) },
            });
        }
        if (WriteFailed is null)
        {
            return;
        }
        // Failures are seen on the client's own threads (the reader, the sweeper); handlers run elsewhere.
        _writeFailures.Enqueue(new WriteFailedEventArgs(key, operation, connection.Address, error, certain));
        if (Interlocked.Exchange(ref _raisingWriteFailures, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static client => client.RaiseWriteFailures(), this, preferLocal: false);
        }
    }

    private void RaiseWriteFailures()
    {
        while (true)
        {
            while (_writeFailures.TryDequeue(out var failure))
            {
                if (WriteFailed is not { } handlers)
                {
                    continue;
                }
                // Each subscriber on its own: one that throws must not keep the failure from the others (a repair queue).
                foreach (var handler in handlers.GetInvocationList())
                {
                    try
                    {
                        ((EventHandler<WriteFailedEventArgs>)handler)(this, failure);
                    }
#pragma warning disable CA1031 // A faulty subscriber must not break the client.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        Log.WriteFailedListenerFailed(_logger, failure.Key, failure.Server.ToString(), ex);
                    }
                }
            }
            Volatile.Write(ref _raisingWriteFailures, 0);
            // A failure queued after the loop emptied the queue but before the flag dropped is raised here.
            if (_writeFailures.IsEmpty || Interlocked.Exchange(ref _raisingWriteFailures, 1) != 0)
            {
                return;
            }
        }
    }
}
