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
            Stream stream;
            try
            {
                stream = await _streamFactory.ConnectAsync(_server, _options.ConnectTimeout, shutdown).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Any connect failure is reported to the queued callers and retried.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                OnConnectFailed(ex, delay);
                if (!await DelayAsync(delay, shutdown).ConfigureAwait(false))
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
            lock (_sync)
            {
                if (_status == ConnectionStatus.Disposed)
                {
                    stream.Dispose();
                    return;
                }
                _stream = stream;
                _abortReason = null;
                _status = ConnectionStatus.Connected;
                _lastProgress = Stopwatch.GetTimestamp();
            }
            Log.Connected(_logger, _name);
            SetStatus(ConnectionStatus.Connected, null);
            _writeSignal.Set(); // requests queued while connecting

            var cause = await RunSessionAsync(stream).ConfigureAwait(false);
            OnSessionEnded(cause);
            if (!await DelayAsync(delay, shutdown).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Runs the reader and writer until either fails; returns why the session ended.</summary>
    private async Task<Exception> RunSessionAsync(Stream stream)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        var reader = ReadLoopAsync(stream);
        var writer = WriteLoopAsync(stream, session.Token);
        var first = await Task.WhenAny(reader, writer).ConfigureAwait(false);
        Exception cause;
        lock (_sync)
        {
            cause = _abortReason ?? first.Exception?.GetBaseException()
                ?? new EndOfStreamException($"{_name} closed the connection.");
        }
        await session.CancelAsync().ConfigureAwait(false);
        _writeSignal.Set();
        await stream.DisposeAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(reader, writer).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The second loop fails as a consequence of the first; its error adds nothing.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        return cause;
    }

    private void OnSessionEnded(Exception cause)
    {
        Operation[] lost;
        bool disposed;
        lock (_sync)
        {
            _stream = null;
            disposed = _status == ConnectionStatus.Disposed;
            if (!disposed)
            {
                _status = ConnectionStatus.Connecting;
            }
            lost = [.. _inFlight];
            _inFlight.Clear();
        }
        var pending = lost.Count(static op => !op.IsCompleted);
        if (!disposed)
        {
            Log.ConnectionLost(_logger, _name, pending, cause);
            SetStatus(ConnectionStatus.Connecting, cause);
        }
        foreach (var operation in lost)
        {
            operation.TryFail(Wrap(cause, operation, pending));
            Drop(operation);
        }
    }

    private MemcacheConnectionException Wrap(Exception cause, Operation operation, int inFlight)
    {
        var key = operation.Key is null ? "" : $" of key {Protocol.KeyCodec.Describe(operation.Key)}";
        return new MemcacheConnectionException(
            $"The connection to {_name} was lost while '{operation.Name}'{key} was in flight ({cause.Message}). "
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
            queued = [.. _sendQueue];
            _sendQueue.Clear();
        }
        Log.ConnectFailed(_logger, _name, retryDelay.TotalMilliseconds, error);
        SetStatus(ConnectionStatus.Down, error);
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
        Stream? stream;
        lock (_sync)
        {
            _abortReason ??= reason;
            stream = _stream;
        }
        // Disposing the stream closes the socket, which wakes the reader with an error.
        stream?.Dispose();
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
