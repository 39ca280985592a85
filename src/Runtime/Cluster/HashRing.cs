using System.Buffers;
using System.Text;

namespace Memstore.Cluster;

/// <summary>
/// Maps keys to servers the way libmemcached does (see <see cref="MemcacheDistribution"/>).
/// Immutable and thread-safe; lookups allocate nothing and take O(log points).
/// </summary>
public sealed class HashRing
{
    // Keys longer than this are encoded into a pooled buffer instead of the stack.
    private const int StackKeyLimit = 1024;

    private readonly ServerAddress[] _servers;
    private readonly uint[] _pointHashes;
    private readonly int[] _pointServers;

    /// <summary>Builds the ring for a server list. The order of the list matters, as in libmemcached.</summary>
    /// <param name="servers">The servers, at least one.</param>
    /// <param name="distribution">How keys are spread; <see cref="MemcacheDistribution.Ketama"/> by default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="servers"/> is null.</exception>
    /// <exception cref="ArgumentException">The list is empty or holds a default (hostless) address.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="distribution"/> is not defined.</exception>
    public HashRing(IReadOnlyList<ServerAddress> servers, MemcacheDistribution distribution = MemcacheDistribution.Ketama)
    {
        ArgumentNullException.ThrowIfNull(servers);
        if (servers.Count == 0)
        {
            throw new ArgumentException("A hash ring needs at least one server; the server list is empty.", nameof(servers));
        }

        if (!Enum.IsDefined(distribution))
        {
            throw new ArgumentOutOfRangeException(nameof(distribution), distribution,
                $"Unknown distribution. Valid values: {string.Join(", ", MemcacheDistributionNames.All)}.");
        }

        _servers = [.. servers];
        for (int i = 0; i < _servers.Length; i++)
        {
            if (_servers[i].Host is null)
            {
                throw new ArgumentException($"Server {i} has no host (a default ServerAddress).", nameof(servers));
            }
        }

        Distribution = distribution;
        Servers = Array.AsReadOnly(_servers);
        (_pointHashes, _pointServers) = distribution == MemcacheDistribution.Modula
            ? ([], [])
            : Continuum.Build(_servers, distribution);
    }

    /// <summary>The servers, in the order given; <see cref="Locate(ReadOnlySpan{byte})"/> returns indexes into this list.</summary>
    public IReadOnlyList<ServerAddress> Servers { get; }

    /// <summary>How keys are spread over the servers.</summary>
    public MemcacheDistribution Distribution { get; }

    /// <summary>Number of points on the continuum; 0 for <see cref="MemcacheDistribution.Modula"/>.</summary>
    public int PointCount => _pointHashes.Length;

    /// <summary>The sorted point hashes (for diagnostics and tests).</summary>
    internal ReadOnlySpan<uint> PointHashes => _pointHashes;

    /// <summary>The server index owning each point of <see cref="PointHashes"/>.</summary>
    internal ReadOnlySpan<int> PointServers => _pointServers;

    /// <summary>The 32-bit hash this ring's distribution computes for a key.</summary>
    /// <param name="key">The key bytes as sent to memcached.</param>
    /// <returns>MD5-32 for <see cref="MemcacheDistribution.KetamaWeighted"/>, one-at-a-time otherwise.</returns>
    public uint HashKey(ReadOnlySpan<byte> key) => Distribution == MemcacheDistribution.KetamaWeighted
        ? KetamaHashes.Md5First32(key)
        : KetamaHashes.OneAtATime(key);

    /// <summary>The server a key belongs to when all servers are up.</summary>
    /// <param name="key">The key bytes as sent to memcached.</param>
    /// <returns>An index into <see cref="Servers"/>.</returns>
    public int Locate(ReadOnlySpan<byte> key)
    {
        // libmemcached answers 0 for a single server without hashing.
        if (_servers.Length == 1)
        {
            return 0;
        }

        uint hash = HashKey(key);
        if (Distribution == MemcacheDistribution.Modula)
        {
            return (int)(hash % (uint)_servers.Length);
        }

        return _pointServers[FirstPointAtOrAfter(hash)];
    }

    /// <summary>
    /// The server a key belongs to while some servers are out: the points of dead servers are
    /// skipped, so a dead server's keys go to the next live point on the continuum (as
    /// libmemcached's auto-eject does) and keys of live servers do not move.
    /// </summary>
    /// <remarks>
    /// For <see cref="MemcacheDistribution.Modula"/>, which has no continuum, a dead server's keys go
    /// to the next live server in list order (wrapping); keys of live servers do not move.
    /// libmemcached does not redistribute modula keys at all (requests to the dead server fail);
    /// callers who want that behaviour use <see cref="Locate(ReadOnlySpan{byte})"/> and check liveness.
    /// For weighted ketama with unequal weights, libmemcached's auto-eject rebuilds the ring and
    /// re-shares points among live servers, so some keys of live servers move there; here they do not.
    /// </remarks>
    /// <param name="key">The key bytes as sent to memcached.</param>
    /// <param name="alive">One flag per server in <see cref="Servers"/>: true when the server is usable.</param>
    /// <returns>An index into <see cref="Servers"/>, or -1 when no server is alive.</returns>
    /// <exception cref="ArgumentException"><paramref name="alive"/> does not have one flag per server.</exception>
    public int Locate(ReadOnlySpan<byte> key, ReadOnlySpan<bool> alive)
    {
        if (alive.Length != _servers.Length)
        {
            throw new ArgumentException(
                $"Expected one liveness flag per server ({_servers.Length}), got {alive.Length}.", nameof(alive));
        }

        if (!alive.Contains(true))
        {
            return -1;
        }

        int preferred = Locate(key);
        if (alive[preferred])
        {
            return preferred;
        }

        if (Distribution == MemcacheDistribution.Modula)
        {
            int next = preferred;
            do
            {
                next = (next + 1) % _servers.Length;
            }
            while (!alive[next]);
            return next;
        }

        int start = FirstPointAtOrAfter(HashKey(key));
        for (int step = 1; step < _pointServers.Length; step++)
        {
            int owner = _pointServers[(start + step) % _pointServers.Length];
            if (alive[owner])
            {
                return owner;
            }
        }

        // Only servers without points (a tiny weight) are alive.
        return -1;
    }

    /// <summary>The server a string key belongs to, the key encoded as UTF-8; allocation-free.</summary>
    /// <param name="key">The key.</param>
    /// <returns>An index into <see cref="Servers"/>.</returns>
    public int Locate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int maxBytes = Encoding.UTF8.GetMaxByteCount(key.Length);
        if (maxBytes <= StackKeyLimit)
        {
            Span<byte> buffer = stackalloc byte[StackKeyLimit];
            return Locate(buffer[..Encoding.UTF8.GetBytes(key, buffer)]);
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(maxBytes);
        try
        {
            return Locate(rented.AsSpan(0, Encoding.UTF8.GetBytes(key, rented)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Index of the first point whose hash is at least <paramref name="hash"/>, wrapping to 0.</summary>
    private int FirstPointAtOrAfter(uint hash)
    {
        int low = 0;
        int high = _pointHashes.Length;
        while (low < high)
        {
            int middle = low + ((high - low) / 2);
            if (_pointHashes[middle] < hash)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low == _pointHashes.Length ? 0 : low;
    }
}
