using System.Buffers;
using BenchmarkDotNet.Attributes;

namespace Memstore.Benchmarks;

/// <summary>
/// One request at a time against a local memcached (round-trip latency plus client overhead), with the
/// bytes allocated per operation. Each benchmark awaits exactly one client call.
/// </summary>
[MemoryDiagnoser]
public class ClientBenchmarks
{
    private const string GetKey = "bench:get";
    private const string SetKey = "bench:set";
    private MemcachedServer? _server;
    private MemcacheClient? _client;
    private readonly byte[] _value = new byte[100];
    private readonly ArrayBufferWriter<byte> _writer = new(4096);
    private string[] _manyKeys = [];

    [GlobalSetup]
    public void Setup()
    {
        Random.Shared.NextBytes(_value);
        _server = MemcachedServer.Start();
        _client = MemcacheClient.Create(_server.Endpoint);
        _manyKeys = Enumerable.Range(0, 50).Select(i => $"bench:many:{i}").ToArray();
        _client.SetAsync(GetKey, _value).AsTask().GetAwaiter().GetResult();
        foreach (var key in _manyKeys)
        {
            _client.SetAsync(key, _value).AsTask().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server?.Dispose();
    }

    /// <summary>GetAsync(key): the value comes back as a new byte[] (100 bytes + array header expected).</summary>
    [Benchmark]
    public ValueTask<CacheValue> Get() => _client!.GetAsync(GetKey);

    /// <summary>GetAsync(key, writer) into a reused ArrayBufferWriter: meant to allocate nothing.</summary>
    [Benchmark]
    public ValueTask<CacheValueInfo> GetIntoWriter()
    {
        _writer.ResetWrittenCount();
        return _client!.GetAsync(GetKey, _writer);
    }

    /// <summary>SetAsync of a 100-byte value.</summary>
    [Benchmark]
    public ValueTask<StoreResult> Set() => _client!.SetAsync(SetKey, _value);

    /// <summary>GetManyAsync of 50 keys (all hits), one pipelined batch.</summary>
    [Benchmark]
    public ValueTask<CacheValue[]> GetMany50() => _client!.GetManyAsync(_manyKeys);
}
