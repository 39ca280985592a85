using System.Diagnostics;

namespace Memstore.Transport;

/// <summary>
/// The requests of one connection: those waiting to be written, in submission order, and those written and
/// waiting for their replies, in the order the server answers them; a bounded number in all (back-pressure);
/// and the rule for which of them have timed out. It knows nothing of streams, so it is tested without
/// sockets (tests/Memstore.Tests/Client/RequestQueueTests.cs). Every member but the room's is called under
/// <see cref="Sync"/>, the connection's lock, which the connection holds anyway around steps that must be
/// atomic with its own state; taking it again inside would cost a re-entry per request on the hot path.
/// </summary>
#pragma warning disable CA1001 // The semaphore is never waited on through a wait handle, so there is nothing to dispose; late drops may still release it.
internal sealed class RequestQueue
#pragma warning restore CA1001
{
    private readonly Queue<Operation> _waiting = new();
    private readonly Queue<Operation> _inFlight = new();
    private readonly SemaphoreSlim _room;

    /// <param name="capacity">How many requests the queue holds at most, waiting and in flight together.</param>
    public RequestQueue(int capacity) => _room = new SemaphoreSlim(capacity, capacity);

    /// <summary>The lock of the queue and of the connection that owns it.</summary>
    public object Sync { get; } = new();

    /// <summary>Requests waiting to be written.</summary>
    public int Waiting
    {
        get
        {
            Debug.Assert(Monitor.IsEntered(Sync), "called without the connection's lock");
            return _waiting.Count;
        }
    }

    /// <summary>Requests written and not yet answered (or answered late, after their caller gave up).</summary>
    public int InFlight
    {
        get
        {
            Debug.Assert(Monitor.IsEntered(Sync), "called without the connection's lock");
            return _inFlight.Count;
        }
    }

    /// <summary>Whether nothing waits and nothing is in flight.</summary>
    public bool IsIdle
    {
        get
        {
            Debug.Assert(Monitor.IsEntered(Sync), "called without the connection's lock");
            return _waiting.Count == 0 && _inFlight.Count == 0;
        }
    }

    /// <summary>Takes room for <paramref name="count"/> requests at once, or none.</summary>
    public bool TryReserve(int count = 1)
    {
        var taken = 0;
        while (taken < count && _room.Wait(0, CancellationToken.None))
        {
            taken++;
        }
        if (taken == count)
        {
            return true;
        }
        if (taken > 0)
        {
            _room.Release(taken);
        }
        return false;
    }

    /// <summary>Waits for room for one request (back-pressure); false when <paramref name="timeout"/> passed first.</summary>
    public Task<bool> WaitForRoomAsync(TimeSpan timeout, CancellationToken cancellationToken) => _room.WaitAsync(timeout, cancellationToken);

    /// <summary>Gives back room taken for requests that were not queued after all.</summary>
    public void Unreserve(int count = 1) => _room.Release(count);

    /// <summary>Drops a request the queue no longer holds: frees its room and the connection's reference to it.</summary>
    public void Drop(Operation operation)
    {
        _room.Release();
        operation.ReleaseByConnection();
    }

    /// <summary>Queues a request to be written.</summary>
    public void Enqueue(Operation operation)
    {
        Debug.Assert(Monitor.IsEntered(Sync), "called without the connection's lock");
        _waiting.Enqueue(operation);
    }

    /// <summary>Records a request as written (its bytes go out in this order).</summary>
    public void AddInFlight(Operation operation)
    {
        Debug.Assert(Monitor.IsEntered(Sync), "called without the connection's lock");
        _inFlight.Enqueue(operation);
    }

    /// <summary>The oldest waiting request, still queued.</summary>
    public bool TryPeekWaiting(out Operation operation)
    {
        Debug.Assert(Monitor.IsEntered(Sync), "called without the connection's lock");
        return _waiting.TryPeek(out operation!);
    }

    /// <summary>Removes the oldest waiting request (seen with <see cref="TryPeekWaiting"/>).</summary>
    public Operation TakeWaiting()
    {
        Debug.Assert(Monitor.IsEntered(Sync), "called without the connection's lock");
        return _waiting.Dequeue();
    }

    /// <summary>The request the next reply answers, if any.</summary>
    public Operation? OldestInFlight()
    {
        Debug.Assert(Monitor.IsEntered(Sync), "called without the connection's lock");
        return _inFlight.TryPeek(out var head) ? head : null;
    }

    /// <summary>Removes the request whose reply was just read.</summary>
    public void RemoveOldestInFlight()
    {
        Debug.Assert(Monitor.IsEntered(Sync), "called without the connection's lock");
        _inFlight.Dequeue();
    }

    /// <summary>Empties the waiting requests and returns them in order (the connection fails or abandons them).</summary>
    public Operation[] TakeAllWaiting()
    {
        Debug.Assert(Monitor.IsEntered(Sync), "called without the connection's lock");
        Operation[] all = [.. _waiting];
        _waiting.Clear();
        return all;
    }

    /// <summary>
    /// When a session ends: every request in flight, and the waiting requests at the front that may only go out
    /// right behind one that went out on the ended session (a linked group); the rest stay for the next session.
    /// </summary>
    public List<Operation> TakeLostWithSession()
    {
        Debug.Assert(Monitor.IsEntered(Sync), "called without the connection's lock");
        var lost = new List<Operation>(_inFlight);
        _inFlight.Clear();
        while (_waiting.TryPeek(out var head) && head.SendOnlyAfterPrevious)
        {
            lost.Add(_waiting.Dequeue());
        }
        return lost;
    }

    /// <summary>
    /// The requests past their timeout, oldest first. Both queues are in submission order, so each scan stops at
    /// the first request still within its time. Waiting requests are aged as of <paramref name="waitingSeen"/>,
    /// requests in flight as of <paramref name="inFlightSeen"/>, or not at all when that is null (their replies
    /// may be unread). Completed requests (a caller that gave up, a reply already delivered) are skipped.
    /// </summary>
    public Expired Expire(long timeoutTicks, long waitingSeen, long? inFlightSeen, long now)
    {
        Debug.Assert(Monitor.IsEntered(Sync), "called without the connection's lock");
        var expired = new Expired { Waiting = _waiting.Count, InFlight = _inFlight.Count, Oldest = now };
        var scanning = inFlightSeen is not null;
        foreach (var operation in _inFlight)
        {
            if (operation.IsCompleted)
            {
                continue;
            }
            expired.Oldest = Math.Min(expired.Oldest, operation.EnqueuedAt);
            if (scanning && inFlightSeen!.Value - operation.EnqueuedAt >= timeoutTicks)
            {
                (expired.Operations ??= []).Add(operation);
                expired.ExpiredInFlight++;
            }
            else
            {
                scanning = false;
            }
        }
        foreach (var operation in _waiting)
        {
            if (operation.IsCompleted)
            {
                continue;
            }
            expired.Oldest = Math.Min(expired.Oldest, operation.EnqueuedAt);
            if (waitingSeen - operation.EnqueuedAt < timeoutTicks)
            {
                break;
            }
            (expired.Operations ??= []).Add(operation);
        }
        return expired;
    }

    /// <summary>What <see cref="Expire"/> found, with the queue sizes at that moment.</summary>
    public sealed class Expired
    {
        /// <summary>The expired requests (null when none), in flight first, oldest first.</summary>
        public List<Operation>? Operations { get; set; }

        /// <summary>How many of them were in flight: only those say anything about the server.</summary>
        public int ExpiredInFlight { get; set; }

        /// <summary>Requests waiting and in flight when the scan ran.</summary>
        public int Waiting { get; init; }

        /// <inheritdoc cref="Waiting"/>
        public int InFlight { get; init; }

        /// <summary>The submission time of the oldest uncompleted request (the scan's now when there is none).</summary>
        public long Oldest { get; set; }
    }
}
