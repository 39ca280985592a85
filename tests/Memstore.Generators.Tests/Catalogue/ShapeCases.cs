namespace Memstore.Generators.Tests.Catalogue;

/// <summary>Value shapes that used to lose data or break the generated formatter: each is now refused or round-trips.</summary>
public static partial class CatalogueCases
{
    private static string Marked(string valueType) =>
        $"[MemcacheStore] public partial class Shop {{ [Keyspace(\"p:{{id}}\")] public partial [|Keyspace<int, {valueType}>|] Products {{ get; }} }}";

    /// <summary>Reads <c>{}</c> (an empty map) with the generated resolver: what a payload without any member gives.</summary>
    private const string FromEmptyMap =
        "MessagePackSerializer.Deserialize<Item>(new byte[] { 0x80 }, MessagePackSerializerOptions.Standard.WithResolver(Memstore.Generated.MemstoreResolver.Instance))";

    private static IEnumerable<CatalogueCase> ShapeMistakes()
    {
        // State that would be written as {} and read back as default.
        yield return new("Int128 member", "public sealed class Item { public Int128 Big { get; set; } }\n" + Marked("Item"), "MEMS1005")
        { Message = "Item.Big: 'global::System.Int128' has no public members to serialize; its state would be lost" };
        yield return new("UInt128 value", Marked("UInt128"), "MEMS1005") { Message = "has no public members to serialize; its state would be lost" };
        yield return new("class with only private fields", """
            public sealed class Item { private readonly int _count = 1; public int Get() => _count; }
            """ + Marked("Item"), "MEMS1005") { Message = "'global::Item' has no public members to serialize; its state would be lost" };
        yield return new("state only in a base class's private auto-property", """
            public class Base { private int Count { get; set; } public void Bump() => Count++; }
            public sealed class Item : Base { }
            """ + Marked("Item"), "MEMS1005") { Message = "'global::Item' has no public members to serialize" };
        yield return new("state only in private fields of a referenced project's class", Marked("Lib.Counter"), "MEMS1005")
        {
            Library = "namespace Lib { public sealed class Counter { private int _count; public void Bump() => _count++; public int Read() => _count; } }",
            Message = "'global::Lib.Counter' has no public members to serialize; its state would be lost",
        };
        yield return new("class deriving List<int>", "public sealed class MyList : List<int> { }\n" + Marked("MyList"), "MEMS1005")
        { Message = "'global::MyList' is a collection (it implements IEnumerable) but not one the generator supports; use an array, List<T>, HashSet<T>, Dictionary<TKey, TValue>" };
        yield return new("class deriving Dictionary<string, int>", "public sealed class MyDict : Dictionary<string, int> { }\npublic sealed record Item(MyDict Map);\n" + Marked("Item"), "MEMS1005")
        { Message = "Item.Map: 'global::MyDict' is a collection (it implements IEnumerable)" };

        // Keys of [MessagePackObject] types.
        yield return new("two members with [Key(0)]", """
            [MessagePackObject] public sealed class Item { [Key(0)] public int A { get; set; } [Key(0)] public int B { get; set; } }
            """ + Marked("Item"), "MEMS1005")
        { Message = "'global::Item.B' has the same key as 'A' ([Key(0)]), so one would overwrite the other; give each member its own key" };
        yield return new("two members with [Key(\"a\")]", """
            [MessagePackObject] public sealed class Item { [Key("a")] public int A { get; set; } [Key("a")] public string B { get; set; } = ""; }
            """ + Marked("Item"), "MEMS1005")
        { Message = "'global::Item.B' has the same key as 'A' (\"a\"), so one would overwrite the other" };
        yield return new("a [Key(\"name\")] equal to another member's name", """
            public sealed class Item { [Key("B")] public int A { get; set; } public int B { get; set; } }
            """ + Marked("Item"), "MEMS1005") { Message = "'global::Item.B' has the same key as 'A' (\"B\")" };
        yield return new("negative [Key(int)]", """
            [MessagePackObject] public sealed class Item { [Key(-1)] public int A { get; set; } [Key(0)] public int B { get; set; } }
            """ + Marked("Item"), "MEMS1005") { Message = "'global::Item.A' has [Key(-1)]; a key index cannot be negative" };
        yield return new("[Key(int.MaxValue)]", """
            [MessagePackObject] public sealed class Item { [Key(int.MaxValue)] public int A { get; set; } }
            """ + Marked("Item"), "MEMS1005") { Message = "'global::Item.A' has [Key(2147483647)], over 1024, the largest index the generator accepts" };
        yield return new("[Key(1025)]", """
            [MessagePackObject] public sealed class Item { [Key(0)] public int A { get; set; } [Key(1025)] public int B { get; set; } }
            """ + Marked("Item"), "MEMS1005") { Message = "'global::Item.B' has [Key(1025)], over 1024" };

        // Constructors that do not fit the members.
        yield return new("[SerializationConstructor] with a parameter that matches no member", """
            public sealed class Item { [SerializationConstructor] public Item(int x, int y) { X = x; } public Item() { } public int X { get; set; } }
            """ + Marked("Item"), "MEMS1005") { Message = "its [SerializationConstructor] Item(int x, int y) does not fit: parameter 'y' matches no public member" };
        yield return new("only constructor with a parameter of another type", """
            public sealed class Item { public Item(int x) { X = x; } public long X { get; } }
            """ + Marked("Item"), "MEMS1005")
        { Message = "no public constructor whose parameters all match members by name and type (Item(int x): parameter 'x' is 'int' but the member 'X' is 'long'; give them the same type)" };
        yield return new("constructor parameter matching two members by case only", """
            public sealed class Item { public Item(int ab) { Ab = ab; aB = ab; } public int Ab { get; } public int aB; }
            """ + Marked("Item"), "MEMS1005") { Message = "parameter 'ab' matches both 'Ab' and 'aB' (their names differ only in case)" };
    }

