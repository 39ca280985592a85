using Memstore.Generators.Tests.Infrastructure;

namespace Memstore.Generators.Tests;

/// <summary>The generated source for representative stores, against verified files under Snapshots/.</summary>
[Trait("Category", "Unit")]
public sealed class SnapshotTests
{
    private static void VerifyAll(string test, string source)
    {
        var result = GeneratorHarness.RunClean(source);
        Assert.NotEmpty(result.Sources);
        foreach (var (hint, text) in result.Sources.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Snapshot.Verify($"{test}.{Path.GetFileNameWithoutExtension(hint)}", text);
        }
    }

    [Fact]
    public void Shop_store_with_record_values_composite_keys_and_a_counter() => VerifyAll("Shop", """
        using System;
        using System.Collections.Generic;
        using Memstore;

        namespace Shop;

        public sealed record Product(string Name, decimal Price, List<string> Tags, Category Category)
        {
            public int? Stock { get; set; }
        }

        public enum Category { Books, Games }

        [MemcacheStore(Prefix = "shop:", DefaultTtlSeconds = 3600)]
        public partial class ShopStore
        {
            [Keyspace("product:{id}")]
            public partial Keyspace<int, Product> Products { get; }

            [Keyspace("cart:{user}:{region}", TtlSeconds = 600)]
            public partial Keyspace<(Guid User, string Region), string[]> Carts { get; }

            [Keyspace("name:{name}", TtlSeconds = 0)]
            public partial Keyspace<string, string> Names { get; }

            [Counter("views:{page}")]
            public partial CounterKeyspace<Category> Views { get; }
        }
        """);

    [Fact]
    public void User_layouts_structs_nested_types_and_dictionaries() => VerifyAll("Layouts", """
        using System;
        using System.Collections.Generic;
        using MessagePack;
        using Memstore;

        namespace Games;

        [MessagePackObject]
        public sealed class Card
        {
            [Key(0)] public string Name { get; set; } = "";
            [Key(2)] public int Level { get; set; }
            [IgnoreMember] public string Scratch { get; set; } = "";
        }

        public readonly record struct Point(int X, int Y = 7);

        public sealed class Board
        {
            public Dictionary<string, Point> Pieces { get; set; } = new();
            public Card[]? Hand { get; init; }
            public Point? Cursor { get; set; }
        }

        internal static partial class Holder
        {
            [MemcacheStore(Prefix = "g:")]
            internal partial class GameStore
            {
                [Keyspace("board:{id}")]
                internal partial Keyspace<Guid, Board> Boards { get; }

                [Keyspace("card:{deck}:{slot}")]
                public partial Keyspace<(long Deck, byte Slot), Card> Cards { get; }

                [McasGroup]
                [Keyspace("wallet:{id}")]
                public partial McasKeyspace<string, Card> Wallets { get; }

                [Deque("moves")]
                public partial TypedDeque<Point> Moves { get; }
            }
        }
        """);

    [Fact]
    public void Collection_interfaces_and_sets_use_the_generated_collection_formatters() => VerifyAll("Collections", """
        using System.Collections.Generic;
        using Memstore;

        namespace Library;

        public sealed record Book(string Title, int Year);

        public sealed record Shelf(
            IReadOnlyList<Book> Books, IEnumerable<string> Authors, HashSet<string> Tags,
            IReadOnlyDictionary<string, int> Counts, Dictionary<string, HashSet<int>> ByYear);

        [MemcacheStore(Prefix = "lib:")]
        public partial class LibraryStore
        {
            [Keyspace("shelf:{id}")]
            public partial Keyspace<int, Shelf> Shelves { get; }
        }
        """);
}
