namespace Memstore.Generators.Tests.Catalogue;

public static partial class CatalogueCases
{
    /// <summary>Distinct types whose generated files (or formatter classes) were named alike: CS8785 lost every store's code.</summary>
    private static IEnumerable<CatalogueCase> HintNames()
    {
        static Action<IReadOnlyDictionary<string, string>> Files(params string[] names) =>
            sources => Assert.All(names, n => Assert.Contains(n, sources.Keys));
        yield return new("stores in Outer<T> and Outer_T_", """
            public partial class Outer<T> { [MemcacheStore] public partial class Shop { } }
            public partial class Outer_T_ { [MemcacheStore] public partial class Shop { } }
            """) { Check = Files("Outer_003CT_003E.Shop.g.cs", "Outer_005FT_005F.Shop.g.cs") };
        yield return new("stores named Shop_ and Shop\u203F", """
            [MemcacheStore(Prefix = "a:")] public partial class Shop_ { [Keyspace("p:{id}")] public partial Keyspace<int, string> P { get; } }
            [MemcacheStore(Prefix = "b:")] public partial class Shop‿ { [Keyspace("p:{id}")] public partial Keyspace<int, string> P { get; } }
            """) { Check = Files("Shop_005F.g.cs", "Shop_203F.g.cs") };
        yield return new("stores whose names differ only by case", """
            [MemcacheStore(Prefix = "a:")] public partial class Shop { [Keyspace("p:{id}")] public partial Keyspace<int, string> P { get; } }
            [MemcacheStore(Prefix = "b:")] public partial class SHOP { [Keyspace("p:{id}")] public partial Keyspace<int, string> P { get; } }
            """) { Check = Files("SHOP.g.cs", "Shop_n2.g.cs") };
        yield return new("store in namespace Memstore.Generated", """
            namespace Memstore.Generated { [MemcacheStore] public partial class MemstoreResolver { [Keyspace("p:{id}")] public partial Keyspace<int, string> P { get; } } }
            """) { Check = Files("Memstore.Generated.MemstoreResolver_store.g.cs") };
        yield return new("value types whose formatter names flattened alike", """
            namespace A_ { public sealed record B(int X); }
            namespace A { public sealed record _B(int Y); }
            [MemcacheStore] public partial class Shop
            {
                [Keyspace("one:{id}")] public partial Keyspace<int, A_.B> One { get; }
                [Keyspace("two:{id}")] public partial Keyspace<int, A._B> Two { get; }
            }
            """) { Check = Files("Memstore.Generated.A_0_BFormatter.g.cs", "Memstore.Generated.A__0BFormatter.g.cs") };
        yield return new("value referring to a type with '_' in its name", """
            namespace N { public sealed record Line_Item(int X); public sealed record Order(Line_Item Line); }
            [MemcacheStore] public partial class Shop { [Keyspace("o:{id}")] public partial Keyspace<int, N.Order> Orders { get; } }
            """)
        {
            Check = sources => Assert.Contains("global::Memstore.Generated.N_Line_0ItemFormatter.Instance", sources["Memstore.Generated.N_OrderFormatter.g.cs"]),
            RoundTrip = new("N.Order", "new N.Order(new N.Line_Item(2))", "{\"Line\":{\"X\":2}}"),
        };
        yield return new("value types whose names differ only by case", """
            namespace N { public sealed record Item(int X); public sealed record ITEM(int Y); }
            [MemcacheStore] public partial class Shop
            {
                [Keyspace("one:{id}")] public partial Keyspace<int, N.Item> One { get; }
                [Keyspace("two:{id}")] public partial Keyspace<int, N.ITEM> Two { get; }
            }
            """) { Check = Files("Memstore.Generated.N_ITEMFormatter.g.cs", "Memstore.Generated.N_ItemFormatter_2.g.cs") };
    }
}
