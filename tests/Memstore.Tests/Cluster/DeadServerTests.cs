using Memstore.Cluster;

namespace Memstore.Tests.Cluster;

/// <summary>Auto-eject: a dead server's points are skipped; nothing else moves.</summary>
[Trait("Category", "Unit")]
public class DeadServerTests
{
    private const int KeyCount = 3000;

    private static readonly IReadOnlyList<ServerAddress> FiveServers =
        ServerAddress.ParseList("mc1.local,mc2.local:11212,10.0.0.3,[2001:db8::4]:11211,mc5.local:40000");

    public static TheoryData<MemcacheDistribution, int[]> DeadSets()
    {
        var data = new TheoryData<MemcacheDistribution, int[]>();
        foreach (MemcacheDistribution distribution in Enum.GetValues<MemcacheDistribution>())
        {
            data.Add(distribution, [0]);
            data.Add(distribution, [2]);
            data.Add(distribution, [4]);
            data.Add(distribution, [1, 3]);
            data.Add(distribution, [0, 1, 2, 3]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DeadSets))]
    public void Keys_of_live_servers_stay_and_keys_of_dead_servers_move_to_the_next_live_point(
        MemcacheDistribution distribution, int[] dead)
    {
        var ring = new HashRing(FiveServers, distribution);
        bool[] alive = [.. Enumerable.Range(0, FiveServers.Count).Select(i => !dead.Contains(i))];
        for (int i = 0; i < KeyCount; i++)
        {
            byte[] key = System.Text.Encoding.UTF8.GetBytes($"session:{i}");
            int home = ring.Locate(key);
            int actual = ring.Locate(key, alive);
            Assert.True(alive[actual], $"key {i} went to dead server {actual}");
            int expected = alive[home] ? home : NextLiveByWalking(ring, key, alive);
            Assert.Equal(expected, actual);
        }
    }

    // libmemcached's auto-eject rebuilds the continuum from the live servers only. For plain
    // and pre-1.0.10 ketama (points depend only on each server's own name) that is the same
    // as skipping the dead servers' points, which this checks directly.
    [Theory]
    [InlineData(MemcacheDistribution.Ketama)]
    [InlineData(MemcacheDistribution.KetamaPre1010)]
    public void Skipping_dead_points_equals_libmemcached_rebuilding_without_them(MemcacheDistribution distribution)
    {
        var ring = new HashRing(FiveServers, distribution);
        bool[] alive = [true, false, true, false, true];
        int[] liveIndexes = [0, 2, 4];
        var rebuilt = new HashRing([.. liveIndexes.Select(i => FiveServers[i])], distribution);
        for (int i = 0; i < KeyCount; i++)
        {
            string key = $"object-{i}";
            byte[] bytes = System.Text.Encoding.UTF8.GetBytes(key);
            Assert.Equal(liveIndexes[rebuilt.Locate(key)], ring.Locate(bytes, alive));
        }
    }

    [Theory]
    [InlineData(MemcacheDistribution.Ketama)]
    [InlineData(MemcacheDistribution.KetamaWeighted)]
    [InlineData(MemcacheDistribution.KetamaPre1010)]
    [InlineData(MemcacheDistribution.Modula)]
    public void All_dead_gives_minus_one_and_all_alive_changes_nothing(MemcacheDistribution distribution)
    {
        var ring = new HashRing(FiveServers, distribution);
        bool[] none = new bool[5];
        bool[] all = [true, true, true, true, true];
        for (int i = 0; i < 500; i++)
        {
            byte[] key = BitConverter.GetBytes(i * 7919);
            Assert.Equal(-1, ring.Locate(key, none));
            Assert.Equal(ring.Locate(key), ring.Locate(key, all));
        }
    }

    // OMcache skips point 0 when the skip wraps past the end of the continuum; libmemcached
    // (and this ring) must land on point 0 when its server is alive.
    [Theory]
    [InlineData(MemcacheDistribution.Ketama)]
    [InlineData(MemcacheDistribution.KetamaWeighted)]
    [InlineData(MemcacheDistribution.KetamaPre1010)]
    public void Skipping_past_the_end_wraps_to_the_first_point(MemcacheDistribution distribution)
    {
        // A server list whose first and last points belong to different servers.
        HashRing ring = Enumerable.Range(3, 20)
            .Select(n => new HashRing([.. Enumerable.Range(1, n).Select(i => new ServerAddress($"node{i}"))], distribution))
            .First(r => r.PointServers[0] != r.PointServers[^1]);
        uint[] points = ring.PointHashes.ToArray();
        int[] owners = ring.PointServers.ToArray();
        int lastOwner = owners[^1];
        bool[] alive = [.. Enumerable.Range(0, ring.Servers.Count).Select(i => i != lastOwner)];
        int checkedKeys = 0;
        for (int i = 0; checkedKeys < 3 && i < 2_000_000; i++)
        {
            byte[] key = System.Text.Encoding.UTF8.GetBytes($"wrap-{i}");
            uint hash = ring.HashKey(key);
            if (hash > points[^2] && hash <= points[^1])
            {
                Assert.Equal(lastOwner, ring.Locate(key));
                Assert.Equal(owners[0], ring.Locate(key, alive));
                checkedKeys++;
            }
        }

        Assert.Equal(3, checkedKeys);
    }

    [Fact]
    public void Needs_one_flag_per_server()
    {
        var ring = new HashRing(FiveServers);
        var error = Assert.Throws<ArgumentException>(() => ring.Locate("k"u8, [true, true]));
        Assert.Contains("one liveness flag per server (5), got 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dead_servers_keys_spread_over_several_live_servers_on_ketama()
    {
        var ring = new HashRing(FiveServers);
        bool[] alive = [true, true, false, true, true];
        var receivers = new HashSet<int>();
        for (int i = 0; i < KeyCount; i++)
        {
            byte[] key = System.Text.Encoding.UTF8.GetBytes($"k{i}");
            if (ring.Locate(key) == 2)
            {
                receivers.Add(ring.Locate(key, alive));
            }
        }

        Assert.True(receivers.Count >= 3, $"only {receivers.Count} servers took over");
    }

    /// <summary>Reference: walk the sorted points (or, for modula, the server list) one by one.</summary>
    private static int NextLiveByWalking(HashRing ring, byte[] key, bool[] alive)
    {
        int count = ring.Servers.Count;
        if (ring.Distribution == MemcacheDistribution.Modula)
        {
            int home = ring.Locate(key);
            for (int step = 1; step <= count; step++)
            {
                if (alive[(home + step) % count])
                {
                    return (home + step) % count;
                }
            }

            return -1;
        }

        uint hash = ring.HashKey(key);
        uint[] points = ring.PointHashes.ToArray();
        int[] owners = ring.PointServers.ToArray();
        int start = Array.FindIndex(points, p => p >= hash);
        start = start < 0 ? 0 : start;
        for (int step = 0; step < points.Length; step++)
        {
            int owner = owners[(start + step) % points.Length];
            if (alive[owner])
            {
                return owner;
            }
        }

        return -1;
    }
}
