namespace Memstore.Generators.Tests.Catalogue;

public static partial class CatalogueCases
{
    /// <summary>Templates whose keys could be ambiguous, and messages that must say what the grammar means.</summary>
    private static IEnumerable<CatalogueCase> Templates()
    {
        yield return new("adjacent int placeholders", """
            [MemcacheStore] public partial class Shop { [Keyspace([|"{a}{b}"|])] public partial Keyspace<(int A, int B), string> Pairs { get; } }
            """, "MEMS1006") { Message = "placeholders '{a}' and '{b}' must be separated by literal text" };
        yield return new("adjacent string placeholders after literal text", """
            [MemcacheStore] public partial class Shop { [Keyspace([|"s{x}{y}"|])] public partial Keyspace<(string X, string Y), string> Pairs { get; } }
            """, "MEMS1006") { Message = "placeholders '{x}' and '{y}' must be separated by literal text" };
        yield return new("adjacent placeholders in an MCAS group", """
            [MemcacheStore] public partial class Bank { [McasGroup([|"a:{x}{y}"|])] public partial McasKeyspace<(int X, int Y), string> Accounts { get; } }
            """, "MEMS1006") { Message = "must be separated by literal text" };
        yield return new("placeholders separated by one character", """
            [MemcacheStore] public partial class Shop { [Keyspace("{a}-{b}")] public partial Keyspace<(int A, int B), string> Pairs { get; } }
            """);
        yield return new("tuple element names that differ only by case", """
            [MemcacheStore] public partial class Shop { [Keyspace([|"y:{A}:{a}"|])] public partial Keyspace<(int A, int a), string> Pairs { get; } }
            """, "MEMS1006") { Message = "tuple element names must differ case-insensitively" };
        yield return new("placeholder name with spaces inside the braces", """
            [MemcacheStore] public partial class Shop
            {
                [Keyspace("x:{ id }")] public partial Keyspace<int, string> Items { get; }
            }
            """) { Check = sources => Assert.Contains("builder.Append(\"x:\"u8);", sources["Shop.g.cs"]) };
        yield return new("space in the literal text next to a placeholder", """
            [MemcacheStore] public partial class Shop { [Keyspace([|"x :{ id }"|])] public partial Keyspace<int, string> Items { get; } }
            """, "MEMS1009") { Message = "space" };
    }
}
