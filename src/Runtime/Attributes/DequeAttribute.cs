namespace Memstore;

/// <summary>
/// Declares a lock-free deque on a partial property of type <see cref="TypedDeque{T}"/> in a
/// <see cref="MemcacheStoreAttribute">[MemcacheStore]</see> class. The generator implements the property with
/// a typed view of the <see cref="Collections.MemcacheDeque"/> named by the store's prefix and the attribute's
/// name, whose items are encoded with the codec a keyspace of <c>T</c> would use.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
public sealed class DequeAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="name">The deque's key name, such as <c>"jobs"</c>; the store's prefix is put in front.</param>
    public DequeAttribute(string name) => Name = name;

    /// <summary>The deque's key name.</summary>
    public string Name { get; }
}
