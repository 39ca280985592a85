namespace Memstore;

/// <summary>
/// Marks a keyspace of a <see cref="MemcacheStoreAttribute">[MemcacheStore]</see> class as managed by
/// multi-key compare-and-set (MCAS): its items are only read and written through MCAS transactions.
/// The generator recognises the attribute and does not emit plain accessors for such a keyspace;
/// until MCAS support ships, the property throws <see cref="NotSupportedException"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
public sealed class McasGroupAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="template">The key template, such as <c>"acct:{id}"</c>; null uses the property's name.</param>
    public McasGroupAttribute(string? template = null) => Template = template;

    /// <summary>The key template, or null.</summary>
    public string? Template { get; }

    /// <summary>Names the MCAS group; keyspaces in the same group can be updated together. Defaults to the store.</summary>
    public string? Group { get; set; }
}
