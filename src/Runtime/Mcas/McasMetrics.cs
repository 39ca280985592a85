using System.Diagnostics.Metrics;

using MetricCounter = System.Diagnostics.Metrics.Counter<long>;

namespace Memstore.Mcas;

/// <summary>
/// Counters of the <c>Memstore</c> meter for MCAS and the deque. A round trip is one wave of requests the
/// caller waits for: requests sent together to different servers count once.
/// </summary>
internal static class McasMetrics
{
    public const string MeterName = MemstoreTelemetry.MeterName;

    /// <summary>The runtime's one Meter, shared with the client's instruments.</summary>
    private static readonly Meter Meter = Telemetry.MemstoreInstruments.Meter;

    public static readonly MetricCounter RoundTrips = Meter.CreateCounter<long>("memstore.mcas.round_trips", "{round_trip}", "Waves of requests MCAS waited for (reads, installs, decide, release, clean-up).");
    public static readonly MetricCounter Requests = Meter.CreateCounter<long>("memstore.mcas.requests", "{request}", "Requests MCAS sent.");
    public static readonly MetricCounter Operations = Meter.CreateCounter<long>("memstore.mcas.operations", "{operation}", "MCAS calls that wrote a descriptor or a single-key CAS.");
    public static readonly MetricCounter Helps = Meter.CreateCounter<long>("memstore.mcas.helps", "{help}", "Operations of other clients helped to finish.");
    public static readonly MetricCounter Conflicts = Meter.CreateCounter<long>("memstore.mcas.conflicts", "{conflict}", "MCAS calls that returned false.");
    public static readonly MetricCounter Retries = Meter.CreateCounter<long>("memstore.mcas.retries", "{retry}", "Transaction attempts after the first.");
    public static readonly MetricCounter OrphansUndone = Meter.CreateCounter<long>("memstore.mcas.orphans_undone", "{marker}", "Late markers (installed after their operation was decided) put back to what they replaced.");
    public static readonly MetricCounter BackgroundFailures = Meter.CreateCounter<long>("memstore.mcas.background_failures", "{failure}", "Work after an operation returned that failed: a release or the in-order decide (the client then finishes the operation itself, and any reader would too), or a finished operation's descriptor delete (it expires with its TTL).");
    public static readonly MetricCounter BackgroundFinishes = Meter.CreateCounter<long>("memstore.mcas.background_finishes", "{operation}", "Operations this client left unfinished (a failed background phase 2, a commit it could not settle, a canceled commit) and then finished itself in the background.");
    public static readonly MetricCounter Corruptions = Meter.CreateCounter<long>("memstore.mcas.corruptions", "{corruption}", "Keys found pointing at a vanished descriptor.");
    public static readonly MetricCounter DequeRoundTrips = Meter.CreateCounter<long>("memstore.deque.round_trips", "{round_trip}", "Requests the deque waited for.");
    public static readonly MetricCounter DequeCorruptions = Meter.CreateCounter<long>("memstore.deque.corruptions", "{corruption}", "Deque nodes or anchors found missing.");
}
