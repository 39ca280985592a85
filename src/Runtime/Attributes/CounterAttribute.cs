namespace Memstore;

/// <summary>
/// Declares a counter keyspace on a partial property of type <see cref="CounterKeyspace{TKey}"/> in a
/// <see cref="MemcacheStoreAttribute">[MemcacheStore]</see> class. Counters are stored as decimal text with
/// the <see cref="MemcacheFlags.Integer"/> flag, so other clients (and memcached's own incr/decr) read them.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
public sealed class CounterAttribute : Attribute
{
    /// <summary>Creates the attribute with a key template.</summary>
    /// <param name="template">The key template, such as <c>"visits:{page}"</c>; the store's prefix is put in front.</param>
    public CounterAttribute(string template) => Template = template;

    /// <summary>The key template.</summary>
    public string Template { get; }

    /// <summary>
    /// Time to live, in seconds, of counters created through this keyspace. -1 (the default) takes the store's
    /// <see cref="MemcacheStoreAttribute.DefaultTtlSeconds"/>; 0 means no expiry.
    /// </summary>
    public int TtlSeconds { get; set; } = -1;
}
