using BenchmarkDotNet.Attributes;
using Memstore.Mcas;

namespace Memstore.Benchmarks;

/// <summary>
/// One uncontended MCAS commit (read the keys through <see cref="McasClient.GetManyAsync"/>, then
/// <see cref="McasClient.CompareAndSwapAsync"/>) against a local memcached, with the bytes allocated per
/// commit; <see cref="Set"/> is the plain-request baseline of the same run. The load figures (ratios,
/// round trips, 64 callers) come from <c>mcas-speed</c> (<see cref="McasSpeedCheck"/>).
/// </summary>
[MemoryDiagnoser]
public class McasBenchmarks
{
    private MemcachedServer? _server;
    private MemcacheClient? _client;
    private McasClient? _mcas;
    private readonly byte[] _value = new byte[100];
    private string[] _keys = [];
    private McasUpdate[] _updates = [];

    /// <summary>Keys per commit.</summary>
    [Params(2, 8)]
    public int Keys { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _server = MemcachedServer.Start();
        _client = MemcacheClient.Create(_server.Endpoint);
        _mcas = new McasClient(_client);
        _keys = [.. Enumerable.Range(0, Keys).Select(i => $"bench:mcasbdn:{Keys}:{i}")];
        _updates = new McasUpdate[Keys];
        foreach (var key in _keys)
        {
            _client.SetAsync(key, _value).AsTask().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _mcas?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _client?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server?.Dispose();
    }

    /// <summary>SetAsync of a 100-byte value: one plain request.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask<StoreResult> Set() => _client!.SetAsync(_keys[0], _value);

    /// <summary>GetManyAsync of the keys, then a CompareAndSwapAsync writing 100 bytes to each.</summary>
    [Benchmark]
    public async Task<bool> ReadAndCommit()
    {
        var entries = await _mcas!.GetManyAsync(_keys).ConfigureAwait(false);
        for (var i = 0; i < entries.Length; i++)
        {
            _updates[i] = McasUpdate.Set(entries[i], _value);
        }
        return await _mcas.CompareAndSwapAsync(_updates).ConfigureAwait(false)
            ? true
            : throw new InvalidOperationException("An uncontended MCAS failed.");
    }
}
