using System.Diagnostics;

namespace Memstore.Cluster;

/// <summary>
/// The health of one server, shared by its connections. Consecutive failures (a failed connect or probe,
/// a lost connection) mark it dead once they reach the limit; a dead server is left alone for the dead
/// time, then probed again by its connections, and counts as alive only after a probe is answered.
/// </summary>
internal sealed class ServerHealth
{
    private readonly object _sync = new();
    private readonly int _failureLimit;
    private readonly TimeSpan _deadTime;
    private readonly TimeProvider _clock;
    private int _consecutiveFailures;
    private bool _dead;
    private long _retryAtTimestamp;
    private DateTimeOffset _retryAt;
    private Exception? _lastFailure;

    public ServerHealth(ServerAddress server, int failureLimit, TimeSpan deadTime, TimeProvider? clock = null)
    {
        Server = server;
        _failureLimit = failureLimit;
        _deadTime = deadTime;
        _clock = clock ?? TimeProvider.System;
    }

    public ServerAddress Server { get; }

    /// <summary>Raised outside the lock when the server is marked dead or comes back.</summary>
    public event Action<ServerHealthChangedEventArgs>? Changed;

    public bool IsDead => Volatile.Read(ref _dead);

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

    public void ReportFailure(Exception cause)
    {
        ServerHealthChangedEventArgs? change = null;
        lock (_sync)
        {
            _lastFailure = cause;
            _consecutiveFailures++;
            if (_dead || _consecutiveFailures >= _failureLimit)
            {
                // Every failure while dead (a failed probe) starts a new dead period.
                _retryAtTimestamp = Stopwatch.GetTimestamp() + (long)(_deadTime.TotalSeconds * Stopwatch.Frequency);
                _retryAt = _clock.GetUtcNow() + _deadTime;
                if (!_dead)
                {
                    Volatile.Write(ref _dead, true);
                    change = new ServerHealthChangedEventArgs(Server, isAlive: false, cause, _retryAt);
                }
            }
        }
        if (change is not null)
        {
            Changed?.Invoke(change);
        }
    }

    public void ReportSuccess()
    {
        ServerHealthChangedEventArgs? change = null;
        lock (_sync)
        {
            _consecutiveFailures = 0;
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

    public ServerUnavailableException Unavailable(string operation, string? key)
    {
        DateTimeOffset retryAt;
        Exception? cause;
        lock (_sync)
        {
            retryAt = _retryAt;
            cause = _lastFailure;
        }
        var what = key is null ? $"'{operation}'" : $"'{operation}' of key {Protocol.KeyCodec.Describe(key)}";
        var wait = retryAt - _clock.GetUtcNow();
        return new ServerUnavailableException(
            $"{Server} is marked dead ({cause?.Message ?? "repeated failures"}); {what} failed without being sent. "
            + $"It will be probed again at {retryAt:HH:mm:ss.fff} UTC (in {Math.Max(0, wait.TotalMilliseconds):0} ms). "
            + "Set MemcacheClientOptions.Failover = FailoverPolicy.Redistribute to move its keys to live servers instead.",
            retryAt, cause)
        { Server = Server.ToString() };
    }
}
