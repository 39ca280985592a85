using System.Diagnostics;
using Memstore.Cluster;

namespace Memstore;

public sealed partial class MemcacheClient
{
    /// <summary>How long a removed server's requests may take beyond the operation timeout before its connections close anyway.</summary>
    private static readonly TimeSpan DrainMargin = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a removed server keeps taking requests even once it holds none: a call that read the old list
    /// just before the swap is still formatting its request and submits it within this time.
    /// </summary>
    private static readonly TimeSpan RouteGrace = TimeSpan.FromMilliseconds(100);

    private readonly SemaphoreSlim _membershipLock = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly Dictionary<ServerNode, Task> _draining = [];
    private readonly DiscoveryPoller? _discovery;

    /// <summary>The configuration-reload subscription of a client built by DI; ends with the client.</summary>
    internal IDisposable? OptionsSubscription { get; set; }

    /// <summary>What applies configuration reloads to a client built by DI (tests await its <c>Applying</c>).</summary>
    internal DependencyInjection.MemcacheClientReloader? Reloader { get; set; }

    /// <summary>The auto-discovery poller, when <see cref="MemcacheClientOptions.AutoDiscovery"/> is set.</summary>
    internal DiscoveryPoller? Discovery => _discovery;

    /// <summary>
    /// Replaces the server list at run time. Servers on both lists keep their connections, health and requests in
    /// flight. New servers are connected and probed first: the new list is published once each has answered its
    /// probe or failed it (at most twice <see cref="MemcacheClientOptions.ConnectTimeout"/>: connect, then probe);
    /// one that failed is published marked dead, so its keys follow <see cref="MemcacheClientOptions.Failover"/>
    /// until it answers a probe after <see cref="MemcacheClientOptions.DeadTime"/>. Removed servers drain: they
    /// get no new requests, those they hold complete, then their connections close. The ring is rebuilt from the
    /// new list exactly as for a client created with it, so keys whose ring position changed now go to another
    /// server (about 1/n of them per server added or removed with ketama). Concurrent calls run one after another.
    /// </summary>
    /// <param name="servers">The new list, in the order the ring is built in: at least one server, none twice.</param>
    /// <param name="cancellationToken">Stops waiting for new servers' probes; nothing changes then.</param>
    /// <returns>Completes once the new list is in use (removed servers may still be draining).</returns>
    /// <exception cref="ArgumentException">The list is empty, holds a server twice or a default address.</exception>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled before the new list was published.</exception>
    public async ValueTask UpdateServersAsync(IEnumerable<ServerAddress> servers, CancellationToken cancellationToken = default)
    {
        var list = CheckServerList(servers);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        await _membershipLock.WaitAsync(linked.Token).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            await ChangeServersAsync(list, cancellationToken, linked.Token).ConfigureAwait(false);
        }
        finally
        {
            _membershipLock.Release();
        }
    }

    /// <summary>Under the membership lock: builds the new list, probes its new servers, swaps, and starts the drains.</summary>
    private async Task ChangeServersAsync(ServerAddress[] list, CancellationToken callerToken, CancellationToken token)
    {
        var old = Volatile.Read(ref _topology);
        if (old.Servers.AsSpan().SequenceEqual(list))
        {
            return;
        }
        var kept = new Dictionary<ServerAddress, ServerNode>(old.Nodes.Length);
        foreach (var node in old.Nodes)
        {
            kept[node.Address] = node;
        }
        var nodes = new ServerNode[list.Length];
        var added = new List<ServerNode>();
        for (var i = 0; i < list.Length; i++)
        {
            if (kept.Remove(list[i], out var existing))
            {
                nodes[i] = existing;
            }
            else
            {
                nodes[i] = CreateNode(list[i]);
                added.Add(nodes[i]);
            }
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            await ProbeNewServersAsync(added, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            foreach (var node in added)
            {
                node.MarkRemoved();
                await node.DisposeAsync().ConfigureAwait(false);
            }
            callerToken.ThrowIfCancellationRequested();
            throw new ObjectDisposedException(nameof(MemcacheClient), "The client was disposed while UpdateServersAsync waited for the new servers' probes; the server list did not change.");
        }
        var topology = new ClusterTopology(list, nodes, _options.Distribution);
        Interlocked.Exchange(ref _topology, topology);
        topology.RefreshAlive(); // a health change that raced with the swap may have updated the old list only
        foreach (var node in kept.Values)
        {
            node.MarkRemoved();
        }
        if (_logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information))
        {
            var servers = string.Join(",", list);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            MembershipLog.ServersChanged(_logger, old.Servers.Length, list.Length, added.Count, kept.Count, servers, elapsed);
        }
        Telemetry.MemstoreInstruments.MembershipEvent(TelemetryName, "changed");
        foreach (var node in kept.Values)
        {
            StartDrain(node);
        }
    }

    /// <summary>
    /// Waits until every new server's first connect attempt is decided, at most twice the connect timeout (the
    /// connect and the probe each have one). A server that failed or did not answer in time is marked dead.
    /// </summary>
    private async Task ProbeNewServersAsync(List<ServerNode> added, CancellationToken token)
    {
        if (added.Count == 0)
        {
            return;
        }
        var limit = _options.ConnectTimeout * 2;
        var all = Task.WhenAll(added.Select(static n => n.Health.FirstOutcome));
        try
        {
            await all.WaitAsync(limit, token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Those still undecided are marked dead below.
        }
        foreach (var node in added)
        {
            var outcome = node.Health.FirstOutcome;
            Exception? cause = outcome.IsCompletedSuccessfully ? outcome.Result
                : new TimeoutException($"{node.Address} did not answer its first probe within {limit.TotalMilliseconds:0} ms (twice MemcacheClientOptions.ConnectTimeout).");
            if (cause is not null)
            {
                node.Health.MarkDead(cause);
                MembershipLog.NewServerUnreachable(_logger, node.Address.ToString(), _options.Failover, cause);
            }
        }
    }

    /// <summary>
    /// Lets a removed server finish what it holds, then closes it: at least <see cref="RouteGrace"/> (for calls that
    /// read the old list just before the swap), at most the operation timeout plus <see cref="DrainMargin"/>.
    /// </summary>
    private void StartDrain(ServerNode node)
    {
        lock (_draining)
        {
            _draining[node] = DrainAsync(node);
        }
    }

    private async Task DrainAsync(ServerNode node)
    {
        await Task.Yield();
        var started = Stopwatch.GetTimestamp();
        var limit = _options.OperationTimeout + DrainMargin;
        var closing = _closing.Token;
        try
        {
            await Task.Delay(RouteGrace, closing).ConfigureAwait(false);
            while (node.Outstanding > 0 && Stopwatch.GetElapsedTime(started) < limit)
            {
                await Task.Delay(10, closing).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The client is being disposed: close now.
        }
        var left = node.Outstanding;
        var server = node.Address.ToString();
        var drained = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await node.CloseRemovedAsync(
            $"{server} was removed from the client's server list {drained:0} ms earlier and its connections are closed; "
            + "the call had been routed to it just before the change. Retry: the key's server is now chosen from the new list.").ConfigureAwait(false);
        MembershipLog.ServerDrained(_logger, server, drained, left);
        lock (_draining)
        {
            _draining.Remove(node);
        }
    }

    /// <summary>Removed servers still draining (for tests and disposal).</summary>
    internal Task[] DrainingServers()
    {
        lock (_draining)
        {
            return [.. _draining.Values];
        }
    }

    /// <summary>Part of disposal: stops discovery, cancels a pending update, and closes draining servers at once.</summary>
    private async Task StopMembershipChangesAsync()
    {
        OptionsSubscription?.Dispose();
        if (_discovery is not null)
        {
            await _discovery.DisposeAsync().ConfigureAwait(false);
        }
        await _closing.CancelAsync().ConfigureAwait(false);
        await _membershipLock.WaitAsync().ConfigureAwait(false); // an update in progress gives up (its waits use _closing)
        _membershipLock.Release();
        await Task.WhenAll(DrainingServers()).ConfigureAwait(false);
    }

    private ServerAddress[] CheckServerList(IEnumerable<ServerAddress> servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        var list = servers.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException("The new server list is empty; a client needs at least one server. Nothing changed.", nameof(servers));
        }
        var seen = new HashSet<(string, int)>();
        for (var i = 0; i < list.Length; i++)
        {
            if (list[i].Host is null)
            {
                throw new ArgumentException($"Server {i} of the new list has no host (a default ServerAddress). Nothing changed.", nameof(servers));
            }
            if (!seen.Add((list[i].Host.ToUpperInvariant(), list[i].Port)))
            {
                throw new ArgumentException($"The new server list holds {list[i]} twice. Nothing changed.", nameof(servers));
            }
            if (_gutter is not null && _gutter.Servers.Any(g => g.Port == list[i].Port && string.Equals(g.Host, list[i].Host, StringComparison.OrdinalIgnoreCase)))
            {
                throw new ArgumentException($"The new server list holds {list[i]}, which is in the gutter pool (MemcacheClientOptions.GutterServers): a gutter server cannot also be a primary. Nothing changed.", nameof(servers));
            }
        }
        return list;
    }
}
