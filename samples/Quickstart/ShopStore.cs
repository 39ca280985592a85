using Memstore;

namespace Quickstart;

/// <summary>A product as the shop stores it: a record serialized by a generated MessagePack formatter.</summary>
public sealed record Product(string Name, decimal Price, List<string> Tags, Category Category)
{
    /// <summary>Optional stock level; added after the first release, old items still read.</summary>
    public int? Stock { get; set; }
}

/// <summary>Product categories.</summary>
public enum Category
{
    /// <summary>Books.</summary>
    Books,
    /// <summary>Games.</summary>
    Games,
}

/// <summary>The shop's typed store: keys come from the templates, values from generated formatters.</summary>
[MemcacheStore(Prefix = "shop:", DefaultTtlSeconds = 3600)]
public partial class ShopStore
{
    /// <summary>Products by id: keys "shop:product:{id}".</summary>
    [Keyspace("product:{id}")]
    public partial Keyspace<int, Product> Products { get; }

    /// <summary>Carts by user and region: keys "shop:cart:{user}:{region}".</summary>
    [Keyspace("cart:{user}:{region}", TtlSeconds = 600)]
    public partial Keyspace<(Guid User, string Region), string[]> Carts { get; }

    /// <summary>Page views by page name: decimal counters other clients can read.</summary>
    [Counter("views:{page}")]
    public partial CounterKeyspace<string> Views { get; }
}
