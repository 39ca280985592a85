namespace Memstore.Generators.Tests.Catalogue;

public static partial class CatalogueCases
{
    private static string Store(string valueType, string name = "Shop") =>
        $"[MemcacheStore(Prefix = \"v:\")] public partial class {name} {{ [Keyspace(\"p:{{id}}\")] public partial Keyspace<int, {valueType}> Products {{ get; }} }}";

    /// <summary>Declarations that must build without a diagnostic, and store what they hold.</summary>
    private static IEnumerable<CatalogueCase> ValidEdges()
    {
        yield return new("class deriving a class", """
            public class Animal { public string Name { get; set; } = ""; public int Legs { get; set; } }
            public sealed class Dog : Animal { public string Breed { get; set; } = ""; }
            """ + Store("Dog"))
        { RoundTrip = new("Dog", "new Dog { Name = \"rex\", Legs = 4, Breed = \"lab\" }", "{\"Name\":\"rex\",\"Legs\":4,\"Breed\":\"lab\"}") };
        yield return new("positional record deriving a record", """
            public record Person(string Name);
            public sealed record Manager(string Name, int Reports) : Person(Name);
            """ + Store("Manager"))
        { RoundTrip = new("Manager", "new Manager(\"ann\", 3)", "{\"Name\":\"ann\",\"Reports\":3}") };
        yield return new("three levels with fields and an abstract base", """
            public abstract class Entity { public Guid Id; public abstract string Kind { get; } }
            public class Named : Entity { public string Name { get; set; } = ""; public override string Kind => "named"; }
            public sealed class Tagged : Named { public List<string> Tags { get; set; } = new(); }
            """ + Store("Tagged"))
        { RoundTrip = new("Tagged", "new Tagged { Id = Guid.Empty, Name = \"t\", Tags = [\"a\"] }", "{\"Id\":\"00000000-0000-0000-0000-000000000000\",\"Name\":\"t\",\"Tags\":[\"a\"]}") };
        yield return new("new member of another type", """
            public class Base { public int Size { get; set; } }
            public sealed class Item : Base { public new string Size { get; set; } = ""; }
            """ + Store("Item"))
        { RoundTrip = new("Item", "new Item { Size = \"large\" }", "{\"Size\":0,\"Item.Size\":\"large\"}") };
        yield return new("base type from a referenced project", """
            public sealed class Tagged : Lib.SharedBase { public int Own { get; set; } }
            """ + Store("Tagged"))
        {
            Library = "namespace Lib { public class SharedBase { public string Shared { get; set; } = \"\"; } }",
            RoundTrip = new("Tagged", "new Tagged { Shared = \"s\", Own = 1 }", "{\"Shared\":\"s\",\"Own\":1}"),
        };
        yield return new("required members", """
            public sealed class Item { public required string Name { get; set; } public required int Count { get; init; } public int Other { get; set; } }
            """ + Store("Item"))
        { RoundTrip = new("Item", "new Item { Name = \"n\", Count = 2, Other = 3 }", "{\"Name\":\"n\",\"Count\":2,\"Other\":3}") };
        yield return new("struct value with a constructor", """
            public readonly struct Point { public Point(int x, int y) { X = x; Y = y; } public int X { get; } public int Y { get; } }
            """ + Store("Point"))
        { RoundTrip = new("Point", "new Point(3, -4)", "{\"X\":3,\"Y\":-4}") };
        yield return new("flags enum nested in a public class", """
            public static class Types { [Flags] public enum Perm : byte { None = 0, Read = 1, Write = 2 } }
            """ + Store("Dictionary<string, Types.Perm>"))
        { RoundTrip = new("Dictionary<string, Types.Perm>", "new() { [\"a\"] = Types.Perm.Read | Types.Perm.Write }", "{\"a\":3}") };
        yield return new("protected internal nested value", """
            public partial class Outer
            {
                protected internal sealed record Item(string Name);
                [MemcacheStore] internal partial class Shop { [Keyspace("p:{id}")] internal partial Keyspace<int, Item> Products { get; } }
            }
            """)
        { RoundTrip = new("Outer.Item", "new Outer.Item(\"x\")", "{\"Name\":\"x\"}") };
        yield return new("indexers, statics and ignored members are left out", """
            public sealed class Item
            {
                public static int Shared { get; set; }
                public int this[int i] => i;
                [IgnoreMember] public string Cache { get; set; } = "";
                public int Kept { get; set; }
                public int Computed => Kept * 2;
            }
            """ + Store("Item"))
        { RoundTrip = new("Item", "new Item { Kept = 5, Cache = \"x\" }", "{\"Kept\":5}") };
        yield return new("nullable and collection members", """
            public sealed record Item(int? Maybe, string? Note, Dictionary<Guid, List<int>> Map, HashSet<string> Set, IReadOnlyList<long> Longs);
            """ + Store("Item"))
        { RoundTrip = new("Item", "new Item(null, \"n\", new(), [\"s\"], [1L])", "{\"Maybe\":null,\"Note\":\"n\",\"Map\":{},\"Set\":[\"s\"],\"Longs\":[1]}") };
        yield return new("store nested in partial containers", """
            namespace Deep.Er;
            public partial class A { public partial class B { [MemcacheStore(Prefix = "n:")] public partial class Shop { [Keyspace("p:{id}")] public partial Keyspace<int, string> P { get; } } } }
            """);
        yield return new("store in the global namespace with every member kind", """
            [MemcacheStore(Prefix = "all:", DefaultTtlSeconds = 60)]
            public partial class Everything
            {
                [Keyspace("k:{id}:{region}", TtlSeconds = 0)] public partial Keyspace<(Guid Id, string Region), byte[]> K { get; }
                [Counter("c:{page}")] public partial CounterKeyspace<string> C { get; }
                [McasGroup("m:{id}")] public partial McasKeyspace<long, string> M { get; }
                [Deque("q")] public partial TypedDeque<string> Q { get; }
            }
            """);
        yield return new("DateTime member comes back as UTC", """
            public sealed record Stamp(DateTime At);
            """ + Store("Stamp"))
        { RoundTrip = new("Stamp", "new Stamp(new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc))", "{\"At\":\"2024-01-02T03:04:05.0000000Z\"}") };
        yield return new("internal store and internal value", """
            internal sealed class Item { public string Name { get; set; } = ""; }
            [MemcacheStore] internal partial class Shop { [Keyspace("p:{id}")] internal partial Keyspace<string, Item> Products { get; } }
            """)
        { RoundTrip = new("Item", "new Item { Name = \"i\" }", "{\"Name\":\"i\"}") };
    }
}

