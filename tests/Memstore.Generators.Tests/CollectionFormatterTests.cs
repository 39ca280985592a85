using System.Buffers;
using System.Collections.ObjectModel;
using MessagePack;
using MessagePack.Resolvers;
using Memstore.Generators.Tests.Stores;

namespace Memstore.Generators.Tests;

/// <summary>
/// The generated collection formatters (pre-sized sets, interface members enumerated without a boxed enumerator) write
/// MessagePack's bytes and read back the objects MessagePack's formatters create, whatever stands behind the interface.
/// </summary>
[Trait("Category", "Unit")]
public sealed class CollectionFormatterTests
{
    private static readonly MessagePackSerializerOptions Generated =
        MessagePackSerializerOptions.Standard.WithResolver(Memstore.Generated.MemstoreResolver.Instance);
    private static readonly MessagePackSerializerOptions Contractless =
        MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance);

    /// <summary>The common case: List, HashSet and Dictionary behind the interfaces.</summary>
    private static Shelf Concrete() => new(
        new List<Point> { new(1, 2), new(3, 4) }, new List<string> { "a", "b" }, new List<long> { long.MinValue, 0 },
        new HashSet<int> { 4, 5, 6 }, new List<string?> { "x", null }, new Dictionary<string, int> { ["one"] = 1, ["two"] = 2 },
        new Dictionary<Color, string> { [Color.Red] = "red", [Color.Blue] = "blue" }, ["p", "q", "r", "s", "t", "u", "v", "w", "x"]);

    public static TheoryData<string, Shelf> Shelves() => new()
    {
        { "concrete", Concrete() },
        {
            "arrays and read-only wrappers",
            new Shelf(new[] { new Point(1, 2) }, new ReadOnlyCollection<string>(["a"]), new long[] { 7 }, Array.Empty<int>(),
                new[] { "w" }, new SortedDictionary<string, int> { ["b"] = 2, ["a"] = 1 },
                new ReadOnlyDictionary<Color, string>(new Dictionary<Color, string> { [Color.Green] = "g" }), [])
        },
        {
            "collection expressions, lazy sequences and subclasses",
            new Shelf([new Point(5, 6)], new BackwardsList<string>(["first", "last"]), new BackwardsList<long>([1, 2, 3]),
                new BackwardsList<int>([8, 9]), Enumerable.Range(0, 3).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Dictionary<string, int>(), new Dictionary<Color, string>(), new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "A" })
        },
        { "nulls", new Shelf(null!, null!, null!, null!, null!, null!, null!, null!) },
    };

    [Theory]
    [MemberData(nameof(Shelves))]
    public void Generated_formatters_write_MessagePacks_bytes(string backing, Shelf shelf)
    {
        var generated = MessagePackSerializer.Serialize(shelf, Generated);
        Assert.True(MessagePackSerializer.Serialize(shelf, Contractless).AsSpan().SequenceEqual(generated), backing);
    }

    [Theory]
    [MemberData(nameof(Shelves))]
    public void Generated_formatters_read_the_objects_MessagePack_creates(string backing, Shelf shelf)
    {
        var bytes = MessagePackSerializer.Serialize(shelf, Contractless);
        foreach (var security in new[] { MessagePackSecurity.TrustedData, MessagePackSecurity.UntrustedData })
        {
            var expected = MessagePackSerializer.Deserialize<Shelf>(bytes, Contractless.WithSecurity(security));
            var actual = MessagePackSerializer.Deserialize<Shelf>(bytes, Generated.WithSecurity(security));
            object?[] Members(Shelf s) => [s.Points, s.Names, s.Longs, s.Counts, s.Words, s.ByName, s.Labels, s.Tags];
            foreach (var (want, got) in Members(expected).Zip(Members(actual)))
            {
                Assert.True(want?.GetType() == got?.GetType(), $"{backing}: {want?.GetType()} read as {got?.GetType()}");
                Assert.Equal(want as System.Collections.IEnumerable, got as System.Collections.IEnumerable);
            }
            Assert.Equal(expected.Tags?.Comparer.GetType(), actual.Tags?.Comparer.GetType());
            // Pre-sized: never more room than the set MessagePack grows.
            Assert.True(actual.Tags is null || actual.Tags.EnsureCapacity(0) <= expected.Tags!.EnsureCapacity(0), backing);
            Assert.Equal(MessagePackSerializer.Serialize(expected, Contractless), MessagePackSerializer.Serialize(actual, Generated));
        }
    }

    [Fact]
    public void Interface_members_serialize_without_allocating_and_sets_read_with_fewer_bytes()
    {
        var shelf = Concrete();
        var buffer = new ArrayBufferWriter<byte>(1024);
        long Write(MessagePackSerializerOptions options) => Allocated(() =>
        {
            buffer.ResetWrittenCount();
            MessagePackSerializer.Serialize(buffer, shelf, options);
        });
        Assert.Equal(0, Write(Generated));
        Assert.True(Write(Contractless) > 0, "MessagePack's interface formatters now enumerate without boxing: the generated ones may be unnecessary.");

        var bytes = MessagePackSerializer.Serialize(shelf, Generated);
        var generated = Allocated(() => MessagePackSerializer.Deserialize<Shelf>(bytes, Generated));
        var contractless = Allocated(() => MessagePackSerializer.Deserialize<Shelf>(bytes, Contractless));
        Assert.True(generated < contractless, $"generated {generated} B, contractless {contractless} B");
    }

    /// <summary>Bytes this thread allocates in one call of <paramref name="action"/>, once it is warm.</summary>
    private static long Allocated(Action action)
    {
        for (var i = 0; i < 100; i++)
        {
            action();
        }
        const int Calls = 100;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            action();
        }
        return (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;
    }
}
