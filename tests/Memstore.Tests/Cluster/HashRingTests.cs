using System.Text;
using Memstore.Cluster;

namespace Memstore.Tests.Cluster;

[Trait("Category", "Unit")]
public class HashRingTests
{
    private static readonly IReadOnlyList<ServerAddress> ThreeServers =
        ServerAddress.ParseList("10.0.1.1:11211,10.0.1.2:11211,10.0.1.3:11211");

    // RING.md's sanity table: keys key0..key9 -> last octet of the server.
    [Theory]
    [InlineData(MemcacheDistribution.Ketama, new[] { 1, 3, 2, 3, 2, 2, 3, 2, 1, 1 })]
    [InlineData(MemcacheDistribution.KetamaWeighted, new[] { 1, 1, 2, 1, 2, 2, 3, 3, 3, 2 })]
    [InlineData(MemcacheDistribution.KetamaPre1010, new[] { 3, 1, 2, 1, 3, 1, 2, 2, 3, 1 })]
    public void Matches_the_RING_md_sanity_table(MemcacheDistribution distribution, int[] lastOctets)
    {
        var ring = new HashRing(ThreeServers, distribution);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(lastOctets[i], ring.Locate(Encoding.ASCII.GetBytes($"key{i}")) + 1);
        }
    }

    [Theory]
    [InlineData(MemcacheDistribution.Ketama, 300)]
    [InlineData(MemcacheDistribution.KetamaWeighted, 480)]
    [InlineData(MemcacheDistribution.KetamaPre1010, 480)]
    [InlineData(MemcacheDistribution.Modula, 0)]
    public void Has_the_libmemcached_point_counts(MemcacheDistribution distribution, int points)
    {
        var ring = new HashRing(ThreeServers, distribution);
        Assert.Equal(points, ring.PointCount);
        Assert.Equal(distribution, ring.Distribution);
        Assert.Equal(ThreeServers, ring.Servers);
        Assert.True(ring.PointHashes.ToArray().SequenceEqual(ring.PointHashes.ToArray().Order()));
    }

    [Fact]
    public void Point_names_omit_the_default_port_and_bracket_nothing()
    {
        Assert.Equal("10.0.1.1-0", Continuum.PointName(new ServerAddress("10.0.1.1"), 0));
        Assert.Equal("10.0.1.2:11212-39", Continuum.PointName(new ServerAddress("10.0.1.2", 11212), 39));
        Assert.Equal("::1-7", Continuum.PointName(ServerAddress.Parse("[::1]"), 7));
        Span<byte> buffer = stackalloc byte[64];
        int length = Continuum.WritePointName(new ServerAddress("fe80::1", 11212), 99, buffer);
        Assert.Equal("fe80::1:11212-99", Encoding.UTF8.GetString(buffer[..length]));
    }

    [Fact]
    public void Weighted_point_counts_use_single_precision_like_libmemcached()
    {
        // 1/25 in float32 makes weight 1 of 25 over 5 servers seven digests; exact arithmetic says eight.
        Assert.Equal(7, Continuum.WeightedDigestCount(1, 25, 5));
        Assert.Equal(15, Continuum.WeightedDigestCount(2, 25, 5));
        Assert.Equal(40, Continuum.WeightedDigestCount(1, 3, 3));
        Assert.Equal(20, Continuum.WeightedDigestCount(1, 6, 3));
        Assert.Equal(60, Continuum.WeightedDigestCount(3, 6, 3));
    }

    [Fact]
    public void Weighted_ketama_gives_heavier_servers_more_points_and_keys()
    {
        var servers = ServerAddress.ParseList("10.0.1.1:11211:1,10.0.1.2:11211:2,10.0.1.3:11211:3");
        var ring = new HashRing(servers, MemcacheDistribution.KetamaWeighted);
        int[] pointsPerServer = new int[3];
        foreach (int owner in ring.PointServers)
        {
            pointsPerServer[owner]++;
        }

        Assert.Equal(new[] { 80, 160, 240 }, pointsPerServer);
        int[] keysPerServer = CountKeys(ring, 30_000);
        Assert.True(keysPerServer[0] < keysPerServer[1] && keysPerServer[1] < keysPerServer[2], string.Join(",", keysPerServer));
    }

    [Theory]
    [InlineData(MemcacheDistribution.Ketama)]
    [InlineData(MemcacheDistribution.KetamaPre1010)]
    [InlineData(MemcacheDistribution.Modula)]
    public void Unweighted_distributions_ignore_weights(MemcacheDistribution distribution)
    {
        var plain = new HashRing(ThreeServers, distribution);
        var weighted = new HashRing(ServerAddress.ParseList("10.0.1.1:11211:1,10.0.1.2:11211:7,10.0.1.3:11211:3"), distribution);
        for (int i = 0; i < 2000; i++)
        {
            Assert.Equal(plain.Locate($"key:{i}"), weighted.Locate($"key:{i}"));
        }
    }

    [Fact]
    public void Equal_weights_of_any_size_are_the_same_as_weight_one()
    {
        var ones = new HashRing(ThreeServers, MemcacheDistribution.KetamaWeighted);
        var fives = new HashRing(
            ServerAddress.ParseList("10.0.1.1:11211:5,10.0.1.2:11211:5,10.0.1.3:11211:5"), MemcacheDistribution.KetamaWeighted);
        Assert.True(ones.PointHashes.SequenceEqual(fives.PointHashes));
    }

    [Fact]
    public void A_single_server_gets_every_key()
    {
        foreach (MemcacheDistribution distribution in Enum.GetValues<MemcacheDistribution>())
        {
            var ring = new HashRing([new ServerAddress("solo")], distribution);
            Assert.Equal(0, ring.Locate("anything"));
            Assert.Equal(0, ring.Locate("x"u8, [true]));
            Assert.Equal(-1, ring.Locate("x"u8, [false]));
        }
    }

    [Fact]
    public void Rejects_an_empty_server_list_and_bad_arguments()
    {
        var empty = Assert.Throws<ArgumentException>(() => new HashRing([], MemcacheDistribution.Ketama));
        Assert.Contains("at least one server", empty.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => new HashRing(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HashRing(ThreeServers, (MemcacheDistribution)42));
        Assert.Throws<ArgumentException>(() => new HashRing([default]));
    }

    [Fact]
    public void Lookups_allocate_nothing()
    {
        var ring = new HashRing(ThreeServers, MemcacheDistribution.KetamaWeighted);
        bool[] alive = [true, false, true];
        byte[] key = "user:12345:profile"u8.ToArray();
        ring.Locate(key);
        ring.Locate(key, alive);
        ring.Locate("user:12345:profile");
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            ring.Locate(key);
            ring.Locate(key, alive);
            ring.Locate("user:12345:profile");
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    internal static int[] CountKeys(HashRing ring, int keyCount)
    {
        int[] counts = new int[ring.Servers.Count];
        for (int i = 0; i < keyCount; i++)
        {
            counts[ring.Locate($"key:{i}")]++;
        }

        return counts;
    }
}
