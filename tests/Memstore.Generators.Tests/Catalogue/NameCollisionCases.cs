namespace Memstore.Generators.Tests.Catalogue;

public static partial class CatalogueCases
{
    /// <summary>User names that the generator also writes into the store (MEMS1017).</summary>
    private static IEnumerable<CatalogueCase> NameCollisions()
    {
        const string Accounts = "[McasGroup(\"a:{id}\")] public partial McasKeyspace<string, long> Accounts { get; }";
        yield return new("MCAS keyspace named Transaction", $$"""
            [MemcacheStore] public partial class Bank { {{Accounts}} [McasGroup("t:{id}")] public partial McasKeyspace<int, string> [|Transaction|] { get; } }
            """, "MEMS1017") { Message = "'Transaction' collides with the generated nested class 'Bank.Transaction'" };
        yield return new("MCAS keyspace named TransactAsync", $$"""
            [MemcacheStore] public partial class Bank { [McasGroup("t:{id}")] public partial McasKeyspace<int, string> [|TransactAsync|] { get; } }
            """, "MEMS1017") { Message = "the generated method 'Bank.TransactAsync'" };
        yield return new("plain keyspace named Transaction next to an MCAS keyspace", $$"""
            [MemcacheStore] public partial class Bank { {{Accounts}} [Keyspace("t:{id}")] public partial Keyspace<int, string> [|Transaction|] { get; } }
            """, "MEMS1017") { Message = "'Bank.Transaction'" };
        yield return new("plain keyspace named Transaction without MCAS", """
            [MemcacheStore] public partial class Shop { [Keyspace("t:{id}")] public partial Keyspace<int, string> Transaction { get; } }
            """);
        yield return new("MCAS keyspace named Mcas", """
            [MemcacheStore] public partial class Bank { [McasGroup("t:{id}")] public partial McasKeyspace<int, string> [|Mcas|] { get; } }
            """, "MEMS1017") { Message = "the generated member 'Bank.Transaction.Mcas'" };
        yield return new("keyspaces Users and UsersImpl", """
            [MemcacheStore] public partial class Shop
            {
                [Keyspace("u:{id}")] public partial Keyspace<int, string> Users { get; }
                [Keyspace("i:{id}")] public partial Keyspace<int, string> [|UsersImpl|] { get; }
            }
            """, "MEMS1017") { Message = "the generated field '__UsersImpl' it needs, as that name is already the generated class of 'Users'" };
        yield return new("user member __Users next to keyspace Users", """
            [MemcacheStore] public partial class Shop
            {
                private int __Users;
                public int Count => __Users;
                [Keyspace("u:{id}")] public partial Keyspace<int, string> [|Users|] { get; }
            }
            """, "MEMS1017") { Message = "the generated field '__Users' it needs, as that name is already a member the store declares" };
        yield return new("user method TransactAsync in an MCAS store", $$"""
            [MemcacheStore] public partial class Bank { public void [|TransactAsync|]() { } {{Accounts}} }
            """, "MEMS1017") { Message = "'TransactAsync' collides with the generated method 'Bank.TransactAsync'" };
        yield return new("user value type Transaction in an MCAS keyspace", """
            public sealed record Transaction(string From, string To, long Amount);
            [MemcacheStore] public partial class Bank { [McasGroup("t:{id}")] public partial McasKeyspace<int, [|Transaction|]> Log { get; } }
            """, "MEMS1017") { Message = "the generated nested class 'Bank.Transaction'" };
        yield return new("store named Transaction with an MCAS keyspace", """
            [MemcacheStore] public partial class Transaction { [McasGroup("t:{id}")] public partial McasKeyspace<int, string> [|Log|] { get; } }
            """, "MEMS1017") { Message = "'Transaction' collides with the generated nested class 'Transaction.Transaction' that its MCAS keyspaces need" };
        yield return new("user value type Transaction written with global::", """
            public sealed record Transaction(string From, string To, long Amount);
            [MemcacheStore] public partial class Bank { [McasGroup("t:{id}")] public partial McasKeyspace<int, global::Transaction> Log { get; } }
            """);
    }
}
