using System.Buffers;
using BenchmarkDotNet.Attributes;
using Memstore.Caching;
using Microsoft.Extensions.Caching.Distributed;

namespace Memstore.Benchmarks;

/// <summary>
/// The cost of the IDistributedCache layer: the same 100-byte value read through MemcacheDistributedCache
/// and directly through the client, on the same memcached. A sliding entry costs a second request (the touch).
/// </summary>
[MemoryDiagnoser]
public class DistributedCacheBenchmarks
{
    private const string PlainKey = "bench:dc:plain";
    private const string SlidingKey = "bench:dc:sliding";
    private MemcachedServer? _server;
    private MemcacheClient? _client;
    private MemcacheDistributedCache? _cache;
    private readonly ArrayBufferWriter<byte> _writer = new(4096);

    [GlobalSetup]
    public void Setup()
    {
        var value = new byte[100];
        Random.Shared.NextBytes(value);
        _server = MemcachedServer.Start();
        _client = MemcacheClient.Create(_server.Endpoint);
        _cache = new MemcacheDistributedCache(_client);
        _cache.SetAsync(PlainKey, value, new DistributedCacheEntryOptions()).GetAwaiter().GetResult();
        _cache.SetAsync(SlidingKey, value, new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromHours(1) }).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server?.Dispose();
    }

    /// <summary>Baseline: the client's GetAsync(key), a new byte[] per call.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask<CacheValue> ClientGet() => _client!.GetAsync(PlainKey);

    /// <summary>IDistributedCache.GetAsync of an entry without sliding expiry: one request, header checked and stripped.</summary>
    [Benchmark]
    public Task<byte[]?> DistributedCacheGet() => _cache!.GetAsync(PlainKey);

    /// <summary>The client's buffer-writer get into a reused buffer.</summary>
    [Benchmark]
    public ValueTask<CacheValueInfo> ClientGetIntoWriter()
    {
        _writer.ResetWrittenCount();
        return _client!.GetAsync(PlainKey, _writer);
    }

    /// <summary>IBufferDistributedCache.TryGetAsync into a reused buffer (HybridCache's path).</summary>
    [Benchmark]
    public ValueTask<bool> DistributedCacheTryGetIntoWriter()
    {
        _writer.ResetWrittenCount();
        return _cache!.TryGetAsync(PlainKey, _writer);
    }

    /// <summary>IDistributedCache.GetAsync of a sliding entry: the read plus the touch that slides it.</summary>
    [Benchmark]
    public Task<byte[]?> DistributedCacheGetSliding() => _cache!.GetAsync(SlidingKey);
}
