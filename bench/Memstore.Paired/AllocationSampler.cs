using System.Diagnostics.Tracing;

namespace Memstore.Paired;

/// <summary>
/// Counts the runtime's allocation samples (GCAllocationTick: one about every 100 KB allocated, naming the type of
/// the object that crossed the mark, so counts are proportional to bytes) per type, for whichever side
/// <see cref="Current"/> names. Shows which type makes a difference in bytes per request between the two builds.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<string, long>[] _samples = [new(StringComparer.Ordinal), new(StringComparer.Ordinal)];

    /// <summary>The side whose samples are being counted: 0 (old), 1 (new), or -1 (none).</summary>
    public volatile int Current = -1;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        int side = Current;
        if (side < 0 || !(eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) ?? false) || eventData.PayloadNames is null)
        {
            return;
        }

        int index = eventData.PayloadNames.IndexOf("TypeName");
        string type = index >= 0 ? eventData.Payload?[index] as string ?? "?" : "?";
        lock (_samples)
        {
            _samples[side][type] = _samples[side].GetValueOrDefault(type) + 1;
        }
    }

    /// <summary>Lines "type old=N new=M", the types with most samples on either side first.</summary>
    public IEnumerable<string> Report(int top)
    {
        lock (_samples)
        {
            return _samples[0].Keys.Union(_samples[1].Keys)
                .Select(t => (Type: t, Old: _samples[0].GetValueOrDefault(t), New: _samples[1].GetValueOrDefault(t)))
                .OrderByDescending(e => Math.Max(e.Old, e.New)).Take(top)
                .Select(e => $"alloc_samples old={e.Old} new={e.New} type={e.Type}").ToList();
        }
    }
}
