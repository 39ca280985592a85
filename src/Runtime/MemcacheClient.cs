using Memstore.Cluster;
using Memstore.Protocol;
using Memstore.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Memstore;

/// <summary>
/// A client for a memcached cluster on the meta protocol. Create one per cluster and share it: every
/// server gets one multiplexed connection (or <see cref="MemcacheClientOptions.ConnectionsPerServer"/>)
/// that all callers pipeline through. Thread-safe. Misses, "not stored" and CAS conflicts are results;
/// invalid input, server errors, timeouts and lost connections are exceptions that say what happened.
/// </summary>
public sealed partial class MemcacheClient : IAsyncDisposable
{
    private readonly MemcacheClientOptions _options;
    private readonly ServerNode[] _nodes;
    private readonly TimeoutSweeper _sweeper;
    private readonly System.Collections.Concurrent.ConcurrentQueue<ServerHealthChangedEventArgs> _healthChanges = new();
    private int _raisingHealthChanges;
    private readonly NodeLocator _locator;
    private readonly KeyMode _keyMode;
    private readonly uint _maxValueSize;
    private readonly ILogger _logger;
    private int _disposed;

    /// <summary>Creates a client and starts connecting to every server in the background.</summary>
    /// <param name="options">The configuration; validated here, and copied so later changes have no effect.</param>
    /// <param name="loggerFactory">Where connection events are logged; none by default.</param>
    public MemcacheClient(MemcacheClientOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
        var opener = ConnectionOpener.Create(_options);
        _keyMode = _options.KeyMode;
        _maxValueSize = (uint)_options.MaxValueSize;
        var logger = _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Memstore");
        var servers = _options.Servers.ToArray();
        _locator = new NodeLocator(servers, _options.Distribution);
        _nodes = new ServerNode[servers.Length];
        _sweeper = new TimeoutSweeper(_options.OperationTimeout);
        for (var i = 0; i < servers.Length; i++)
        {
            _nodes[i] = new ServerNode(servers[i], _options, opener, _sweeper, logger);
            var index = i;
            _nodes[i].Health.Changed += change => OnHealthChanged(index, change);
        }
        Telemetry.MemstoreInstruments.Register(this);
    }

    /// <summary>Creates a client from a connection string <c>host:port[,host:port...]</c> with default options.</summary>
    public static MemcacheClient Create(string connectionString, ILoggerFactory? loggerFactory = null) =>
        new(MemcacheClientOptions.Parse(connectionString), loggerFactory);

    /// <summary>The servers of the cluster, in configuration order.</summary>
    public IReadOnlyList<ServerAddress> Servers => _options.Servers.AsReadOnly();

    /// <summary>The server a key is stored on (no I/O); the same for a string and its UTF-8 bytes.</summary>
    /// <param name="key">The key, as a string or as UTF-8 bytes.</param>
    public ServerAddress Locate(MemcacheKey key)
    {
        Span<byte> scratch = stackalloc byte[ScratchFor(key)];
        return _nodes[_locator.Locate(Validate(key, scratch).Bytes)].Address;
    }

    /// <summary>Closes every connection. Requests not yet sent fail with <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        Telemetry.MemstoreInstruments.Unregister(this);
        foreach (var node in _nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
        _sweeper.Dispose();
    }

    /// <summary>
    /// Raised when a server is marked dead or comes back after a successful probe: on a pool thread, one
    /// change at a time and in the order they happened. A slow handler delays later changes, never the client.
    /// </summary>
    public event EventHandler<ServerHealthChangedEventArgs>? ServerHealthChanged;

    /// <summary>Whether each server is currently in service, in configuration order.</summary>
    public IReadOnlyDictionary<ServerAddress, bool> ServerHealth => _nodes.ToDictionary(static n => n.Address, static n => !n.Health.IsDead);

    private void OnHealthChanged(int index, ServerHealthChangedEventArgs change)
    {
        _locator.SetAlive(index, change.IsAlive);
        if (change.IsAlive)
        {
            Log.ServerBack(_logger, change.Server);
        }
        else
        {
            Log.ServerDead(_logger, change.Server, change.RetryAt!.Value, _options.Failover, change.Cause);
        }
        // Changes are noticed on the client's own threads (the timeout sweeper, a connection's lifecycle);
        // subscribers run elsewhere, so that one that blocks cannot hold up timeouts.
        _healthChanges.Enqueue(change);
        if (Interlocked.Exchange(ref _raisingHealthChanges, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static client => client.RaiseHealthChanges(), this, preferLocal: false);
        }
    }

    private void RaiseHealthChanges()
    {
        while (true)
        {
            while (_healthChanges.TryDequeue(out var change))
            {
                try
                {
                    ServerHealthChanged?.Invoke(this, change);
                }
#pragma warning disable CA1031 // A faulty subscriber must not break health tracking.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Log.StatusListenerFailed(_logger, change.Server.ToString(), ex);
                }
            }
            Volatile.Write(ref _raisingHealthChanges, 0);
            // A change queued after the loop emptied the queue but before the flag dropped is raised here.
            if (_healthChanges.IsEmpty || Interlocked.Exchange(ref _raisingHealthChanges, 1) != 0)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Hands the operation to its connection and returns the awaitable of its outcome. With a metrics or
    /// trace listener attached the operation is measured (see MemcacheClient.Telemetry.cs); without one this
    /// is the whole cost: a few flag reads.
    /// </summary>
    private ValueTask SendAsync(Operation operation, Connection connection, CancellationToken cancellationToken) =>
        Telemetry.MemstoreInstruments.OperationsObserved
            ? SendObservedAsync(operation, connection, cancellationToken)
            : SendCoreAsync(operation, connection, cancellationToken);

    private static ValueTask SendCoreAsync(Operation operation, Connection connection, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            operation.AbandonConnectionReference();
            return ValueTask.FromCanceled(cancellationToken);
        }
        operation.Prepare(cancellationToken);
        ValueTask submitted;
        try
        {
            submitted = connection.SubmitAsync(operation, cancellationToken);
        }
#pragma warning disable CA1031 // Not the caller's mistake (the server is down, the client disposed): delivered through the task.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ValueTask.FromException(ex);
        }
        return submitted.IsCompletedSuccessfully ? operation.AsValueTask() : AwaitSubmitThenResult(submitted, operation);

        static async ValueTask AwaitSubmitThenResult(ValueTask submitted, Operation operation)
        {
            await submitted.ConfigureAwait(false);
            await operation.AsValueTask().ConfigureAwait(false);
        }
    }
}
