using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Memstore.Transport;

/// <summary>The life stage of a connection.</summary>
internal enum ConnectionStatus
{
    /// <summary>Opening the socket; requests queue and are sent once it is open.</summary>
    Connecting,
    /// <summary>Open: requests are written in batches and answered in order.</summary>
    Connected,
    /// <summary>The last connect attempt failed; requests fail at once until the next attempt starts.</summary>
    Down,
    /// <summary>Disposed.</summary>
    Disposed,
}

/// <summary>
/// One multiplexed connection to one server, shared by every caller, and its lifecycle: connect, probe, a
/// <see cref="Session"/> per successful connect (which writes queued requests in coalesced writes, or a caller's
/// inline when idle, and reads the replies in order), backoff and dead time. Requests wait in its
/// <see cref="RequestQueue"/>; the client's <see cref="TimeoutSweeper"/> expires them. A lost session fails
/// exactly the requests in flight; requests not yet written wait for the next session.
/// </summary>
internal sealed partial class Connection : IAsyncDisposable
{
    private readonly ServerAddress _server;
    private readonly string _name;
    private readonly MemcacheClientOptions _options;
    private readonly ConnectionOpener _opener;
    private readonly ILogger _logger;
    private readonly Cluster.ServerHealth _health;
    private readonly RequestQueue _requests;
    private readonly object _sync;
    private readonly AsyncSignal _writeSignal = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TimeoutSweeper _sweeper;
    private readonly Task _lifecycle;

    private ConnectionStatus _status = ConnectionStatus.Connecting;
    private Exception? _lastConnectError;
    private long _retryAt;
    private long _lastProgress;
    private Session? _session; // the current session while Connected (guarded by _sync)
    private int _callersBehind;
    private string? _retiredBecause; // why requests are refused once the server has left the client's list

    public Connection(ServerAddress server, MemcacheClientOptions options, ConnectionOpener opener, Cluster.ServerHealth health, TimeoutSweeper sweeper, ILogger logger)
    {
        _health = health;
        _server = server;
        _name = server.ToString();
        _options = options;
        _opener = opener;
        _logger = logger;
        Tags = new Telemetry.ServerTags(server);
        _requests = new RequestQueue(options.MaxQueuedRequestsPerConnection);
        _sync = _requests.Sync;
        _sweeper = sweeper;
        sweeper.Add(this);
        _lifecycle = Task.Run(RunAsync);
    }


    /// <summary>The opaque tokens this connection's requests carry (see <see cref="OpaqueCounter"/>).</summary>
    public OpaqueCounter Opaques { get; } = new();

    /// <summary>The server's telemetry tags, built once.</summary>
    public Telemetry.ServerTags Tags { get; }

    /// <summary>The client's name in telemetry (<c>memstore.client.name</c>).</summary>
    public string ClientName { get; set; } = "default";

    /// <summary>Requests the connection holds, queued plus in flight (for the queue-depth gauge).</summary>
    public int Outstanding
    {
        get
        {
            lock (_sync)
            {
                return _requests.Waiting + _requests.InFlight;
            }
        }
    }


    /// <summary>
    /// Queues a prepared operation, or writes it inline when the connection is idle (see
    /// <see cref="Session.TryClaimInlineWrite(Operation)"/>). Completes synchronously unless the connection is full, in which case it
    /// waits for room (back-pressure) within the operation timeout. Throws without queuing when the server
    /// is known to be down.
    /// </summary>
    public ValueTask SubmitAsync(Operation operation, CancellationToken cancellationToken)
    {
        operation.EnqueuedAt = Stopwatch.GetTimestamp();
        operation.Server = _name;
        operation.MaxValueLength = _options.EffectiveMaxResponseValueSize;
        if (_requests.TryReserve())
        {
            Enqueue(operation);
            return default;
        }
        return WaitForRoomAsync(operation, cancellationToken);
    }

    private async ValueTask WaitForRoomAsync(Operation operation, CancellationToken cancellationToken)
    {
        bool entered;
        try
        {
            entered = await _requests.WaitForRoomAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            operation.AbandonConnectionReference();
            throw;
        }
        if (!entered)
        {
            operation.AbandonConnectionReference();
            int queued, inFlight;
            lock (_sync)
            {
                queued = _requests.Waiting;
                inFlight = _requests.InFlight;
            }
            throw new MemcacheTimeoutException(
                $"Timed out after {_options.OperationTimeout.TotalMilliseconds:0} ms waiting for room to queue {Protocol.ErrorText.Operation(operation.Name, operation.Key)} on {_name}: "
                + $"the connection already holds its limit of {_options.MaxQueuedRequestsPerConnection} requests ({queued} queued, {inFlight} in flight).")
            {
                Server = _name, Operation = operation.Name, Key = operation.Key, QueuedRequests = queued, InFlightRequests = inFlight,
                OldestWait = _options.OperationTimeout,
            };
        }
        Enqueue(operation);
    }

