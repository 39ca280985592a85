using System.Collections.Concurrent;

namespace Memstore.Collections;

public sealed partial class MemcacheDeque
{
    // Deletes of popped nodes run alongside the caller's next request instead of costing a round trip.
    // A popped node is unreachable once the anchor moved past it, so a late delete only frees memory.
    private readonly ConcurrentQueue<Task> _pendingDeletes = new();

    /// <summary>Waits for the deletes of popped nodes that are still in flight (call before a process exits).</summary>
    public async ValueTask FlushAsync()
    {
        while (_pendingDeletes.TryDequeue(out var delete))
        {
            await Observe(delete).ConfigureAwait(false);
        }
    }

    private async ValueTask DeleteLaterAsync(string key)
    {
        Count();
        _pendingDeletes.Enqueue(_client.DeleteAsync(key, CasToken.None).AsTask());
        while (_pendingDeletes.Count > 64 && _pendingDeletes.TryDequeue(out var oldest))
        {
            await Observe(oldest).ConfigureAwait(false);
        }
        while (_pendingDeletes.TryPeek(out var first) && first.IsCompleted && _pendingDeletes.TryDequeue(out var done))
        {
            await Observe(done).ConfigureAwait(false);
        }
    }

    private static async Task Observe(Task delete)
    {
        try
        {
            await delete.ConfigureAwait(false);
        }
        catch (MemcacheException)
        {
            // The node stays behind as garbage; the deque itself is consistent.
        }
    }

    /// <summary>After repeated CAS failures on the anchor, a short jittered pause lets one contender through.</summary>
    private static async ValueTask BackOffAsync(int failures, CancellationToken cancellationToken)
    {
        if (failures < 2)
        {
            return;
        }
#pragma warning disable CA5394 // Jitter, not security.
        var delay = Random.Shared.Next(0, 1 << Math.Min(failures - 1, 4));
#pragma warning restore CA5394
        if (delay > 0)
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }
}
