using System.Buffers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using MessagePack;
using MessagePack.Resolvers;

namespace Memstore.Benchmarks;

/// <summary>A catalog entry with concrete collections: a set, a dictionary, a list of records and an array.</summary>
public sealed record BenchCatalog(string Name, HashSet<string> Tags, Dictionary<string, int> Stock, List<BenchLine> Lines, int[] Ratings);

/// <summary>A read model that exposes its collections through interfaces, as many domain types do.</summary>
public sealed record BenchView(
    string Name, IReadOnlyList<BenchLine> Lines, IEnumerable<int> Ratings, IList<string> Notes,
    IReadOnlyDictionary<string, double> Prices, IDictionary<string, int> Counts);

/// <summary>An int-keyed <c>[MessagePackObject]</c> struct of fixed-size members: nullable, enum, DateTimeOffset, decimal, TimeSpan.</summary>
[MessagePackObject]
public readonly record struct BenchReading(
    [property: Key(0)] Guid Sensor, [property: Key(1)] DateTimeOffset At, [property: Key(2)] double? Value,
    [property: Key(3)] BenchStatus Status, [property: Key(4)] decimal Total, [property: Key(5)] TimeSpan Elapsed,
    [property: Key(6)] int? Missing);

/// <summary>A later version of <see cref="BenchOrder"/> with two members the benchmarks' readers do not know.</summary>
public sealed record BenchOrderWithExtras(
    Guid Id, string Customer, decimal Total, BenchStatus Status, List<BenchLine> Lines, DateTime Created, string Note, int[] Extra);

/// <summary>Declares keyspaces for the allocation benchmark types, so the generator writes their formatters.</summary>
[MemcacheStore(Prefix = "bench2:")]
public partial class FormatterBenchStore
{
    /// <summary>Catalog entries.</summary>
    [Keyspace("catalog:{id}")]
    public partial Keyspace<int, BenchCatalog> Catalog { get; }

    /// <summary>Views.</summary>
    [Keyspace("view:{id}")]
    public partial Keyspace<int, BenchView> Views { get; }

    /// <summary>Readings.</summary>
    [Keyspace("reading:{id}")]
    public partial Keyspace<int, BenchReading> Readings { get; }
}

