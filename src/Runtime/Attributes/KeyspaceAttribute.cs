namespace Memstore;

/// <summary>
/// Declares a typed keyspace on a partial property of type <see cref="Keyspace{TKey, TValue}"/> in a
/// <see cref="MemcacheStoreAttribute">[MemcacheStore]</see> class. The template names the key's parts in
/// braces: <c>"acct:{id}"</c> for a single key, or <c>"sess:{user}:{n}"</c> for a tuple key
/// <c>(Guid User, int N)</c> whose element names match the placeholders (case-insensitively).
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
public sealed class KeyspaceAttribute : Attribute
{
    /// <summary>Creates the attribute with a key template.</summary>
    /// <param name="template">The key template, such as <c>"acct:{id}"</c>; the store's prefix is put in front.</param>
    public KeyspaceAttribute(string template) => Template = template;

    /// <summary>The key template.</summary>
    public string Template { get; }

    /// <summary>
    /// Time to live, in seconds, of items written through this keyspace when the call gives none.
    /// -1 (the default) takes the store's <see cref="MemcacheStoreAttribute.DefaultTtlSeconds"/>; 0 means no expiry.
    /// </summary>
    public int TtlSeconds { get; set; } = -1;

    /// <summary>
    /// Compresses values of at least this many encoded bytes with zstd (<see cref="ValueCompression"/>,
    /// docs/compression.md); 0 (the default) stores them as encoded. Compressed values are read whatever this says.
    /// Only plain <see cref="Keyspace{TKey, TValue}"/> members compress (MEMS1016 otherwise).
    /// </summary>
    public int CompressAboveBytes { get; set; }
}
