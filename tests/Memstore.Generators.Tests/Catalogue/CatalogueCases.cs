namespace Memstore.Generators.Tests.Catalogue;

/// <summary>A value to round-trip through the generated formatters: its type, a C# expression, and the JSON of its bytes.</summary>
/// <remarks><paramref name="Contractless"/>: the bytes must also equal MessagePack's ContractlessStandardResolver's.</remarks>
public sealed record RoundTripCase(string Type, string Value, string Json, bool Contractless = false);

/// <summary>
/// One entry of the catalogue. <see cref="Expect"/>: the MEMS ID reported at the <c>[|...|]</c> span of
/// <see cref="Source"/> (with <see cref="Also"/>, in ID order, the only other MEMS IDs); null: a clean build.
/// <see cref="UserErrors"/>: exactly the compiler errors the user's own declarations carry (none is in generated code).
/// </summary>
public sealed record CatalogueCase(string Name, string Source, string? Expect = null)
{
    public string[] Also { get; init; } = [];
    public string[] UserErrors { get; init; } = [];
    public string? Message { get; init; }
    public string? Library { get; init; }
    public RoundTripCase? RoundTrip { get; init; }
    public Action<IReadOnlyDictionary<string, string>>? Check { get; init; }
}

public static partial class CatalogueCases
{
    public const string Usings = "using System; using System.Collections.Generic; using Memstore; using MessagePack;\n";

    public static readonly IReadOnlyList<CatalogueCase> All = [.. StoreShapes(), .. Members(), .. Values(), .. Keys(), .. Templates(), .. HintNames(), .. Constructors(), .. NameCollisions(), .. ValidEdges(), .. ShapeMistakes(), .. ShapeEdges()];

