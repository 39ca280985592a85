namespace Memstore.Generators.Tests.Catalogue;

public static partial class CatalogueCases
{
    /// <summary>Stores the generated constructor Store(MemcacheClient client), which calls base(), cannot be written for.</summary>
    private static IEnumerable<CatalogueCase> Constructors()
    {
        const string Products = "[Keyspace(\"p:{id}\")] public partial Keyspace<int, string> Products { get; }";
        static Action<IReadOnlyDictionary<string, string>> StubsOnly(string file) => sources =>
        {
            Assert.Contains("throw new global::System.InvalidOperationException", sources[file]);
            Assert.DoesNotContain("MemcacheClient client)", sources[file]);
        };
        yield return new("store with a primary constructor", $$"""
            [MemcacheStore] public partial class Shop[|(string name)|] { public string Name => name; {{Products}} }
            """, "MEMS1013") { Message = "it has a primary constructor", Check = StubsOnly("Shop.g.cs") };
        yield return new("positional record store", $$"""
            [MemcacheStore] public partial record Shop[|(string Name)|] { {{Products}} }
            """, "MEMS1013") { Message = "it has a primary constructor", Check = StubsOnly("Shop.g.cs") };
        yield return new("store whose base has no parameterless constructor", $$"""
            public class BaseStore { public BaseStore(int n) { } }
            [MemcacheStore] public partial class Shop : [|BaseStore|] { public Shop() : base(1) { } {{Products}} }
            """, "MEMS1013") { Message = "its base class 'BaseStore' has no accessible parameterless constructor", Check = StubsOnly("Shop.g.cs") };
        yield return new("store whose base constructor is private", $$"""
            public class BaseStore { private BaseStore() { } public BaseStore(int n) { } }
            [MemcacheStore] public partial class Shop : [|BaseStore|] { public Shop() : base(1) { } {{Products}} }
            """, "MEMS1013") { Message = "no accessible parameterless constructor" };
        yield return new("store deriving from another store", $$"""
            [MemcacheStore(Prefix = "a:")] public partial class Shop { {{Products}} }
            [MemcacheStore(Prefix = "b:")] public partial class Outlet : [|Shop|] { public Outlet() : base((MemcacheClient)null!) { } [Keyspace("o:{id}")] public partial Keyspace<int, string> Offers { get; } }
            """, "MEMS1013") { Message = "it derives from the store 'Shop'", Check = StubsOnly("Outlet.g.cs") };
        yield return new("store whose base has a protected parameterless constructor", $$"""
            public abstract class BaseStore { protected BaseStore() { } public int Extra { get; set; } }
            [MemcacheStore] public partial class Shop : BaseStore { {{Products}} }
            """);
        yield return new("store whose base constructor has only optional parameters", $$"""
            public class BaseStore { public BaseStore(int n = 1) { } }
            [MemcacheStore] public partial class Shop : BaseStore { {{Products}} }
            """);
        yield return new("store whose base class does not compile", $$"""
            [MemcacheStore] public partial class Shop : MissingBase { {{Products}} }
            """) { UserErrors = ["CS0246"] };
        yield return new("store whose base class has a Client member", $$"""
            public class BaseStore { public string Client { get; set; } = ""; }
            [MemcacheStore] public partial class Shop : BaseStore { {{Products}} }
            """) { Check = sources => Assert.DoesNotContain("MemcacheClient Client {", sources["Shop.g.cs"]) };
        yield return new("store implementing an interface only", $$"""
            public interface IShop { }
            [MemcacheStore] public partial class Shop : IShop { {{Products}} }
            """);
    }
}
