using System.Collections.Concurrent;

namespace Memstore.Transport;

/// <summary>
/// The operations one socket read completed, woken together by a single thread-pool work item. Under
/// load one read carries many responses; waking each caller separately costs a pool dispatch and often
/// a thread wake-up per response, which dominated the client's CPU profile. The reader passes the batch
/// to each operation it completes (<see cref="Operation.TryConsume"/>); nothing about it is ambient.
/// </summary>
internal sealed class CompletionBatch : IThreadPoolWorkItem
{
    private static readonly ConcurrentQueue<CompletionBatch> Pool = new();

    private readonly List<Operation> _operations = new(32);
    private Connection? _connection;

    /// <summary>An empty batch for one read of <paramref name="connection"/>.</summary>
    public static CompletionBatch Rent(Connection connection)
    {
        if (!Pool.TryDequeue(out var batch))
        {
            batch = new CompletionBatch();
        }
        batch._connection = connection;
        return batch;
    }

    public void Add(Operation operation) => _operations.Add(operation);

    /// <summary>Hands the completed operations to the pool in one work item (or returns an empty batch).</summary>
    public void Dispatch()
    {
        if (_operations.Count == 0)
        {
            Recycle();
            return;
        }
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute()
    {
        // Callers resume in response order, each continuation running until its next await. While a caller
        // has others of the batch behind it, the connection does not let it write inline (see
        // Connection.SetCallersBehind): the others' requests follow at once, and one coalesced write serves
        // them all without delaying their wake-up by a syscall.
        var connection = _connection!;
        var last = _operations.Count - 1;
        try
        {
            for (var i = 0; i <= last; i++)
            {
                connection.SetCallersBehind(last - i);
                _operations[i].Signal(inline: true);
            }
        }
        finally
        {
            connection.SetCallersBehind(0);
        }
        Recycle();
    }

    private void Recycle()
    {
        _operations.Clear();
        _connection = null;
        Pool.Enqueue(this);
    }
}
