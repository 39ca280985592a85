using BenchmarkDotNet.Attributes;
using Memstore.Cluster;

namespace Memstore.Benchmarks;

/// <summary>Ring lookups: nanoseconds per key and zero allocation, per distribution and server count.</summary>
[MemoryDiagnoser]
public class RingBenchmarks
{
    private HashRing _ring = null!;
    private bool[] _alive = [];
    private readonly byte[] _key = "user:profile:1234567"u8.ToArray();

    [Params(MemcacheDistribution.Ketama, MemcacheDistribution.KetamaWeighted, MemcacheDistribution.Modula)]
    public MemcacheDistribution Distribution { get; set; }

    [Params(3, 30)]
    public int Servers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var servers = Enumerable.Range(1, Servers).Select(i => new ServerAddress($"10.0.1.{i}")).ToArray();
        _ring = new HashRing(servers, Distribution);
        _alive = Enumerable.Repeat(true, Servers).ToArray();
        _alive[_ring.Locate(_key)] = false; // the key's own server is dead: measure the skip too
    }

    /// <summary>Locate with every server alive.</summary>
    [Benchmark(Baseline = true)]
    public int Locate() => _ring.Locate(_key);

    /// <summary>Locate when the key's server is dead (next live point).</summary>
    [Benchmark]
    public int LocateSkippingDead() => _ring.Locate(_key, _alive);
}

/// <summary>
/// Multi-get of 150 keys fanned out over three memcached servers (one pipelined batch each, all at once),
/// against the same keys on one server.
/// </summary>
[MemoryDiagnoser]
public class FanOutBenchmarks
{
    private readonly List<MemcachedServer> _servers = [];
    private MemcacheClient _three = null!;
    private MemcacheClient _one = null!;
    private string[] _keys = [];

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < 3; i++)
        {
            _servers.Add(MemcachedServer.Start());
        }
        _three = MemcacheClient.Create(string.Join(",", _servers.Select(s => s.Endpoint)));
        _one = MemcacheClient.Create(_servers[0].Endpoint);
        _keys = Enumerable.Range(0, 150).Select(i => $"fan:{i}").ToArray();
        var value = new byte[100];
        foreach (var key in _keys)
        {
            _three.SetAsync(key, value).AsTask().GetAwaiter().GetResult();
            _one.SetAsync(key, value).AsTask().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _three.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _one.DisposeAsync().AsTask().GetAwaiter().GetResult();
        foreach (var server in _servers)
        {
            server.Dispose();
        }
    }

    /// <summary>150 keys on one server: one batch.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask<CacheValue[]> OneServer() => _one.GetManyAsync(_keys);

    /// <summary>The same 150 keys spread over three servers: three batches in parallel.</summary>
    [Benchmark]
    public ValueTask<CacheValue[]> ThreeServers() => _three.GetManyAsync(_keys);
}
