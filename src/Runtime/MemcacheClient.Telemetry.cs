using System.Diagnostics;
using System.Runtime.CompilerServices;
using Memstore.Cluster;
using Memstore.Telemetry;
using Memstore.Transport;

namespace Memstore;

public sealed partial class MemcacheClient
{
    private string _telemetryName = "default";

    /// <summary>The servers' nodes, for the observable gauges.</summary>
    internal IReadOnlyList<ServerNode> Nodes => Volatile.Read(ref _topology).Nodes;

    /// <summary>The client's name in telemetry (<c>memstore.client.name</c>): its DI name, or "default".</summary>
    internal string TelemetryName
    {
        get => _telemetryName;
        set
        {
            _telemetryName = value;
            foreach (var node in Nodes)
            {
                foreach (var connection in node.Connections)
                {
                    connection.ClientName = value;
                }
            }
        }
    }

    /// <summary>
    /// <see cref="SendAsync"/> while someone listens: one span per request (OpenTelemetry database-client
    /// conventions), the duration histogram, the operations counter and, on failure, the error counters.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendObservedAsync(Operation operation, Connection connection, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = StartActivity(operation, connection);
        try
        {
            await SendCoreAsync(operation, connection, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            RecordFailure(activity, operation, connection, started, ex);
            throw;
        }
        RecordSuccess(activity, operation, connection, started);
    }

    private Activity? StartActivity(Operation operation, Connection connection)
    {
        var source = MemstoreInstruments.Source;
        if (!source.HasListeners())
        {
            return null;
        }
        var activity = source.StartActivity(operation.Name, ActivityKind.Client);
        if (activity is null)
        {
            return null;
        }
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(TelemetryNames.DbSystemName, TelemetryNames.Memcached);
            activity.SetTag(TelemetryNames.DbOperationName, operation.Name);
            activity.SetTag(TelemetryNames.DbQuerySummary, operation.Name);
            activity.SetTag(connection.Tags.Address.Key, connection.Tags.Address.Value);
            activity.SetTag(connection.Tags.Port.Key, connection.Tags.Port.Value);
            if (_options.RecordKeysInTraces && operation.Key is { } key)
            {
                activity.SetTag(TelemetryNames.DbQueryText, operation.Name + " " + key);
            }
        }
        return activity;
    }

    private static void RecordSuccess(Activity? activity, Operation operation, Connection connection, long started)
    {
        var outcome = MemstoreInstruments.Outcome(operation);
        if (MemstoreInstruments.Duration.Enabled)
        {
            MemstoreInstruments.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, Tags(operation, connection));
        }
        if (MemstoreInstruments.Operations.Enabled)
        {
            var tags = Tags(operation, connection);
            tags.Add(TelemetryNames.Outcome, outcome);
            MemstoreInstruments.Operations.Add(1, tags);
        }
        activity?.SetTag(TelemetryNames.Outcome, outcome);
    }

    private static void RecordFailure(Activity? activity, Operation operation, Connection connection, long started, Exception error)
    {
        var kind = MemstoreInstruments.ErrorKind(error);
        var tags = Tags(operation, connection);
        tags.Add(TelemetryNames.ErrorType, kind);
        if (MemstoreInstruments.Duration.Enabled)
        {
            MemstoreInstruments.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }
        MemstoreInstruments.Errors.Add(1, tags);
        if (error is MemcacheTimeoutException)
        {
            MemstoreInstruments.Timeouts.Add(1, tags);
        }
        tags.Add(TelemetryNames.Outcome, "error");
        MemstoreInstruments.Operations.Add(1, tags);
        if (activity is not null)
        {
            activity.SetTag(TelemetryNames.ErrorType, kind);
            activity.SetTag(TelemetryNames.Outcome, "error");
            // The status description is the kind, not the message: messages name keys.
            activity.SetStatus(ActivityStatusCode.Error, kind);
        }
    }

    private static TagList Tags(Operation operation, Connection connection) => new()
    {
        { TelemetryNames.DbSystemName, TelemetryNames.Memcached },
        { TelemetryNames.DbOperationName, operation.Name },
        connection.Tags.Address,
        connection.Tags.Port,
        { TelemetryNames.ClientName, connection.ClientName },
    };
}
