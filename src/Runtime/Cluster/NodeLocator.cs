namespace Memstore.Cluster;

/// <summary>
/// Chooses the server for a key: the client's one use of the ring. With a single server there is nothing
/// to hash. Failover (skipping servers marked dead) plugs in here through <see cref="HashRing.Locate(ReadOnlySpan{byte}, ReadOnlySpan{bool})"/>.
/// </summary>
internal sealed class NodeLocator
{
    private readonly HashRing? _ring;

    public NodeLocator(IReadOnlyList<ServerAddress> servers, MemcacheDistribution distribution)
    {
        _ring = servers.Count == 1 ? null : new HashRing(servers, distribution);
    }

    public int Locate(ReadOnlySpan<byte> key) => _ring?.Locate(key) ?? 0;
}