/// <summary>
/// Bytes allocated by generated formatters versus MessagePack's dynamic resolvers on the same values and the same wire
/// layout: ContractlessStandardResolver for the contractless types, StandardResolver (DynamicObjectResolver) for the
/// <c>[MessagePackObject]</c> struct. Each category compares one operation on one type; the dynamic resolver is the baseline.
/// "Buffer" serializes into a reused <see cref="ArrayBufferWriter{T}"/>, so the output array is not counted.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class FormatterAllocationBenchmarks
{
    private static readonly MessagePackSerializerOptions Generated = SerializerOptions.Generated;
    private static readonly MessagePackSerializerOptions Contractless = SerializerOptions.Contractless;
    private static readonly MessagePackSerializerOptions Standard = MessagePackSerializerOptions.Standard;

    private readonly BenchOrder _order = GeneratedStoreBenchmarks.SampleOrder();
    private readonly BenchCatalog _catalog = SampleCatalog();
    private readonly BenchView _view = SampleView();
    private readonly BenchReading _reading = new(
        Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff"), new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)),
        21.5, BenchStatus.Shipped, 129.95m, TimeSpan.FromMilliseconds(1500), null);
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private byte[] _orderBytes = [];
    private byte[] _orderWithExtrasBytes = [];
    private byte[] _catalogBytes = [];
    private byte[] _viewBytes = [];
    private byte[] _readingBytes = [];

    internal static BenchCatalog SampleCatalog() => new(
        "winter-catalog",
        ["wool", "outdoor", "sale", "new", "kids", "women", "men", "gift"],
        new() { ["berlin"] = 12, ["paris"] = 0, ["madrid"] = 7, ["rome"] = 3, ["vienna"] = 9, ["oslo"] = 1 },
        [new("sku-1", 2, 19.99), new("sku-2", 1, 89.97), new("sku-3", 5, 4.5)],
        [5, 4, 4, 5, 3, 5, 5, 4, 2, 5]);

    internal static BenchView SampleView() => new(
        "order-view",
        new List<BenchLine> { new("sku-1", 2, 19.99), new("sku-2", 1, 89.97), new("sku-3", 5, 4.5) },
        new List<int> { 5, 4, 4, 5, 3, 5, 5, 4, 2, 5 },
        new List<string> { "fragile", "gift wrap", "leave at door" },
        new Dictionary<string, double> { ["eur"] = 129.95, ["usd"] = 141.2, ["gbp"] = 110.4, ["chf"] = 121.0 },
        new Dictionary<string, int> { ["opened"] = 3, ["shipped"] = 1, ["returned"] = 0, ["rated"] = 1 });

    /// <summary>Serializes every value once with each resolver; both must write the same bytes.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _orderBytes = Same(_order, Contractless);
        _orderWithExtrasBytes = MessagePackSerializer.Serialize(
            new BenchOrderWithExtras(_order.Id, _order.Customer, _order.Total, _order.Status, _order.Lines, _order.Created, "unknown to BenchOrder", [1, 2, 3]),
            Contractless);
        _catalogBytes = Same(_catalog, Contractless);
        _viewBytes = Same(_view, Contractless);
        _readingBytes = Same(_reading, Standard);
    }

    private static byte[] Same<T>(T value, MessagePackSerializerOptions dynamic)
    {
        var generated = MessagePackSerializer.Serialize(value, Generated);
        if (!generated.AsSpan().SequenceEqual(MessagePackSerializer.Serialize(value, dynamic)))
        {
            throw new InvalidOperationException($"{typeof(T).Name}: the generated and dynamic formatters write different bytes.");
        }
        return generated;
    }

    private int ToBuffer<T>(T value, MessagePackSerializerOptions options)
    {
        _buffer.ResetWrittenCount();
        MessagePackSerializer.Serialize(_buffer, value, options);
        return _buffer.WrittenCount;
    }

    /// <summary>BenchOrder to byte[], dynamic.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Order-Serialize")]
    public byte[] OrderSerializeDynamic() => MessagePackSerializer.Serialize(_order, Contractless);

    /// <summary>BenchOrder to byte[], generated.</summary>
    [Benchmark, BenchmarkCategory("Order-Serialize")]
    public byte[] OrderSerializeGenerated() => MessagePackSerializer.Serialize(_order, Generated);

    /// <summary>BenchOrder into a reused buffer, dynamic.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Order-Buffer")]
    public int OrderBufferDynamic() => ToBuffer(_order, Contractless);

    /// <summary>BenchOrder into a reused buffer, generated.</summary>
    [Benchmark, BenchmarkCategory("Order-Buffer")]
    public int OrderBufferGenerated() => ToBuffer(_order, Generated);

    /// <summary>BenchOrder from byte[], dynamic.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Order-Deserialize")]
    public BenchOrder OrderDeserializeDynamic() => MessagePackSerializer.Deserialize<BenchOrder>(_orderBytes, Contractless);

    /// <summary>BenchOrder from byte[], generated.</summary>
    [Benchmark, BenchmarkCategory("Order-Deserialize")]
    public BenchOrder OrderDeserializeGenerated() => MessagePackSerializer.Deserialize<BenchOrder>(_orderBytes, Generated);

    /// <summary>BenchOrder from byte[] that hold two members it lacks (map-by-name skipping), dynamic.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Order-DeserializeUnknownMembers")]
    public BenchOrder OrderUnknownMembersDynamic() => MessagePackSerializer.Deserialize<BenchOrder>(_orderWithExtrasBytes, Contractless);

    /// <summary>BenchOrder from byte[] that hold two members it lacks (map-by-name skipping), generated.</summary>
    [Benchmark, BenchmarkCategory("Order-DeserializeUnknownMembers")]
    public BenchOrder OrderUnknownMembersGenerated() => MessagePackSerializer.Deserialize<BenchOrder>(_orderWithExtrasBytes, Generated);

    /// <summary>BenchCatalog to byte[], dynamic.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Catalog-Serialize")]
    public byte[] CatalogSerializeDynamic() => MessagePackSerializer.Serialize(_catalog, Contractless);

    /// <summary>BenchCatalog to byte[], generated.</summary>
    [Benchmark, BenchmarkCategory("Catalog-Serialize")]
    public byte[] CatalogSerializeGenerated() => MessagePackSerializer.Serialize(_catalog, Generated);

    /// <summary>BenchCatalog into a reused buffer, dynamic.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Catalog-Buffer")]
    public int CatalogBufferDynamic() => ToBuffer(_catalog, Contractless);

    /// <summary>BenchCatalog into a reused buffer, generated.</summary>
    [Benchmark, BenchmarkCategory("Catalog-Buffer")]
    public int CatalogBufferGenerated() => ToBuffer(_catalog, Generated);

    /// <summary>BenchCatalog from byte[], dynamic.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Catalog-Deserialize")]
    public BenchCatalog CatalogDeserializeDynamic() => MessagePackSerializer.Deserialize<BenchCatalog>(_catalogBytes, Contractless);

    /// <summary>BenchCatalog from byte[], generated.</summary>
    [Benchmark, BenchmarkCategory("Catalog-Deserialize")]
    public BenchCatalog CatalogDeserializeGenerated() => MessagePackSerializer.Deserialize<BenchCatalog>(_catalogBytes, Generated);

    /// <summary>BenchView to byte[], dynamic.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("View-Serialize")]
    public byte[] ViewSerializeDynamic() => MessagePackSerializer.Serialize(_view, Contractless);

    /// <summary>BenchView to byte[], generated.</summary>
    [Benchmark, BenchmarkCategory("View-Serialize")]
    public byte[] ViewSerializeGenerated() => MessagePackSerializer.Serialize(_view, Generated);

    /// <summary>BenchView into a reused buffer, dynamic.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("View-Buffer")]
    public int ViewBufferDynamic() => ToBuffer(_view, Contractless);

    /// <summary>BenchView into a reused buffer, generated.</summary>
    [Benchmark, BenchmarkCategory("View-Buffer")]
    public int ViewBufferGenerated() => ToBuffer(_view, Generated);

    /// <summary>BenchView from byte[], dynamic.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("View-Deserialize")]
    public BenchView ViewDeserializeDynamic() => MessagePackSerializer.Deserialize<BenchView>(_viewBytes, Contractless);

    /// <summary>BenchView from byte[], generated.</summary>
    [Benchmark, BenchmarkCategory("View-Deserialize")]
    public BenchView ViewDeserializeGenerated() => MessagePackSerializer.Deserialize<BenchView>(_viewBytes, Generated);

    /// <summary>BenchReading into a reused buffer, StandardResolver (DynamicObjectResolver).</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Reading-Buffer")]
    public int ReadingBufferDynamic() => ToBuffer(_reading, Standard);

    /// <summary>BenchReading into a reused buffer, generated.</summary>
    [Benchmark, BenchmarkCategory("Reading-Buffer")]
    public int ReadingBufferGenerated() => ToBuffer(_reading, Generated);

    /// <summary>BenchReading from byte[], StandardResolver (DynamicObjectResolver).</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Reading-Deserialize")]
    public BenchReading ReadingDeserializeDynamic() => MessagePackSerializer.Deserialize<BenchReading>(_readingBytes, Standard);

    /// <summary>BenchReading from byte[], generated.</summary>
    [Benchmark, BenchmarkCategory("Reading-Deserialize")]
    public BenchReading ReadingDeserializeGenerated() => MessagePackSerializer.Deserialize<BenchReading>(_readingBytes, Generated);
}