    private static IEnumerable<CatalogueCase> StoreShapes()
    {
        yield return new("store not partial", "[MemcacheStore] public class [|Shop|] { }", "MEMS1001");
        yield return new("store with keyspaces not partial", """
            [MemcacheStore] public class [|Shop|] { [Keyspace("p:{id}")] public partial Keyspace<int, string> Products { get; } }
            """, "MEMS1001") { UserErrors = ["CS0751", "CS9248"] };
        yield return new("container of a store with keyspaces not partial", """
            public class [|Outer|] { [MemcacheStore] public partial class Shop { [Keyspace("p:{id}")] public partial Keyspace<int, string> Products { get; } } }
            """, "MEMS1002") { UserErrors = ["CS9248"] };
        yield return new("container not partial", "public class [|Outer|] { [MemcacheStore] public partial class Shop { } }", "MEMS1002");
        yield return new("static store", """
            [MemcacheStore] public static partial class [|Shop|]
            {
                [Keyspace("p:{id}")] public partial Keyspace<int, string> Products { get; }
            }
            """, "MEMS1013") { UserErrors = ["CS0708", "CS9248"], Message = "cannot be static" };
        yield return new("file-local store", """
            [MemcacheStore] file partial class [|Shop|]
            {
                [Keyspace("p:{id}")] public partial Keyspace<int, string> Products { get; }
            }
            """, "MEMS1013") { UserErrors = ["CS9248"], Message = "file-local" };
        yield return new("file-local store with a file-local value", """
            file sealed record Item(string Name);
            [MemcacheStore] file partial class [|Shop|]
            {
                [Keyspace("p:{id}")] public partial Keyspace<int, Item> Products { get; }
            }
            """, "MEMS1013") { Also = ["MEMS1005"], UserErrors = ["CS9248"] };
        yield return new("store nested in a file-local class", """
            file partial class Outer { [MemcacheStore] public partial class [|Shop|] { } }
            """, "MEMS1013") { Message = "nested in the file-local 'Outer'" };
        yield return new("struct store", """
            [MemcacheStore] public partial struct [|Shop|]
            {
                [Keyspace("p:{id}")] public partial Keyspace<int, string> Products { get; }
            }
            """, "MEMS1013") { UserErrors = ["CS0592"], Message = "must be a class" };
        yield return new("record struct store", """
            [MemcacheStore] public partial record struct [|Shop|];
            """, "MEMS1013") { UserErrors = ["CS0592"], Message = "must be a class" };
        yield return new("interface store", """
            [MemcacheStore] public partial interface [|IShop|] { }
            """, "MEMS1013") { UserErrors = ["CS0592"], Message = "must be a class" };
        yield return new("attribute on two parts with the same arguments", """
            [MemcacheStore(Prefix = "s:")] public partial class Shop { [Keyspace("a:{id}")] public partial Keyspace<int, string> A { get; } }
            [MemcacheStore(Prefix = "s:")] public partial class Shop { [Keyspace("b:{id}")] public partial Keyspace<int, string> B { get; } }
            """) { UserErrors = ["CS0579"], Check = sources => Assert.Single(sources.Keys, k => k.StartsWith("Shop", StringComparison.Ordinal)) };
        yield return new("attribute on two parts with different prefixes", """
            [MemcacheStore(Prefix = "s:")] public partial class Shop { [Keyspace("a:{id}")] public partial Keyspace<int, string> A { get; } }
            [[|MemcacheStore(Prefix = "t:")|]] public partial class Shop { }
            """, "MEMS1014") { UserErrors = ["CS0579"], Message = "sets Prefix to \"t:\"" };
        yield return new("attribute on two parts with different TTLs", """
            [MemcacheStore(DefaultTtlSeconds = 5)] public partial class Shop { }
            [[|MemcacheStore(DefaultTtlSeconds = 6)|]] public partial class Shop { [Keyspace("a:{id}")] public partial Keyspace<int, string> A { get; } }
            """, "MEMS1014") { UserErrors = ["CS0579"] };
        yield return new("keyspaces spread over partial declarations", """
            [MemcacheStore(Prefix = "s:")] public partial class Shop { [Keyspace("a:{id}")] public partial Keyspace<int, string> A { get; } }
            public partial class Shop { [Keyspace("b:{id}")] public partial Keyspace<int, string> B { get; } }
            """);
        yield return new("keyspace in a class without the store attribute", """
            public partial class Helpers { [Keyspace("p:{id}")] public partial Keyspace<int, string> [|Products|] { get; } }
            """, "MEMS1010") { UserErrors = ["CS9248"], Message = "'Helpers' is not a store" };
        yield return new("store declares the generated constructor", """
            [MemcacheStore] public partial class Shop
            {
                public [|Shop|](MemcacheClient client) { }
                [Keyspace("p:{id}")] public partial Keyspace<int, string> Products { get; }
            }
            """, "MEMS1012");
        yield return new("brace in the prefix skips the store but stubs its keyspaces", """
            [MemcacheStore(Prefix = [|"s{x}:"|])] public partial class Shop
            {
                [Keyspace("p:{id}")] public partial Keyspace<int, string> Products { get; }
            }
            """, "MEMS1009") { Check = sources => Assert.Contains("throw new global::System.InvalidOperationException", sources["Shop.g.cs"]) };
        yield return new("generic store", """
            [MemcacheStore] public partial class Shop<T>
            {
                [Keyspace("p:{id}")] public partial Keyspace<int, string> [|Products|] { get; }
            }
            """, "MEMS1003");
        yield return new("record class store", """
            [MemcacheStore(Prefix = "r:")] public partial record Shop
            {
                [Keyspace("p:{id}")] public partial Keyspace<int, string> Products { get; }
            }
            """);
    }

