using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using Memstore.Transport;

using MetricCounter = System.Diagnostics.Metrics.Counter<long>;

namespace Memstore.Telemetry;

/// <summary>
/// The one <see cref="Meter"/> and <see cref="ActivitySource"/> of Memstore and its instruments. Internal and
/// static so every part of the runtime (client, transport, MCAS) records into the same ones.
/// </summary>
internal static class MemstoreInstruments
{
    private static readonly string? Version = typeof(MemstoreInstruments).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    /// <summary>Live clients, for the observable gauges. Added by the constructor, removed by DisposeAsync.</summary>
    private static readonly ConcurrentDictionary<MemcacheClient, byte> Clients = new();

    public static readonly Meter Meter = new(MemstoreTelemetry.MeterName, Version);

    public static readonly ActivitySource Source = new(MemstoreTelemetry.ActivitySourceName, Version);

    public static readonly Histogram<double> Duration = Meter.CreateHistogram(
        MemstoreTelemetry.OperationDuration, "s", "Duration of memcached operations, from submission to the response.",
        tags: null,
        advice: new InstrumentAdvice<double>
        {
            // Memcached answers in well under a millisecond on a LAN: finer buckets than OpenTelemetry's default.
            HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        });

    public static readonly MetricCounter Operations = Meter.CreateCounter<long>(
        MemstoreTelemetry.Operations, "{operation}", "Completed memcached operations by outcome (hit, miss, stored, not_stored, exists, not_found, ok, error).");

    public static readonly MetricCounter Errors = Meter.CreateCounter<long>(
        MemstoreTelemetry.Errors, "{error}", "Failed memcached operations by error.type (timeout, connection, server_error, client_error, protocol, canceled, disposed, other).");

    public static readonly MetricCounter Timeouts = Meter.CreateCounter<long>(
        MemstoreTelemetry.Timeouts, "{timeout}", "memcached operations that timed out (waiting for room in the queue or for the response).");

    public static readonly MetricCounter ConnectionEvents = Meter.CreateCounter<long>(
        MemstoreTelemetry.ConnectionEvents, "{event}", "Connection events: connected, lost, connect_failed, stalled.");

    public static readonly MetricCounter WritesFailed = Meter.CreateCounter<long>(
        MemstoreTelemetry.WritesFailed, "{write}", "Writes and invalidations that failed because of the connection or the server, per key (what MemcacheClient.WriteFailed reports).");

    public static readonly MetricCounter MembershipEvents = Meter.CreateCounter<long>(
        MemstoreTelemetry.MembershipEvents, "{event}", "Server-list events: changed, discovery_failed.");

    public static readonly MetricCounter GutterRouted = Meter.CreateCounter<long>(
        MemstoreTelemetry.GutterOperations, "{operation}", "Calls routed to the gutter pool because their key's server is dead or silent.");

    /// <summary>Counts one call sent to <paramref name="gutter"/> (a gutter server) in place of its dead primary.</summary>
    public static void RecordGutterRouted(string clientName, ServerTags gutter) =>
        GutterRouted.Add(1, new TagList
        {
            { TelemetryNames.DbSystemName, TelemetryNames.Memcached },
            gutter.Address,
            gutter.Port,
            { TelemetryNames.ClientName, clientName },
        });

    static MemstoreInstruments()
    {
        Meter.CreateObservableGauge(MemstoreTelemetry.QueueDepth, ObserveQueueDepth, "{request}",
            "Requests a server's connections hold, queued plus in flight.");
        Meter.CreateObservableGauge(MemstoreTelemetry.ServerHealth, ObserveHealth, "1",
            "1 while a server is in service, 0 while it is marked dead.");
    }

    /// <summary>True when anyone listens to per-operation telemetry; checked before any work on the hot path.</summary>
    public static bool OperationsObserved =>
        Duration.Enabled || Operations.Enabled || Errors.Enabled || Timeouts.Enabled || Source.HasListeners();

    public static void Register(MemcacheClient client) => Clients.TryAdd(client, 0);

    public static void Unregister(MemcacheClient client) => Clients.TryRemove(client, out _);

    public static void ConnectionEvent(ServerTags server, string clientName, string name)
    {
        if (ConnectionEvents.Enabled)
        {
            ConnectionEvents.Add(1, new TagList
            {
                { TelemetryNames.DbSystemName, TelemetryNames.Memcached },
                server.Address,
                server.Port,
                { TelemetryNames.ClientName, clientName },
                { TelemetryNames.ConnectionEvent, name },
            });
        }
    }

    public static void MembershipEvent(string clientName, string name)
    {
        if (MembershipEvents.Enabled)
        {
            MembershipEvents.Add(1, new TagList
            {
                { TelemetryNames.DbSystemName, TelemetryNames.Memcached },
                { TelemetryNames.ClientName, clientName },
                { TelemetryNames.MembershipEvent, name },
            });
        }
    }

    private static IEnumerable<Measurement<int>> ObserveQueueDepth()
    {
        foreach (var client in Clients.Keys)
        {
            foreach (var node in client.Nodes)
            {
                var depth = 0;
                foreach (var connection in node.Connections)
                {
                    depth += connection.Outstanding;
                }
                yield return new Measurement<int>(depth, GaugeTags(client, node.Tags));
            }
        }
    }

    private static IEnumerable<Measurement<int>> ObserveHealth()
    {
        foreach (var client in Clients.Keys)
        {
            foreach (var node in client.Nodes)
            {
                yield return new Measurement<int>(node.Health.IsDead ? 0 : 1, GaugeTags(client, node.Tags));
            }
        }
    }

    private static TagList GaugeTags(MemcacheClient client, ServerTags server) => new()
    {
        { TelemetryNames.DbSystemName, TelemetryNames.Memcached },
        server.Address,
        server.Port,
        { TelemetryNames.ClientName, client.TelemetryName },
    };

    /// <summary>The <c>error.type</c> of a failure: a short, low-cardinality kind.</summary>
    public static string ErrorKind(Exception error) => error switch
    {
        MemcacheTimeoutException => "timeout",
        MemcacheConnectionException => "connection",
        ServerUnavailableException => "server_unavailable",
        MemcacheServerErrorException => "server_error",
        MemcacheClientErrorException => "client_error",
        MemcacheProtocolException => "protocol",
        OperationCanceledException => "canceled",
        ObjectDisposedException => "disposed",
        _ => "other",
    };

    /// <summary>The <c>memstore.outcome</c> of a completed operation.</summary>
    public static string Outcome(Operation operation) => operation is Transport.MetaOperation meta ? meta.Outcome : "ok";
}
