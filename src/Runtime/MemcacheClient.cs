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
    private ClusterTopology _topology; // replaced whole by a membership change (MemcacheClient.Membership.cs)
    private readonly ClusterTopology? _gutter; // FailoverPolicy.Gutter's pool: fixed for the client's life
    private readonly uint _gutterMaxTtl;
    private readonly ConnectionOpener _opener; // every server connection's: stream, TLS, authentication, probe
    private readonly TimeoutSweeper _sweeper;
    private readonly System.Collections.Concurrent.ConcurrentQueue<ServerHealthChangedEventArgs> _healthChanges = new();
    private int _raisingHealthChanges;
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
        _opener = ConnectionOpener.Create(_options);
        _keyMode = _options.KeyMode;
        _maxValueSize = (uint)_options.MaxValueSize;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Memstore");
        var servers = _options.Servers.ToArray();
        _sweeper = new TimeoutSweeper(_options.OperationTimeout);
        _topology = new ClusterTopology(servers, Array.ConvertAll(servers, CreateNode), _options.Distribution);
        _topology.RefreshAlive(); // a server marked dead while the list was being built (no topology to tell yet)
        if (_options.Failover == FailoverPolicy.Gutter)
        {
            var gutter = _options.GutterServers.ToArray();
            _gutter = new ClusterTopology(gutter, Array.ConvertAll(gutter, CreateNode), _options.Distribution);
            _gutterMaxTtl = _options.GutterMaxTtl;
        }
        Telemetry.MemstoreInstruments.Register(this);
        if (_options.AutoDiscovery is { } discovery)
        {
            _discovery = new DiscoveryPoller(this, discovery, _opener, _options.OperationTimeout, _logger);
        }
    }

    /// <summary>A node for a server: connecting from now on, its health changes reported to this client.</summary>
    private ServerNode CreateNode(ServerAddress server)
    {
        var node = new ServerNode(server, _options, _opener, _sweeper, _logger);
        foreach (var connection in node.Connections)
        {
            connection.ClientName = _telemetryName;
        }
        node.Health.Changed += change => OnHealthChanged(node, change);
        return node;
    }

    /// <summary>Creates a client from a connection string <c>host:port[,host:port...]</c> with default options.</summary>
    public static MemcacheClient Create(string connectionString, ILoggerFactory? loggerFactory = null) =>
        new(MemcacheClientOptions.Parse(connectionString), loggerFactory);

    /// <summary>The servers of the cluster, in list order: as configured, or as last set by <see cref="UpdateServersAsync"/>.</summary>
    public IReadOnlyList<ServerAddress> Servers => Volatile.Read(ref _topology).ServerList;

    /// <summary>The server a key is stored on (no I/O), on the current server list; the same for a string and its UTF-8 bytes.</summary>
    /// <param name="key">The key, as a string or as UTF-8 bytes.</param>
    public ServerAddress Locate(MemcacheKey key)
    {
        Span<byte> scratch = stackalloc byte[ScratchFor(key)];
        var bytes = Validate(key, scratch).Bytes;
        var topology = Volatile.Read(ref _topology);
        return topology.Servers[topology.Locator.Locate(bytes)];
    }

    /// <summary>The gutter pool (<see cref="FailoverPolicy.Gutter"/>) in list order; empty under the other policies.</summary>
    public IReadOnlyList<ServerAddress> GutterServers => _gutter?.ServerList ?? [];

    /// <summary>The primaries' nodes, then the gutter pool's: every server the client talks to.</summary>
    private ServerNode[] AllNodes => _gutter is null ? Volatile.Read(ref _topology).Nodes : [.. Volatile.Read(ref _topology).Nodes, .. _gutter.Nodes];

    /// <summary>How many servers the current list holds.</summary>
    private int ServerCount => Volatile.Read(ref _topology).Nodes.Length;

    /// <summary>Closes every connection. Requests not yet sent fail with <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        Telemetry.MemstoreInstruments.Unregister(this);
        await StopMembershipChangesAsync().ConfigureAwait(false);
        foreach (var node in AllNodes)
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

    /// <summary>Whether each server of the current list is in service, in list order, then each gutter server's (<see cref="FailoverPolicy.Gutter"/>).</summary>
    public IReadOnlyDictionary<ServerAddress, bool> ServerHealth => AllNodes.ToDictionary(static n => n.Address, static n => !n.Health.IsDead);

    private void OnHealthChanged(ServerNode node, ServerHealthChangedEventArgs change)
    {
        if (node.IsRemoved)
        {
            return; // a server that left the list: it is draining or closed, and routes nothing
        }
        Volatile.Read(ref _topology)?.RefreshAlive(); // null only while the constructor builds the first list
        _gutter?.RefreshAlive();
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
        return SubmitPrepared(operation, connection, cancellationToken);
    }

    /// <summary>Submits a prepared operation; a failure to submit arrives through the returned task.</summary>
    private static ValueTask SubmitPrepared(Operation operation, Connection connection, CancellationToken cancellationToken)
    {
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
