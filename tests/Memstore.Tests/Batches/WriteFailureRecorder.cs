using System.Collections.Concurrent;

namespace Memstore.Tests.Batches;

/// <summary>Collects a client's WriteFailed events; waits (bounded) for a number of them.</summary>
internal sealed class WriteFailureRecorder
{
    private readonly ConcurrentQueue<WriteFailedEventArgs> _events = new();

    public WriteFailureRecorder(MemcacheClient client) => client.WriteFailed += (_, e) => _events.Enqueue(e);

    public IReadOnlyList<WriteFailedEventArgs> Events => _events.ToArray();

    /// <summary>Waits until at least <paramref name="count"/> events arrived (at most 10 s), then returns them all.</summary>
    public async Task<IReadOnlyList<WriteFailedEventArgs>> WaitForAsync(int count)
    {
        for (var i = 0; i < 1000 && _events.Count < count; i++)
        {
            await Task.Delay(10);
        }
        return Events;
    }

    /// <summary>
    /// Proves that nothing was reported before a marker: makes <paramref name="marker"/> fail (its event comes after
    /// every earlier one, since events are raised in order) and returns the events before the marker's.
    /// </summary>
    public async Task<IReadOnlyList<WriteFailedEventArgs>> EventsBeforeAsync(Func<Task> marker, string markerKey)
    {
        await marker();
        for (var i = 0; i < 1000 && !_events.Any(e => e.Key == markerKey); i++)
        {
            await Task.Delay(10);
        }
        var all = Events;
        var at = all.Select((e, index) => (e, index)).First(p => p.e.Key == markerKey).index;
        return all.Take(at).ToArray();
    }
}
