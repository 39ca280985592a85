using System.Diagnostics;

namespace Memstore.Transport;

internal sealed partial class Connection
{
    private async Task RunAsync()
    {
        var delay = _options.ReconnectDelay;
        var shutdown = _shutdown.Token;
        while (!shutdown.IsCancellationRequested)
        {
            if (!await WaitOutDeadTimeAsync(shutdown).ConfigureAwait(false))
            {
                return;
            }
            Stream stream;
            try
            {
                // Open the stream, then TLS, authentication and the probe, within the connect timeout (ConnectionOpener).
                (stream, Settings) = await _opener.OpenAsync(_server, _name, shutdown).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Any connect failure is reported to the queued callers and retried.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // A wrong password or an untrusted certificate marks the server dead at once: retries go at the dead-server pace.
                _health.ReportFailure(ex, markDead: ex is MemcacheException { MarksServerDead: true });
                var retryIn = TimeSpan.FromTicks(Math.Max(delay.Ticks, _health.TimeUntilRetry().Ticks));
                OnConnectFailed(ex, retryIn);
                if (!await DelayAsync(retryIn, shutdown).ConfigureAwait(false))
                {
                    return;
                }
                delay = NextDelay(delay);
                lock (_sync)
                {
                    if (_status == ConnectionStatus.Down)
                    {
                        _status = ConnectionStatus.Connecting;
                    }
                }
                continue;
            }

            delay = _options.ReconnectDelay;
            _health.ReportSuccess();
            Session session;
            lock (_sync)
            {
                if (_status == ConnectionStatus.Disposed)
                {
                    stream.Dispose();
                    return;
                }
                session = _session = new Session(this, _requests, stream, _writeSignal);
                _status = ConnectionStatus.Connected;
                _lastProgress = Stopwatch.GetTimestamp();
            }
            Log.Connected(_logger, _name);
            ReportEvent(ConnectionStatus.Connected);
            _writeSignal.Set(); // requests queued while connecting

            var cause = await session.RunAsync(_shutdown.Token).ConfigureAwait(false);
            if (!shutdown.IsCancellationRequested)
            {
                _health.ReportFailure(cause);
            }
            OnSessionEnded(cause);
            if (!await DelayAsync(delay, shutdown).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>
    /// While the server is marked dead, stays down (callers fail at once instead of waiting for a connect)
    /// until its dead time is over. Returns false on shutdown.
    /// </summary>
    private async Task<bool> WaitOutDeadTimeAsync(CancellationToken shutdown)
    {
        var wait = _health.TimeUntilRetry();
        if (wait <= TimeSpan.Zero)
        {
            return true;
        }
        Operation[] queued = [];
        lock (_sync)
        {
            if (_status == ConnectionStatus.Connecting)
            {
                _status = ConnectionStatus.Down;
                _lastConnectError = _health.LastFailure;
                _retryAt = Stopwatch.GetTimestamp() + (long)(wait.TotalSeconds * Stopwatch.Frequency);
                queued = _requests.TakeAllWaiting();
            }
        }
        if (queued.Length > 0)
        {
            var failure = DownException("", null, queued.Length);
            foreach (var operation in queued)
            {
                operation.TryFail(failure);
                Drop(operation);
            }
        }
        if (!await DelayAsync(wait, shutdown).ConfigureAwait(false))
        {
            return false;
        }
        lock (_sync)
        {
            if (_status == ConnectionStatus.Down)
            {
                _status = ConnectionStatus.Connecting;
            }
        }
        return true;
    }

    /// <summary>What the server said about itself in its last probe (null until the first; replaced whole, so reads are atomic).</summary>
    public ServerSettings? Settings { get; private set; }

    /// <summary>The server as <c>host:port</c>.</summary>
    public string Name => _name;

    private void OnSessionEnded(Exception cause)
    {
        List<Operation> lost;
        bool disposed;
        lock (_sync)
        {
            _session = null;
            _unresponsive = false;
            disposed = _status == ConnectionStatus.Disposed;
            if (!disposed)
            {
                _status = ConnectionStatus.Connecting;
            }
            // A linked request whose predecessor went out on this session must not go out alone on the next one.
            lost = _requests.TakeLostWithSession();
        }
        var pending = lost.Count(static op => !op.IsCompleted);
        if (!disposed)
        {
            Log.ConnectionLost(_logger, _name, pending, cause);
            ReportEvent(ConnectionStatus.Connecting);
        }
        foreach (var operation in lost)
        {
            operation.TryFail(notSent => Wrap(cause, operation, pending, notSent));
            Drop(operation);
        }
    }

    private MemcacheException Wrap(Exception cause, Operation operation, int inFlight, bool notSent)
    {
        var what = Protocol.ErrorText.Operation(operation.Name, operation.Key);
        if (notSent)
        {
            // A linked request still queued behind one that went out on the lost session (RequestQueue.TakeLostWithSession).
            return new MemcacheConnectionException(
                $"The connection to {_name} was lost before {what} was sent ({cause.Message}). It may go out only right behind "
                + "the request queued before it, which was on the lost connection; it was not sent, so the server did not execute it.", cause)
            { Server = _name, NotSent = true };
        }
        if (cause is MemcacheProtocolException)
        {
            // The stream went out of step: every request in flight fails with the protocol error itself.
            return new MemcacheProtocolException(
                $"The connection to {_name} was reset while {what} was in flight: {cause.Message} "
                + $"{inFlight} request(s) in flight failed; the server may or may not have applied them.", cause)
            { Server = _name };
        }
        return new MemcacheConnectionException(
            $"The connection to {_name} was lost while {what} was in flight ({cause.Message}). "
            + $"{inFlight} request(s) in flight failed; the server may or may not have applied them. The client reconnects automatically.", cause)
        { Server = _name };
    }

    private void OnConnectFailed(Exception error, TimeSpan retryDelay)
    {
        Operation[] queued;
        lock (_sync)
        {
            if (_status == ConnectionStatus.Disposed)
            {
                return;
            }
            _status = ConnectionStatus.Down;
            _lastConnectError = error;
            _retryAt = Stopwatch.GetTimestamp() + (long)(retryDelay.TotalSeconds * Stopwatch.Frequency);
            queued = _requests.TakeAllWaiting();
        }
        Log.ConnectFailed(_logger, _name, retryDelay.TotalMilliseconds, error);
        ReportEvent(ConnectionStatus.Down);
        var failure = DownException("", null, queued.Length);
        foreach (var operation in queued)
        {
            operation.TryFail(failure);
            Drop(operation);
        }
    }

    /// <summary>Ends the current session, if any, so the lifecycle loop fails in-flight requests and reconnects.</summary>
    private void AbortSession(Exception reason)
    {
        Session? session;
        lock (_sync)
        {
            session = _session;
        }
        session?.Abort(reason);
    }

    private TimeSpan NextDelay(TimeSpan delay)
    {
        var doubled = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
        // Jitter keeps many clients from reconnecting to a recovering server in lockstep.
        return doubled * (0.8 + (Random.Shared.NextDouble() * 0.4));
    }

    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
