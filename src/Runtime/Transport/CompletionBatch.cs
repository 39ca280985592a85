using System.Collections.Concurrent;

namespace Memstore.Transport;

/// <summary>
/// The operations one socket read completed, woken together by a single thread-pool work item. Under
/// load one read carries many responses; waking each caller separately costs a pool dispatch and often
/// a thread wake-up per response, which dominated the client's CPU profile.
/// </summary>
internal sealed class CompletionBatch : IThreadPoolWorkItem
{
    private static readonly ConcurrentQueue<CompletionBatch> Pool = new();

    [ThreadStatic]
    private static CompletionBatch? t_current;

    [ThreadStatic]
    private static bool t_othersWaiting;

    private readonly List<Operation> _operations = new(32);

    /// <summary>The batch the reader on this thread is filling, if any.</summary>
    public static CompletionBatch? Current => t_current;

    public void Add(Operation operation) => _operations.Add(operation);

    /// <summary>
    /// True while this thread resumes a caller with more callers of the same batch behind it. Such a caller
    /// queues its next request for the writer loop rather than writing it inline: the others' requests
    /// follow at once, and one batched write serves them all without delaying their wake-up by a syscall.
    /// </summary>
    public static bool OthersWaiting => t_othersWaiting;

    /// <summary>Starts collecting completions on the calling (reader) thread.</summary>
    public static CompletionBatch Begin()
    {
        if (!Pool.TryDequeue(out var batch))
        {
            batch = new CompletionBatch();
        }
        t_current = batch;
        return batch;
    }

    /// <summary>Stops collecting and hands the completed operations to the pool in one work item.</summary>
    public void Dispatch()
    {
        t_current = null;
        if (_operations.Count == 0)
        {
            Pool.Enqueue(this);
            return;
        }
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute()
    {
        // Callers resume in response order, each continuation running until its next await.
        var last = _operations.Count - 1;
        try
        {
            for (var i = 0; i <= last; i++)
            {
                t_othersWaiting = i < last;
                _operations[i].Signal(inline: true);
            }
        }
        finally
        {
            t_othersWaiting = false;
        }
        _operations.Clear();
        Pool.Enqueue(this);
    }
}
