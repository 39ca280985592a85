namespace Memstore;

/// <summary>
/// Declares a keyspace managed by multi-key compare-and-set (MCAS) on a partial property of type
/// <see cref="McasKeyspace{TKey, TValue}"/> in a <see cref="MemcacheStoreAttribute">[MemcacheStore]</see> class:
/// its items are only read through McasGet and written through MCAS commits, and the generator emits no plain
/// accessors for it. The store gets a generated <c>TransactAsync</c> whose transaction has a typed view of every
/// MCAS keyspace of the store, and the keyspace is declared MCAS-managed in the keyspace manifest that the
/// Memstore analyzers read.
/// </summary>
/// <remarks>
/// The template is the attribute's, else that of a <see cref="KeyspaceAttribute"/> on the same property (whose
/// <see cref="KeyspaceAttribute.TtlSeconds"/> then applies), else the property's name followed by one
/// <c>:{part}</c> placeholder per key part (<c>Accounts:{key}</c>, or <c>Totals:{Region}:{Name}</c> for a tuple key).
/// </remarks>
[AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
public sealed class McasGroupAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="template">The key template, such as <c>"acct:{id}"</c>; the store's prefix is put in front. Null: see the remarks.</param>
    public McasGroupAttribute(string? template = null) => Template = template;

    /// <summary>The key template, or null.</summary>
    public string? Template { get; }

    /// <summary>
    /// Names the MCAS group; informational for now: every MCAS keyspace of a store can be updated together in the
    /// store's generated transaction, whatever its group.
    /// </summary>
    public string? Group { get; set; }
}