    private static IEnumerable<CatalogueCase> Members()
    {
        yield return new("keyspace not partial", """
            [MemcacheStore] public partial class Shop { [Keyspace("p:{id}")] public Keyspace<int, string> [|Products|] => null!; }
            """, "MEMS1003");
        yield return new("keyspace with an accessor body", """
            [MemcacheStore] public partial class Shop { [Keyspace("p:{id}")] public partial Keyspace<int, string> [|Products|] { get => null!; } }
            """, "MEMS1003") { UserErrors = ["CS9249"] };
        yield return new("static keyspace", """
            [MemcacheStore] public partial class Shop { [Keyspace("p:{id}")] public static partial Keyspace<int, string> [|Products|] { get; } }
            """, "MEMS1003");
        yield return new("keyspace with a setter", """
            [MemcacheStore] public partial class Shop { [Keyspace("p:{id}")] public partial Keyspace<int, string> [|Products|] { get; set; } }
            """, "MEMS1003") { UserErrors = ["CS9248"] };
        yield return new("keyspace of the wrong type", """
            [MemcacheStore] public partial class Shop { [Keyspace("p:{id}")] public partial [|List<string>|] Products { get; } }
            """, "MEMS1003");
        yield return new("counter on a keyspace type", """
            [MemcacheStore] public partial class Shop { [Counter("v:{id}")] public partial [|Keyspace<int, string>|] Views { get; } }
            """, "MEMS1003");
        yield return new("deque name with a placeholder", """
            [MemcacheStore] public partial class Jobs { [Deque([|"q:{id}"|])] public partial TypedDeque<string> Queue { get; } }
            """, "MEMS1003");
        yield return new("negative keyspace TTL", """
            [MemcacheStore] public partial class Shop { [Keyspace("p:{id}", TtlSeconds = [|-2|])] public partial Keyspace<int, string> Products { get; } }
            """, "MEMS1011");
    }

    private static IEnumerable<CatalogueCase> Values()
    {
        static string Store(string valueType) =>
            $"[MemcacheStore] public partial class Shop {{ [Keyspace(\"p:{{id}}\")] public partial [|Keyspace<int, {valueType}>|] Products {{ get; }} }}";
        yield return new("object value", Store("object"), "MEMS1005");
        yield return new("interface value", "public interface IItem { }\n" + Store("IItem"), "MEMS1005");
        yield return new("abstract value", "public abstract class Base { public int X { get; set; } }\n" + Store("Base"), "MEMS1005");
        yield return new("value with no usable constructor", "public sealed class Item { public Item(int other) { } public int X { get; set; } }\n" + Store("Item"), "MEMS1005");
        yield return new("multi-dimensional array value", Store("int[,]"), "MEMS1005");
        yield return new("generic user type value", "public sealed class Box<T> { public T? Value { get; set; } }\n" + Store("Box<int>"), "MEMS1005");
        yield return new("value tuple value", Store("(int Count, string Name)"), "MEMS1005") { Message = "value tuple" };
        yield return new("delegate member", "public sealed class Item { public Action? OnChange { get; set; } }\n" + Store("Item"), "MEMS1005") { Message = "Item.OnChange" };
        yield return new("Span<byte> value", Store("Span<byte>"), "MEMS1005") { UserErrors = ["CS9244", "CS9248"], Message = "ref struct" };
        yield return new("private nested value", """
            [MemcacheStore] public partial class Shop
            {
                private sealed class Secret { public int X { get; set; } }
                [Keyspace("p:{id}")] private partial [|Keyspace<int, Secret>|] Products { get; }
            }
            """, "MEMS1005") { Message = "private" };
        yield return new("public value nested in a private class two levels up", """
            public partial class Outer
            {
                private class Hidden { public class Middle { public sealed class Item { public int X { get; set; } } } }
                [MemcacheStore] private partial class Shop
                {
                    [Keyspace("p:{id}")] public partial [|Keyspace<int, Hidden.Middle.Item>|] Products { get; }
                }
            }
            """, "MEMS1005") { Message = "nested in 'global::Outer.Hidden', which is private" };
        yield return new("file-local value in an internal store", """
            file sealed class Item { public int X { get; set; } }
            [MemcacheStore] internal partial class Shop
            {
                [Keyspace("p:{id}")] public partial [|Keyspace<int, Item>|] Products { get; }
            }
            """, "MEMS1005") { UserErrors = ["CS9051", "CS9248"], Message = "file-local" };
        yield return new("member hidden by an init-only new member", """
            public class Base { public int X { get; init; } }
            public sealed class Item : Base { public new long X { get; init; } }
            """ + Store("Item"), "MEMS1005") { Message = "init-only" };
        yield return new("some int keys missing", """
            [MessagePackObject] public sealed class Item { [Key(0)] public int A { get; set; } public int B { get; set; } }
            """ + Store("Item"), "MEMS1005") { Message = "[Key(int)]" };
    }

