namespace Memstore.Cluster;

/// <summary>
/// Chooses the server for a key: the client's one use of the ring. With a single server there is nothing
/// to hash. Keeps the live/dead flags the failover policy needs, replaced whole on every change so
/// lookups read a consistent snapshot without locking.
/// </summary>
internal sealed class NodeLocator
{
    private readonly HashRing? _ring;
    private readonly object _sync = new();
    private bool[] _alive;

    public NodeLocator(IReadOnlyList<ServerAddress> servers, MemcacheDistribution distribution)
    {
        _ring = servers.Count == 1 ? null : new HashRing(servers, distribution);
        _alive = Enumerable.Repeat(true, servers.Count).ToArray();
    }

    /// <summary>The server that owns the key when every server is alive.</summary>
    public int Locate(ReadOnlySpan<byte> key) => _ring?.Locate(key) ?? 0;

    /// <summary>The next live server for the key on the continuum, or -1 when none is alive.</summary>
    public int LocateLive(ReadOnlySpan<byte> key)
    {
        var alive = Volatile.Read(ref _alive);
        return _ring is null ? (alive[0] ? 0 : -1) : _ring.Locate(key, alive);
    }

    /// <summary>The next live server for the key, treating <paramref name="excluded"/> as dead too (rare path: allocates).</summary>
    public int LocateLive(ReadOnlySpan<byte> key, int excluded)
    {
        var alive = (bool[])Volatile.Read(ref _alive).Clone();
        alive[excluded] = false;
        return _ring is null ? (alive[0] ? 0 : -1) : _ring.Locate(key, alive);
    }

    /// <summary>Replaces the flags with the nodes' current health (same order as the servers).</summary>
    public void SetAlive(IReadOnlyList<ServerNode> nodes)
    {
        lock (_sync)
        {
            var alive = new bool[nodes.Count];
            for (var i = 0; i < alive.Length; i++)
            {
                alive[i] = !nodes[i].Health.IsDead;
            }
            Volatile.Write(ref _alive, alive);
        }
    }
}
