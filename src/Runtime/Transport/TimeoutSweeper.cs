using System.Diagnostics;

namespace Memstore.Transport;

/// <summary>
/// Expires the requests of one client's connections and notices silent servers (see
/// <see cref="Connection.Sweep"/>), on a thread of its own. Replies are read on the thread pool, so while the
/// pool is starved (application code blocking its threads, or a small machine slow to add them) a reply can
/// sit unread in the socket: judging the server by the clock alone would time out calls it answered and mark
/// a healthy server dead. So each sweep first asks how far the pool has caught up — the time of the last
/// probe work item it has run — and the connections judge requests and silence as of that moment.
/// </summary>
internal sealed class TimeoutSweeper : IDisposable
{
    /// <summary>How long a sweep waits for its probe to run: far above a healthy pool's latency, far below a sweep period.</summary>
    private static readonly TimeSpan ProbeWait = TimeSpan.FromMilliseconds(2);

    private readonly object _gate = new();
    private readonly TimeSpan _period;
    private readonly PoolProbe _probe;
    private Connection[] _connections = [];
    private bool _stopped;

    public TimeoutSweeper(TimeSpan operationTimeout)
    {
        // A quarter of the timeout: a request fails at most a quarter late; no finer than 10 ms.
        _period = TimeSpan.FromMilliseconds(Math.Clamp(operationTimeout.TotalMilliseconds / 4, 10, 100));
        _probe = new PoolProbe(_gate);
        new Thread(Run) { IsBackground = true, Name = "Memstore timeouts" }.UnsafeStart();
    }

    // The Stopwatch timestamp up to which the thread pool has run everything queued (see the class summary);
    // read and written by the sweeper thread only.
    private long _poolCaughtUpTo = Stopwatch.GetTimestamp();

    public void Add(Connection connection)
    {
        lock (_gate)
        {
            _connections = [.. _connections, connection];
        }
    }

    public void Remove(Connection connection)
    {
        lock (_gate)
        {
            _connections = [.. _connections.Where(c => !ReferenceEquals(c, connection))];
        }
    }

    private void Run()
    {
        while (true)
        {
            Connection[] connections;
            lock (_gate)
            {
                if (!_stopped)
                {
                    Monitor.Wait(_gate, _period);
                }
                if (_stopped)
                {
                    return;
                }
                _poolCaughtUpTo = _probe.Measure(ProbeWait, _poolCaughtUpTo);
                connections = _connections;
            }
            var now = Stopwatch.GetTimestamp();
            foreach (var connection in connections)
            {
                try
                {
                    connection.Sweep(now, _poolCaughtUpTo);
                }
#pragma warning disable CA1031 // One connection's failure must not stop the timeouts of the others.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Debug.Fail($"Sweeping {connection.Name} threw: {ex}");
                }
            }
        }
    }

    /// <summary>Stops the thread after the sweep under way, if any (without waiting: a late sweep of a disposed connection changes nothing).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopped = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// A work item that only notes that it ran. The pool's global queue is first in, first out, so once a probe
    /// queued at time T has run, so have the socket completions (replies) queued before T.
    /// </summary>
    private sealed class PoolProbe(object gate) : IThreadPoolWorkItem
    {
        private long _queuedAt;
        private bool _queued;

        /// <summary>Under the gate: queues the probe unless one is still waiting, waits briefly, and returns the new caught-up time.</summary>
        public long Measure(TimeSpan wait, long caughtUpTo)
        {
            if (!_queued)
            {
                _queued = true;
                _queuedAt = Stopwatch.GetTimestamp();
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
            if (_queued)
            {
                Monitor.Wait(gate, wait);
            }
            return _queued ? caughtUpTo : _queuedAt;
        }

        void IThreadPoolWorkItem.Execute()
        {
            lock (gate)
            {
                _queued = false;
                Monitor.PulseAll(gate);
            }
        }
    }
}
