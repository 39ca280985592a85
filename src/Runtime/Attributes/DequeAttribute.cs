namespace Memstore;

/// <summary>
/// Declares a lock-free deque on a partial property of a <see cref="MemcacheStoreAttribute">[MemcacheStore]</see>
/// class. The generator recognises the attribute; the deque's code comes with the collections support, and
/// until then the property throws <see cref="NotSupportedException"/>.
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
