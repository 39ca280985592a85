namespace Memstore;

/// <summary>
/// Names under which Memstore publishes metrics and traces. Subscribe with OpenTelemetry's
/// <c>AddMeter(MemstoreTelemetry.MeterName)</c> and <c>AddSource(MemstoreTelemetry.ActivitySourceName)</c>,
/// or with a <see cref="System.Diagnostics.Metrics.MeterListener"/> / <see cref="System.Diagnostics.ActivityListener"/>.
/// Nothing is measured, and nothing allocated, while no listener is attached. docs/telemetry.md lists every
/// instrument and span attribute.
/// </summary>
public static class MemstoreTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/>: <c>Memstore</c>.</summary>
    public const string MeterName = "Memstore";

    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/>: <c>Memstore</c>.</summary>
    public const string ActivitySourceName = "Memstore";

    /// <summary>Histogram of operation durations in seconds (OpenTelemetry's database-client metric).</summary>
    public const string OperationDuration = "db.client.operation.duration";

    /// <summary>Counter of completed operations, tagged with their outcome.</summary>
    public const string Operations = "memstore.client.operations";

    /// <summary>Counter of failed operations, tagged with <c>error.type</c>.</summary>
    public const string Errors = "memstore.client.errors";

    /// <summary>Counter of operations that timed out.</summary>
    public const string Timeouts = "memstore.client.timeouts";

    /// <summary>Gauge of requests each server's connections hold, queued plus in flight.</summary>
    public const string QueueDepth = "memstore.client.queue.depth";

    /// <summary>Gauge per server: 1 while in service, 0 while marked dead.</summary>
    public const string ServerHealth = "memstore.client.server.health";

    /// <summary>Counter of connection events: connected, lost, connect_failed, stalled.</summary>
    public const string ConnectionEvents = "memstore.client.connection.events";

    /// <summary>
    /// Counter of server-list events, tagged <c>memstore.membership.event</c>: <c>changed</c> (a new list is in
    /// use), <c>discovery_failed</c> (the configuration endpoint could not be read or sent a reply that was ignored).
    /// </summary>
    public const string MembershipEvents = "memstore.client.membership.events";

    /// <summary>
    /// Counter of writes and invalidations that failed because of the connection or the server, one per key (what
    /// <see cref="MemcacheClient.WriteFailed"/> raises), tagged with <c>db.operation.name</c>, the server and <c>error.type</c>.
    /// </summary>
    public const string WritesFailed = "memstore.client.writes.failed";

    /// <summary>
    /// Counter of calls routed to the gutter pool (<see cref="FailoverPolicy.Gutter"/>) because their key's server
    /// is dead or silent, tagged with the gutter server (<c>server.address</c>, <c>server.port</c>).
    /// </summary>
    public const string GutterOperations = "memstore.client.gutter.operations";
}