    private static IEnumerable<CatalogueCase> ShapeEdges()
    {
        yield return new("BigInteger and Half members", """
            public sealed class Item { public System.Numerics.BigInteger Big { get; set; } public Half H { get; set; } }
            """ + Store("Item"))
        { RoundTrip = new("Item", "new Item { Big = 42, H = (Half)1.5 }", "{\"Big\":\"Kg==\",\"H\":1.5}", Contractless: true) };
        yield return new("members named like generated locals", """
            public sealed class Item { public int X { get; set; } public bool XRead { get; set; } public int __0_X { get; set; } public string __read_0 { get; set; } = ""; }
            """ + Store("Item"))
        { RoundTrip = new("Item", "new Item { X = 1, XRead = true, __0_X = 2, __read_0 = \"r\" }", "{\"X\":1,\"XRead\":true,\"__0_X\":2,\"__read_0\":\"r\"}", Contractless: true) };
        yield return new("[Key(1024)] is the largest index", """
            [MessagePackObject] public sealed class Item { [Key(0)] public int A { get; set; } [Key(1024)] public int B { get; set; } }
            """ + Store("Item"))
        { Check = sources => Assert.Contains("writer.WriteArrayHeader(1025);", sources.Single(s => s.Key.Contains("ItemFormatter", StringComparison.Ordinal)).Value) };
        yield return new("constructor defaults of every constant kind", """
            public enum Level { Low = -1, High = 1 }
            public sealed record Item(Level L = Level.Low, double D = double.NaN, float F = float.PositiveInfinity, double E = double.NegativeInfinity,
                decimal M = -1.5m, char C = '\'', string S = "a\"b\n\u0001", string? N = null, long Min = long.MinValue, int? Maybe = -3,
                Level? Nl = Level.Low, double Z = -0.0, float Small = 1e-20f, DateTime At = default);
            """ + Store("Item"))
        {
            RoundTrip = new("Item", FromEmptyMap, "{\"L\":-1,\"D\":NaN,\"F\":Infinity,\"E\":-Infinity,\"M\":\"-1.5\",\"C\":39,\"S\":\"a\\\"b\\n\u0001\","
                + "\"N\":null,\"Min\":-9223372036854775808,\"Maybe\":-3,\"Nl\":-1,\"Z\":-0,\"Small\":1E-20,\"At\":\"0001-01-01T00:00:00.0000000Z\"}"),
        };
        yield return new("constructor parameter named like two members, one of the exact case", """
            public sealed record Item(int X) { public int x; }
            """ + Store("Item"))
        { RoundTrip = new("Item", "new Item(1) { x = 2 }", "{\"X\":1,\"x\":2}", Contractless: true) };
        yield return new("constructor parameter matching a field exactly and a property by case", """
            public sealed class Item { public Item(int x) { X = x; } public int X { get; } public int x; }
            """ + Store("Item"));
        yield return new("constructor of another type skipped for the parameterless one", """
            public sealed class Item { public Item() { } public Item(int x) { X = x; } public long X { get; set; } }
            """ + Store("Item"))
        { RoundTrip = new("Item", "new Item { X = 5 }", "{\"X\":5}", Contractless: true) };
    }
}
