using System.Diagnostics.Metrics;

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

    public static readonly Counter<long> RoundTrips = Meter.CreateCounter<long>("memstore.mcas.round_trips", "{round_trip}", "Waves of requests MCAS waited for (reads, installs, decide, release, clean-up).");
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("memstore.mcas.requests", "{request}", "Requests MCAS sent.");
    public static readonly Counter<long> Operations = Meter.CreateCounter<long>("memstore.mcas.operations", "{operation}", "MCAS calls that wrote a descriptor or a single-key CAS.");
    public static readonly Counter<long> Helps = Meter.CreateCounter<long>("memstore.mcas.helps", "{help}", "Operations of other clients helped to finish.");
    public static readonly Counter<long> Conflicts = Meter.CreateCounter<long>("memstore.mcas.conflicts", "{conflict}", "MCAS calls that returned false.");
    public static readonly Counter<long> Retries = Meter.CreateCounter<long>("memstore.mcas.retries", "{retry}", "Transaction attempts after the first.");
    public static readonly Counter<long> Corruptions = Meter.CreateCounter<long>("memstore.mcas.corruptions", "{corruption}", "Keys found pointing at a vanished descriptor.");
    public static readonly Counter<long> DequeRoundTrips = Meter.CreateCounter<long>("memstore.deque.round_trips", "{round_trip}", "Requests the deque waited for.");
    public static readonly Counter<long> DequeCorruptions = Meter.CreateCounter<long>("memstore.deque.corruptions", "{corruption}", "Deque nodes or anchors found missing.");
}
