using System.Buffers;
using System.Globalization;
using System.Text;

namespace Memstore.Cluster;

/// <summary>
/// Builds the sorted points of a ketama ring exactly as libmemcached's update_continuum does.
/// </summary>
internal static class Continuum
{
    /// <summary>libmemcached's MEMCACHED_POINTS_PER_SERVER: points per server in plain ketama.</summary>
    internal const int PointsPerServer = 100;

    /// <summary>libmemcached's MEMCACHED_POINTS_PER_SERVER_KETAMA: points per server in MD5 ketama at equal weights.</summary>
    internal const int Md5PointsPerServer = 160;

    /// <summary>Each MD5 digest yields four points.</summary>
    internal const int PointsPerDigest = 4;

    /// <summary>Builds the points, sorted by hash and then by server index (libmemcached's tie-break).</summary>
    internal static (uint[] Hashes, int[] Servers) Build(IReadOnlyList<ServerAddress> servers, MemcacheDistribution distribution)
    {
        var points = new List<ulong>(servers.Count * Md5PointsPerServer);
        long totalWeight = 0;
        foreach (ServerAddress server in servers)
        {
            totalWeight += server.Weight;
        }

        Span<uint> words = stackalloc uint[PointsPerDigest];
        byte[] nameBuffer = ArrayPool<byte>.Shared.Rent(MaxPointNameLength(servers));
        try
        {
            for (int serverIndex = 0; serverIndex < servers.Count; serverIndex++)
            {
                ServerAddress server = servers[serverIndex];
                int names = distribution switch
                {
                    MemcacheDistribution.Ketama => PointsPerServer,
                    MemcacheDistribution.KetamaWeighted => WeightedDigestCount(server.Weight, totalWeight, servers.Count),
                    _ => Md5PointsPerServer / PointsPerDigest,
                };
                for (int n = 0; n < names; n++)
                {
                    ReadOnlySpan<byte> name = nameBuffer.AsSpan(0, WritePointName(server, n, nameBuffer));
                    if (distribution == MemcacheDistribution.Ketama)
                    {
                        points.Add(Pack(KetamaHashes.OneAtATime(name), serverIndex));
                        continue;
                    }

                    KetamaHashes.Md5Words(name, words);
                    foreach (uint word in words)
                    {
                        points.Add(Pack(word, serverIndex));
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(nameBuffer);
        }

        // Packing the server index under the hash makes one sort order by hash, then index.
        points.Sort();
        var hashes = new uint[points.Count];
        var owners = new int[points.Count];
        for (int i = 0; i < points.Count; i++)
        {
            hashes[i] = (uint)(points[i] >> 32);
            owners[i] = (int)(uint)points[i];
        }

        return (hashes, owners);
    }

    /// <summary>
    /// Digests (of four points each) for a server in weighted ketama. libmemcached computes
    /// floor(float(w / W) * 160 / 4 * n + 1e-10) in single precision; the rounding of that
    /// arithmetic decides the point count, so it is reproduced operation by operation.
    /// </summary>
    internal static int WeightedDigestCount(int weight, long totalWeight, int serverCount)
    {
        float share = weight / (float)totalWeight;
        float digests = share * Md5PointsPerServer / PointsPerDigest * serverCount + 0.0000000001F;
        return (int)MathF.Floor(digests);
    }

    /// <summary>Writes the UTF-8 point name <c>host-N</c>, or <c>host:port-N</c> when the port is not 11211.</summary>
    internal static int WritePointName(ServerAddress server, int pointIndex, Span<byte> destination)
    {
        int length = Encoding.UTF8.GetBytes(server.Host, destination);
        if (server.Port != ServerAddress.DefaultPort)
        {
            destination[length++] = (byte)':';
            length += WriteNumber(server.Port, destination[length..]);
        }

        destination[length++] = (byte)'-';
        length += WriteNumber(pointIndex, destination[length..]);
        return length;
    }

    /// <summary>The point name as a string, for diagnostics and tests.</summary>
    internal static string PointName(ServerAddress server, int pointIndex) =>
        server.Port == ServerAddress.DefaultPort
            ? string.Create(CultureInfo.InvariantCulture, $"{server.Host}-{pointIndex}")
            : string.Create(CultureInfo.InvariantCulture, $"{server.Host}:{server.Port}-{pointIndex}");

    private static int WriteNumber(int value, Span<byte> destination) =>
        value.TryFormat(destination, out int written, default, CultureInfo.InvariantCulture)
            ? written
            : throw new InvalidOperationException("Point name buffer too small.");

    private static int MaxPointNameLength(IReadOnlyList<ServerAddress> servers)
    {
        int longestHost = 0;
        foreach (ServerAddress server in servers)
        {
            longestHost = Math.Max(longestHost, Encoding.UTF8.GetByteCount(server.Host));
        }

        // ":" + port (5 digits) + "-" + point index (up to 10 digits).
        return longestHost + 1 + 5 + 1 + 10;
    }

    private static ulong Pack(uint hash, int serverIndex) => ((ulong)hash << 32) | (uint)serverIndex;
}
