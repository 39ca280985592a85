namespace Memstore.Cluster;

/// <summary>Chooses the server for a key. The seam where the consistent-hash ring plugs in.</summary>
internal sealed class NodeLocator
{
    private readonly int _count;

    public NodeLocator(IReadOnlyList<ServerAddress> servers, MemcacheDistribution distribution)
    {
        _ = distribution;
        _count = servers.Count;
    }

    public int Locate(ReadOnlySpan<byte> key)
    {
        if (_count == 1)
        {
            return 0;
        }
        // Placeholder until the libmemcached-compatible ring lands: one-at-a-time hash modulo n.
        uint hash = 0;
        foreach (var b in key)
        {
            hash += b;
            hash += hash << 10;
            hash ^= hash >> 6;
        }
        hash += hash << 3;
        hash ^= hash >> 11;
        hash += hash << 15;
        return (int)(hash % (uint)_count);
    }
}
