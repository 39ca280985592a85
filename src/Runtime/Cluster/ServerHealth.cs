using System.Diagnostics;

namespace Memstore.Cluster;

/// <summary>
/// The health of one server, shared by its connections. Consecutive failures (a failed connect or probe,
/// a lost connection) mark it dead once they reach the failure limit, and so do consecutive timeouts
/// (requests that expired while the server answered nothing) once they reach the timeout limit; a dead
/// server is left alone for the dead time, then probed again by its connections, and counts as alive
/// only after a probe is answered.
/// </summary>
internal sealed class ServerHealth
{
    private readonly object _sync = new();
    private readonly int _failureLimit;
    private readonly TimeSpan _deadTime;
    private readonly TimeProvider _clock;
    private readonly int _timeoutLimit;
    private int _consecutiveFailures;
    private int _consecutiveTimeouts;
    private bool _dead;
    private long _retryAtTimestamp;
    private DateTimeOffset _retryAt;
    private Exception? _lastFailure;
    private DeadPeriod? _deadState;
    private readonly string _serverName;
    private readonly TaskCompletionSource<Exception?> _firstOutcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ServerHealth(ServerAddress server, int failureLimit, TimeSpan deadTime, TimeProvider? clock = null, int timeoutLimit = 0)
    {
        Server = server;
        _serverName = server.ToString();
        _failureLimit = failureLimit;
        _timeoutLimit = timeoutLimit;
        _deadTime = deadTime;
        _clock = clock ?? TimeProvider.System;
    }

    public ServerAddress Server { get; }

    /// <summary>Raised outside the lock when the server is marked dead or comes back.</summary>
    public event Action<ServerHealthChangedEventArgs>? Changed;

    public bool IsDead => Volatile.Read(ref _dead);

    /// <summary>
    /// Completes when the first connect attempt has been decided: null when it was probed successfully, else
    /// why it failed. A server added at run time is published only once this is known.
    /// </summary>
    public Task<Exception?> FirstOutcome => _firstOutcome.Task;

    /// <summary>
    /// Marks the server dead now, whatever the failure count (a server added at run time that failed its first
    /// probe): its keys then follow the failover policy at once instead of failing as "unreachable" until the limit.
    /// </summary>
    public void MarkDead(Exception cause)
    {
        ServerHealthChangedEventArgs? change;
        lock (_sync)
        {
            _lastFailure = cause;
            change = MarkDeadLocked(cause);
        }
        if (change is not null)
        {
            Changed?.Invoke(change);
        }
    }

    public DateTimeOffset RetryAt
    {
        get
        {
            lock (_sync)
            {
                return _retryAt;
            }
        }
    }

    public Exception? LastFailure
    {
        get
        {
            lock (_sync)
            {
                return _lastFailure;
            }
        }
    }

    /// <summary>How long connections must wait before trying a dead server again (zero when alive).</summary>
    public TimeSpan TimeUntilRetry()
    {
        lock (_sync)
        {
            if (!_dead)
            {
                return TimeSpan.Zero;
            }
            var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _retryAtTimestamp);
            return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
        }
    }

    /// <summary>Counts a failure; <paramref name="markDead"/> marks the server dead at once, whatever the failure limit.</summary>
    public void ReportFailure(Exception cause, bool markDead = false)
    {
        _firstOutcome.TrySetResult(cause);
        ServerHealthChangedEventArgs? change = null;
        lock (_sync)
        {
            _lastFailure = cause;
            _consecutiveFailures++;
            if (_dead || markDead || _consecutiveFailures >= _failureLimit)
            {
                // Every failure while dead (a failed probe) starts a new dead period.
                change = MarkDeadLocked(cause);
            }
        }
        if (change is not null)
        {
            Changed?.Invoke(change);
        }
    }

    /// <summary>
    /// Counts requests that timed out (or were refused without being sent) while the server answered
    /// nothing. Returns whether the server is now dead. Timeouts while already dead change nothing: the
    /// connection is reset and its probe decides.
    /// </summary>
    public bool ReportTimeouts(int count, Exception cause)
    {
        if (_timeoutLimit == 0 || count <= 0)
        {
            return IsDead;
        }
        ServerHealthChangedEventArgs? change = null;
        lock (_sync)
        {
            if (_dead)
            {
                return true;
            }
            _consecutiveTimeouts += count;
            if (_consecutiveTimeouts >= _timeoutLimit)
            {
                _lastFailure = cause;
                change = MarkDeadLocked(cause);
            }
        }
        if (change is not null)
        {
            Changed?.Invoke(change);
        }
        return change is not null;
    }

    /// <summary>The server answered something: the timeouts counted so far were not consecutive.</summary>
    public void ReportResponsive()
    {
        if (Volatile.Read(ref _consecutiveTimeouts) != 0)
        {
            lock (_sync)
            {
                _consecutiveTimeouts = 0;
            }
        }
    }

    private ServerHealthChangedEventArgs? MarkDeadLocked(Exception cause)
    {
        _retryAtTimestamp = Stopwatch.GetTimestamp() + (long)(_deadTime.TotalSeconds * Stopwatch.Frequency);
        _retryAt = _clock.GetUtcNow() + _deadTime;
        Volatile.Write(ref _deadState, new DeadPeriod(_retryAt, cause));
        if (_dead)
        {
            return null;
        }
        Volatile.Write(ref _dead, true);
        return new ServerHealthChangedEventArgs(Server, isAlive: false, cause, _retryAt);
    }

    public void ReportSuccess()
    {
        _firstOutcome.TrySetResult(null);
        ServerHealthChangedEventArgs? change = null;
        lock (_sync)
        {
            _consecutiveFailures = 0;
            _consecutiveTimeouts = 0;
            if (_dead)
            {
                Volatile.Write(ref _dead, false);
                change = new ServerHealthChangedEventArgs(Server, isAlive: true, null, null);
            }
        }
        if (change is not null)
        {
            Changed?.Invoke(change);
        }
    }

    /// <summary>
    /// The error of a call refused because the server is marked dead. Built for the fail-fast path, which can
    /// run tens of thousands of times a second: no lock (reads the fields published when the server was marked
    /// dead) and no message until someone reads it.
    /// </summary>
    public ServerUnavailableException Unavailable(string operation, string? key) =>
        new(_serverName, operation, key, Volatile.Read(ref _deadState), _clock);

    /// <summary>The error of a call refused because this server is dead and so is <paramref name="gutter"/>, its key's gutter server.</summary>
    public ServerUnavailableException Unavailable(string operation, string? key, ServerHealth gutter) =>
        new(_serverName, operation, key, Volatile.Read(ref _deadState), _clock, gutter._serverName, Volatile.Read(ref gutter._deadState));
}

/// <summary>When a dead server is probed next and why it was marked dead; replaced whole on every marking.</summary>
internal sealed record DeadPeriod(DateTimeOffset RetryAt, Exception Cause);