    private void Enqueue(Operation operation)
    {
        Session? inline;
        lock (_sync)
        {
            if (_status is ConnectionStatus.Down or ConnectionStatus.Disposed)
            {
                _requests.Unreserve();
                operation.AbandonConnectionReference();
                throw _status != ConnectionStatus.Disposed ? DownException(operation.Name, operation.Key, 1)
                    : _retiredBecause is { } retired ? RetiredException(operation, retired)
                    : new ObjectDisposedException(nameof(MemcacheClient), $"The client is disposed; '{operation.Name}' was not sent to {_name}.");
            }
            inline = WritableSession is { } session && session.TryClaimInlineWrite(operation) ? session : null;
            if (inline is null)
            {
                _requests.Enqueue(operation);
            }
        }
        if (inline is null)
        {
            _writeSignal.Set();
        }
        else
        {
            inline.WriteInline(operation);
        }
    }

    private MemcacheException DownException(string operation, string? key, int affected)
    {
        var retryIn = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _retryAt);
        var what = operation.Length > 0
            ? Protocol.ErrorText.Operation(operation, key)
            : affected == 1 ? "1 queued request" : $"{affected} queued requests";
        var message = $"{_name} is unreachable: the last connect attempt failed ({_lastConnectError?.Message}); {what} failed without being sent. "
            + $"Next attempt in {Math.Max(0, retryIn.TotalMilliseconds):0} ms.";
        // Refused credentials stay recognisable to callers: they need a configuration change, not a retry.
        return _lastConnectError is MemcacheAuthenticationException
            ? new MemcacheAuthenticationException(message, _lastConnectError) { Server = _name, NotSent = true }
            : new MemcacheConnectionException(message, _lastConnectError) { Server = _name, NotSent = true };
    }

    /// <summary>Drops an operation the connection holds: frees its queue slot and its reference.</summary>
    private void Drop(Operation operation) => _requests.Drop(operation);

    /// <summary>Under <see cref="_sync"/>: the session requests are written to now, if the connection is connected.</summary>
    private Session? WritableSession => _status == ConnectionStatus.Connected ? _session : null;

    /// <summary>Under <see cref="_sync"/>: whether <paramref name="session"/> is the one this connection writes to now.</summary>
    public bool IsCurrent(Session session) => ReferenceEquals(WritableSession, session);

    /// <summary>A request went out to an idle connection: silence is measured from now (stall detection).</summary>
    public void NoteProgress() => Volatile.Write(ref _lastProgress, Stopwatch.GetTimestamp());

    /// <summary>The reader took bytes from the server: it is not silent, and calls may queue behind it at once.</summary>
    public void NoteReplies()
    {
        Volatile.Write(ref _lastProgress, Stopwatch.GetTimestamp());
        if (_unresponsive)
        {
            _unresponsive = false; // it answers again: no need to wait for the next sweep
        }
    }

    /// <summary>
    /// Set by <see cref="CompletionBatch"/> before it resumes each caller: how many of its callers are still to be
    /// resumed behind that one. While others wait, a caller's next request is queued for the writer loop rather
    /// than written inline, so that theirs share one write. A hint, written without interlocking: two batches of
    /// the connection resuming at once may overwrite each other's count, which changes only who writes.
    /// </summary>
    public void SetCallersBehind(int count) => Volatile.Write(ref _callersBehind, count);

    /// <summary>Whether callers of a completion batch of this connection are still to be resumed.</summary>
    public bool CallersWaiting => Volatile.Read(ref _callersBehind) > 0;

    /// <summary>Counts a connection event; health itself is tracked by the server's <see cref="Cluster.ServerHealth"/>.</summary>
    private void ReportEvent(ConnectionStatus status) =>
        Telemetry.MemstoreInstruments.ConnectionEvent(Tags, ClientName, status switch
        {
            ConnectionStatus.Connected => "connected",
            ConnectionStatus.Down => "connect_failed",
            _ => "lost",
        });

    private MemcacheConnectionException RetiredException(Operation operation, string retired) =>
        new($"{Protocol.ErrorText.Operation(operation.Name, operation.Key)} was not sent: {retired}") { Server = _name };

    /// <summary>
    /// Closes the connection of a server that left the client's server list; a request that reaches it afterwards
    /// (routed just before the change) fails with <paramref name="because"/> instead of "the client is disposed".
    /// </summary>
    public ValueTask RetireAsync(string because)
    {
        Volatile.Write(ref _retiredBecause, because);
        return DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Operation[] abandoned;
        lock (_sync)
        {
            if (_status == ConnectionStatus.Disposed)
            {
                return;
            }
            _status = ConnectionStatus.Disposed;
            abandoned = _requests.TakeAllWaiting();
        }
        await _shutdown.CancelAsync().ConfigureAwait(false);
        _sweeper.Remove(this);
        _writeSignal.Set();
        AbortSession(new ObjectDisposedException(nameof(MemcacheClient)));
        try
        {
            await _lifecycle.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var operation in abandoned)
        {
            operation.TryFail(_retiredBecause is { } retired ? RetiredException(operation, retired)
                : new ObjectDisposedException(nameof(MemcacheClient), $"The client was disposed before '{operation.Name}' was sent to {_name}."));
            Drop(operation);
        }
        _shutdown.Dispose();
    }
}
