using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Memstore.Transport;

internal sealed partial class Connection
{
    // Set by the sweep when a request timed out while the server had been silent (see Sweep); new calls
    // are then not queued behind it (see MemcacheClient.Route). Cleared once it answers again.
    private volatile bool _unresponsive;
    private long _progressSeenBySweep;

    /// <summary>Whether a request has timed out since the server last answered anything.</summary>
    public bool IsUnresponsive => _unresponsive;

    /// <summary>
    /// The error of a call refused without being sent because <see cref="IsUnresponsive"/>; it also counts as
    /// a timeout towards marking the server dead.
    /// </summary>
    public MemcacheTimeoutException Unresponsive(string operation, string? key)
    {
        var silent = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastProgress));
        int queued, inFlight;
        lock (_sync)
        {
            queued = _requests.Waiting;
            inFlight = _requests.InFlight;
        }
        var what = Protocol.ErrorText.Operation(operation, key);
        return new MemcacheTimeoutException(
            $"{what} failed without being sent: {_name} has answered nothing for {silent.TotalMilliseconds:0} ms (operation timeout {_options.OperationTimeout.TotalMilliseconds:0} ms) "
            + $"with {inFlight} request(s) in flight and {queued} queued, so nothing more is queued behind them. "
            + $"After {_options.ServerTimeoutLimit} consecutive timeouts the server is marked dead (MemcacheClientOptions.ServerTimeoutLimit).")
        {
            Server = _name, Operation = operation, Key = key, QueuedRequests = queued, InFlightRequests = inFlight, OldestWait = silent,
            NotSent = true,
        };
    }

    /// <summary>The error of a request that timed out: in flight, or still queued, and then never sent.</summary>
    private MemcacheTimeoutException TimedOut(Operation operation, TimeSpan waited, bool notSent, int queued, int inFlight, TimeSpan oldestWait, ConnectionStatus status)
    {
        var what = Protocol.ErrorText.Operation(operation.Name, operation.Key);
        var timing = $"{waited.TotalMilliseconds:0} ms (timeout {_options.OperationTimeout.TotalMilliseconds:0} ms)";
        var queues = $"{queued} request(s) queued, {inFlight} in flight, the oldest waited {oldestWait.TotalMilliseconds:0} ms; connection {status}.";
        var message = notSent
            ? $"Timed out after {timing} before {what} was sent to {_name}: {queues} It was not sent, so the server did not execute it."
            : $"Timed out after {timing} waiting for {what} on {_name}: {queues}";
        return new MemcacheTimeoutException(message)
        {
            Server = _name,
            Operation = operation.Name,
            Key = operation.Key,
            QueuedRequests = queued,
            InFlightRequests = inFlight,
            OldestWait = oldestWait,
            NotSent = notSent,
        };
    }

    private bool IsConnected()
    {
        lock (_sync)
        {
            return _status == ConnectionStatus.Connected;
        }
    }

    /// <summary>
    /// Runs on the client's <see cref="TimeoutSweeper"/> thread: fails requests older than the operation
    /// timeout and resets a connection whose server has gone silent with requests outstanding. Requests are
    /// queued in submission order, so the scan stops at the first one that is still within its time.
    /// A request that times out while the server has sent nothing for at least half the operation timeout
    /// is a silent timeout: it counts towards marking the server dead and makes the connection
    /// unresponsive. Any reply resets both; a server that is slow but still answering is never counted.
    /// The reader and writer are pool work items, so a starved pool must not pass for a silent server: requests
    /// waiting for the writer are judged as of <paramref name="poolCaughtUpTo"/>, and requests in flight only
    /// while the reader has taken everything that arrived (see <see cref="Session.ReaderCaughtUp"/>).
    /// </summary>
    public void Sweep(long now, long poolCaughtUpTo)
    {
        // Queued requests wait for the writer, a pool work item: judged as of what the pool has caught up to.
        var seen = Math.Min(now, poolCaughtUpTo);
        var timeoutTicks = (long)(_options.OperationTimeout.TotalSeconds * Stopwatch.Frequency);
        bool silent;
        // _lastProgress moves on every read, and when a request goes out to an idle connection.
        var progress = Volatile.Read(ref _lastProgress);
        if (progress != _progressSeenBySweep)
        {
            _progressSeenBySweep = progress;
            _unresponsive = false;
            _health.ReportResponsive();
        }
        if (_health.IsDead && IsConnected())
        {
            // A server marked dead (by timeouts, or through another connection) comes back only through a
            // probe: a session that survived the marking, perhaps answering again, would never run one.
            AbortSession(new MemcacheConnectionException($"{_name} is marked dead; the connection is reset and the server probed after its dead time.") { Server = _name });
            return;
        }
        int inFlightNow;
        lock (_sync)
        {
            if (_requests.IsIdle)
            {
                return;
            }
            inFlightNow = _requests.InFlight;
        }
        // In-flight requests wait for the reader. If it is not waiting on the socket, or the socket holds bytes
        // it has not taken, replies may be there unread: none is judged. Otherwise, on a socket, nothing had
        // arrived when it was checked; on another stream, by what the pool has caught up to. (Checked only when
        // something is in flight: on a socket it is a system call.)
        long? readSeenAt = null;
        var readerCaughtUp = inFlightNow > 0 && Volatile.Read(ref _session) is { } current && current.ReaderCaughtUp(out readSeenAt);
        var repliesSeen = readSeenAt ?? seen;
        bool stalled;
        ConnectionStatus status;
        RequestQueue.Expired found;
        lock (_sync)
        {
            status = _status;
            found = _requests.Expire(timeoutTicks, seen, readerCaughtUp ? repliesSeen : null, now);
            var silence = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastProgress), repliesSeen);
            stalled = _status == ConnectionStatus.Connected && readerCaughtUp && found.InFlight > 0 && silence > _options.StallTimeout;
            // Only a request that went out and got no reply says anything about the server.
            silent = _status == ConnectionStatus.Connected && found.ExpiredInFlight > 0 && silence >= _options.OperationTimeout / 2;
            if (silent && _options.ServerTimeoutLimit > 0)
            {
                // Set before the expired callers are failed, so that their next call already sees it.
                _unresponsive = true;
            }
        }
        var (expired, expiredInFlight, queued, inFlight, oldest) = (found.Operations, found.ExpiredInFlight, found.Waiting, found.InFlight, found.Oldest);

        MemcacheTimeoutException? lastTimeout = null;
        if (expired is not null)
        {
            // Requests in flight were judged as of the reader's check, which can be a moment after now: waits are
            // measured to whichever is later, so a reported wait is never shorter than the timeout it exceeded.
            var judgedAt = Math.Max(now, repliesSeen);
            var oldestWait = Stopwatch.GetElapsedTime(oldest, judgedAt);
            foreach (var operation in expired)
            {
                var waited = Stopwatch.GetElapsedTime(operation.EnqueuedAt, judgedAt);
                operation.TryFail(notSent => lastTimeout = TimedOut(operation, waited, notSent, queued, inFlight, oldestWait, status));
            }
            // Every one of them may have been answered or canceled meanwhile: the server's health still hears of it.
            lastTimeout ??= TimedOut(expired[^1], Stopwatch.GetElapsedTime(expired[^1].EnqueuedAt, judgedAt), false, queued, inFlight, oldestWait, status);
        }
        if (silent && _health.ReportTimeouts(expiredInFlight, lastTimeout!))
        {
            // Marked dead by these timeouts: reset, so that the server is probed after its dead time
            // instead of this silent session being trusted when it wakes.
            AbortSession(new TimeoutException(
                $"{_name} answered nothing for {Stopwatch.GetElapsedTime(progress, now).TotalMilliseconds:0} ms with {inFlight} request(s) in flight and is marked dead"));
        }
        else if (stalled)
        {
            var reason = new TimeoutException(
                $"{_name} sent nothing for more than {_options.StallTimeout.TotalMilliseconds:0} ms while {inFlight} request(s) awaited a reply");
            Log.Stalled(_logger, _name, inFlight, _options.StallTimeout.TotalMilliseconds);
            Telemetry.MemstoreInstruments.ConnectionEvent(Tags, ClientName, "stalled");
            AbortSession(reason);
        }
    }
}
