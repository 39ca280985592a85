using BenchmarkDotNet.Attributes;

namespace Memstore.Benchmarks;

/// <summary>
/// Batched writes over three memcached servers: SetManyAsync of 100 keys (one pipelined wave per server, all at once)
/// against one SetAsync (one round trip, the baseline) and against 100 SetAsync one after the other (100 round trips),
/// plus the quiet variant and DeleteManyAsync, all in the same run; and the floor without a client (<see cref="RawPipeline"/>):
/// the same 100 requests pre-formatted, one send per pre-connected socket, every <c>HD</c> read and checked, and the same
/// for one request. SetMany100 / RawPipeline100 and OneSet / RawOne say how far the client is above that floor.
/// </summary>
[MemoryDiagnoser]
public class BatchWriteBenchmarks
{
    private const int Keys = 100;
    private readonly List<MemcachedServer> _servers = [];
    private MemcacheClient _client = null!;
    private BatchSetItem[] _items = [];
    private string[] _keys = [];
    private readonly byte[] _value = new byte[100];
    private RawPipeline _raw100 = null!;
    private RawPipeline _rawOne = null!;

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < 3; i++)
        {
            _servers.Add(MemcachedServer.Start());
        }
        _client = MemcacheClient.Create(string.Join(",", _servers.Select(s => s.Endpoint)));
        _keys = Enumerable.Range(0, Keys).Select(i => $"batch:{i}").ToArray();
        _items = _keys.Select(key => new BatchSetItem(key, _value)).ToArray();
        _client.SetManyAsync(_items).AsTask().GetAwaiter().GetResult(); // every connection open and probed
        var endpoints = _servers.Select(s => new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, s.Port)).ToArray();
        int ServerOf(string key) => _servers.FindIndex(s => s.Port == _client.Locate(key).Port);
        _raw100 = new RawPipeline(endpoints, _keys, ServerOf, _value, flags: 0);
        _rawOne = new RawPipeline(endpoints, [_keys[0]], ServerOf, _value, flags: 0);
        Console.WriteLine($"// keys per server: {string.Join(", ", _raw100.Counts)}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _raw100.Dispose();
        _rawOne.Dispose();
        foreach (var server in _servers)
        {
            server.Dispose();
        }
    }

    /// <summary>One key, one round trip.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask<StoreResult> OneSet() => _client.SetAsync(_keys[0], _value);

    /// <summary>100 keys, one after the other: 100 round trips.</summary>
    [Benchmark]
    public async Task<int> HundredSequentialSets()
    {
        var stored = 0;
        foreach (var key in _keys)
        {
            stored += (await _client.SetAsync(key, _value)).Stored ? 1 : 0;
        }
        return stored;
    }

    /// <summary>100 keys as one wave per server, the three servers at once.</summary>
    [Benchmark]
    public ValueTask<BatchResult<StoreResult>[]> SetMany100() => _client.SetManyAsync(_items);

    /// <summary>The same in quiet mode: no reply per stored key, one MN per server.</summary>
    [Benchmark]
    public ValueTask<int> SetManyQuiet100() => _client.SetManyQuietAsync(_items);

    /// <summary>100 deletes as one wave per server (the keys are gone after the first call: NotFound each time).</summary>
    [Benchmark]
    public ValueTask<BatchResult<DeleteStatus>[]> DeleteMany100() => _client.DeleteManyAsync(_keys);

    /// <summary>The floor for one request: its pre-formatted bytes on a blocking socket, its HD read and checked.</summary>
    [Benchmark]
    public int RawOne() => _rawOne.Run();

    /// <summary>The same with async socket calls.</summary>
    [Benchmark]
    public Task<int> RawOneAsync() => _rawOne.RunAsync();

    /// <summary>The floor for the 100 sets: one send per server (blocking sockets), all three before any read, 100 HD checked.</summary>
    [Benchmark]
    public int RawPipeline100() => _raw100.Run();

    /// <summary>The same with async socket calls.</summary>
    [Benchmark]
    public Task<int> RawPipeline100Async() => _raw100.RunAsync();
}
