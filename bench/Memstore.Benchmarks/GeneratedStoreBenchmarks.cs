using BenchmarkDotNet.Attributes;
using MessagePack;

namespace Memstore.Benchmarks;

/// <summary>A typical stored value: a record with strings, numbers, an enum, a list and a nested type.</summary>
public sealed record BenchOrder(Guid Id, string Customer, decimal Total, BenchStatus Status, List<BenchLine> Lines, DateTime Created);

/// <summary>One order line.</summary>
public sealed record BenchLine(string Sku, int Quantity, double Price);

/// <summary>Order states.</summary>
public enum BenchStatus
{
    /// <summary>Open.</summary>
    Open,
    /// <summary>Shipped.</summary>
    Shipped,
}

/// <summary>The generated store the benchmarks use.</summary>
[MemcacheStore(Prefix = "bench:")]
public partial class BenchStore
{
    /// <summary>Orders as MessagePack.</summary>
    [Keyspace("order:{id}")]
    public partial Keyspace<int, BenchOrder> Orders { get; }

    /// <summary>Raw bytes, to isolate the generated path's own cost from serialization.</summary>
    [Keyspace("blob:{id}")]
    public partial Keyspace<int, byte[]> Blobs { get; }
}

/// <summary>Generated formatters versus MessagePack's dynamic (reflection/emit) contractless resolver, same type and layout.</summary>
[MemoryDiagnoser]
public class FormatterBenchmarks
{
    private static readonly MessagePackSerializerOptions Generated = SerializerOptions.Generated;
    private static readonly MessagePackSerializerOptions Dynamic = SerializerOptions.Contractless;

    private readonly BenchOrder _order = GeneratedStoreBenchmarks.SampleOrder();
    private byte[] _generatedBytes = [];
    private byte[] _dynamicBytes = [];

    /// <summary>Serializes once with each resolver.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _generatedBytes = MessagePackSerializer.Serialize(_order, Generated);
        _dynamicBytes = MessagePackSerializer.Serialize(_order, Dynamic);
    }

    /// <summary>Serialize with the generated formatter.</summary>
    [Benchmark(Baseline = true)]
    public byte[] SerializeGenerated() => MessagePackSerializer.Serialize(_order, Generated);

    /// <summary>Serialize with ContractlessStandardResolver.</summary>
    [Benchmark]
    public byte[] SerializeDynamic() => MessagePackSerializer.Serialize(_order, Dynamic);

    /// <summary>Deserialize with the generated formatter.</summary>
    [Benchmark]
    public BenchOrder DeserializeGenerated() => MessagePackSerializer.Deserialize<BenchOrder>(_generatedBytes, Generated);

    /// <summary>Deserialize with ContractlessStandardResolver.</summary>
    [Benchmark]
    public BenchOrder DeserializeDynamic() => MessagePackSerializer.Deserialize<BenchOrder>(_dynamicBytes, Dynamic);
}

/// <summary>Typed store calls versus raw client calls with the same bytes, one at a time, on a local memcached.</summary>
[MemoryDiagnoser]
public class GeneratedStoreBenchmarks
{
    private SeededStore? _seeded;
    private MemcacheClient? _client;
    private BenchStore? _store;
    private byte[] _blob = [];
    private BenchOrder _order = SampleOrder();
    private byte[] _orderBytes = [];

    internal static BenchOrder SampleOrder() => new(
        Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff"), "customer-42", 129.95m, BenchStatus.Open,
        [new("sku-1", 2, 19.99), new("sku-2", 1, 89.97)], new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc));

    /// <summary>Starts memcached on a free port and stores the values read by the get benchmarks.</summary>
    [GlobalSetup]
    public async Task Setup()
    {
        _seeded = await SeededStore.StartAsync();
        (_client, _store, _blob, _order, _orderBytes) = (_seeded.Client, _seeded.Store, _seeded.Blob, _seeded.Order, _seeded.OrderBytes);
    }

    /// <summary>Stops the client and memcached.</summary>
    [GlobalCleanup]
    public async Task Cleanup()
    {
        if (_seeded is not null)
        {
            await _seeded.DisposeAsync();
        }
    }

    /// <summary>Raw get of 100 bytes by a string key.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask<CacheValue> RawGet() => _client!.GetAsync("bench:blob:1");

    /// <summary>Typed get of the same 100 bytes: key formatted from an int, raw-bytes codec.</summary>
    [Benchmark]
    public ValueTask<CacheItem<byte[]>> TypedGetBytes() => _store!.Blobs.TryGetAsync(1);

    /// <summary>Raw set of 100 bytes.</summary>
    [Benchmark]
    public ValueTask<StoreResult> RawSet() => _client!.SetAsync("bench:blob:2", _blob);

    /// <summary>Typed set of the same 100 bytes.</summary>
    [Benchmark]
    public ValueTask<StoreResult> TypedSetBytes() => _store!.Blobs.SetAsync(2, _blob);

    /// <summary>Raw get of a serialized order (bytes only, no deserialization).</summary>
    [Benchmark]
    public ValueTask<CacheValue> RawGetOrderBytes() => _client!.GetAsync("bench:order:1");

    /// <summary>Typed get of the order: key formatting, get, generated deserialization.</summary>
    [Benchmark]
    public ValueTask<CacheItem<BenchOrder>> TypedGetOrder() => _store!.Orders.TryGetAsync(1);

    /// <summary>Raw set of pre-serialized order bytes.</summary>
    [Benchmark]
    public ValueTask<StoreResult> RawSetOrderBytes() => _client!.SetAsync("bench:order:2", _orderBytes, flags: MemcacheFlags.MessagePack);

    /// <summary>Typed set of the order: key formatting, generated serialization into a pooled buffer, set.</summary>
    [Benchmark]
    public ValueTask<StoreResult> TypedSetOrder() => _store!.Orders.SetAsync(2, _order);

    private static readonly MessagePackSerializerOptions Reflection = SerializerOptions.Contractless;

    /// <summary>What users do without the generator: the raw client plus MessagePack's reflection resolver.</summary>
    [Benchmark]
    public ValueTask<StoreResult> ReflectionSetOrder() =>
        _client!.SetAsync("bench:order:3", MessagePackSerializer.Serialize(_order, Reflection), flags: MemcacheFlags.MessagePack);

    /// <summary>The same get as <see cref="TypedGetOrder"/>, deserialized by the reflection resolver.</summary>
    [Benchmark]
    public async ValueTask<BenchOrder> ReflectionGetOrder() =>
        MessagePackSerializer.Deserialize<BenchOrder>((await _client!.GetAsync("bench:order:1")).Value, Reflection);
}