    private static IEnumerable<CatalogueCase> Keys()
    {
        yield return new("DateTime key", """
            [MemcacheStore] public partial class Shop { [Keyspace("p:{when}")] public partial [|Keyspace<DateTime, string>|] Products { get; } }
            """, "MEMS1004");
        yield return new("tuple key with a double element", """
            [MemcacheStore] public partial class Shop { [Keyspace("p:{a}:{b}")] public partial [|Keyspace<(int A, double B), string>|] Products { get; } }
            """, "MEMS1004");
        yield return new("malformed template", """
            [MemcacheStore] public partial class Shop { [Keyspace([|"p:{id"|])] public partial Keyspace<int, string> Products { get; } }
            """, "MEMS1006");
        yield return new("placeholder count", """
            [MemcacheStore] public partial class Shop { [Keyspace([|"p:{id}:{x}"|])] public partial Keyspace<int, string> Products { get; } }
            """, "MEMS1006");
        yield return new("overlap within a store", """
            [MemcacheStore] public partial class Shop
            {
                [Keyspace("p:{id}")] public partial Keyspace<int, string> Products { get; }
                [Keyspace([|"p:{name}"|])] public partial Keyspace<string, string> ByName { get; }
            }
            """, "MEMS1007");
        yield return new("two stores with the same prefix", """
            public sealed record Book(string Title); public sealed record Review(string Author, int Stars);
            [MemcacheStore(Prefix = "lib:")] public partial class Books { [Keyspace("item:{id}")] public partial Keyspace<int, Book> Items { get; } }
            [MemcacheStore(Prefix = "lib:")] public partial class Reviews { [Keyspace([|"item:{id}"|])] public partial Keyspace<int, Review> Items { get; } }
            """, "MEMS1007") { Message = "'Books.Items'" };
        yield return new("a prefix that reaches into another store's keys", """
            [MemcacheStore(Prefix = "a:")] public partial class One { [Keyspace("b:{id}")] public partial Keyspace<string, string> Items { get; } }
            [MemcacheStore(Prefix = "a:b:")] public partial class Two { [Keyspace([|"x{id}"|])] public partial Keyspace<int, string> Items { get; } }
            """, "MEMS1007");
        yield return new("two stores with distinct prefixes", """
            [MemcacheStore(Prefix = "books:")] public partial class Books { [Keyspace("item:{id}")] public partial Keyspace<int, string> Items { get; } }
            [MemcacheStore(Prefix = "reviews:")] public partial class Reviews { [Keyspace("item:{id}")] public partial Keyspace<int, string> Items { get; } }
            """);
        yield return new("a store of a referenced project with the same prefix", """
            [MemcacheStore(Prefix = "lib:")] public partial class Reviews { [Keyspace([|"item:{id}"|])] public partial Keyspace<int, string> Items { get; } }
            """, "MEMS1007")
        {
            Library = """
                namespace Lib { [MemcacheStore(Prefix = "lib:")] public partial class Books { [Keyspace("item:{id}")] public partial Keyspace<int, string> Items { get; } } }
                """,
            Message = "Lib.Books.Items (assembly CatalogueLibrary)",
        };
        yield return new("a store of a referenced project with another prefix", """
            [MemcacheStore(Prefix = "reviews:")] public partial class Reviews { [Keyspace("item:{id}")] public partial Keyspace<int, string> Items { get; } }
            """)
        {
            Library = """
                namespace Lib { [MemcacheStore(Prefix = "books:")] public partial class Books { [Keyspace("item:{id}")] public partial Keyspace<int, string> Items { get; } } }
                """,
        };
        yield return new("template too long", $$"""
            [MemcacheStore] public partial class Shop { [Keyspace([|"{{new string('k', 260)}}:{id}"|])] public partial Keyspace<int, string> Products { get; } }
            """, "MEMS1008");
        yield return new("space in a template", """
            [MemcacheStore] public partial class Shop { [Keyspace([|"p {id}"|])] public partial Keyspace<int, string> Products { get; } }
            """, "MEMS1009");
    }
}
