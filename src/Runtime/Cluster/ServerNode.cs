using Memstore.Transport;
using Microsoft.Extensions.Logging;

namespace Memstore.Cluster;

/// <summary>One server of the cluster and its connection(s). Requests are spread over the connections in turn.</summary>
internal sealed class ServerNode : IAsyncDisposable
{
    private readonly Connection[] _connections;
    private uint _next;

    public ServerNode(ServerAddress address, MemcacheClientOptions options, ConnectionOpener opener, TimeoutSweeper sweeper, ILogger logger)
    {
        Address = address;
        Health = new ServerHealth(address, options.ServerFailureLimit, options.DeadTime, timeoutLimit: options.ServerTimeoutLimit);
        _connections = new Connection[options.ConnectionsPerServer];
        for (var i = 0; i < _connections.Length; i++)
        {
            _connections[i] = new Connection(address, options, opener, Health, sweeper, logger);
        }
    }

    public ServerAddress Address { get; }

    /// <summary>The server's telemetry tags, built once.</summary>
    public Telemetry.ServerTags Tags => _connections[0].Tags;

    /// <summary>Shared by the server's connections: they report failures and successful probes to it.</summary>
    public ServerHealth Health { get; }

    public IReadOnlyList<Connection> Connections => _connections;

    public Connection NextConnection() =>
        _connections.Length == 1 ? _connections[0] : _connections[Interlocked.Increment(ref _next) % (uint)_connections.Length];

    /// <summary>Requests the node's connections hold, queued plus in flight (what a removed server still has to answer).</summary>
    public int Outstanding
    {
        get
        {
            var total = 0;
            foreach (var connection in _connections)
            {
                total += connection.Outstanding;
            }
            return total;
        }
    }

    /// <summary>Set when the server leaves the client's list (at the swap): its health changes no longer concern anyone.</summary>
    public bool IsRemoved => Volatile.Read(ref _removed);

    private bool _removed;

    public void MarkRemoved() => Volatile.Write(ref _removed, true);

    /// <summary>Closes the connections of a removed server; requests that reach it afterwards fail with <paramref name="because"/>.</summary>
    public async ValueTask CloseRemovedAsync(string because)
    {
        MarkRemoved();
        foreach (var connection in _connections)
        {
            await connection.RetireAsync(because).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
