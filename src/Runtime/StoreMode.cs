namespace Memstore;

/// <summary>Which condition a storage request applies (the meta protocol's <c>ms</c> modes).</summary>
public enum StoreMode
{
    /// <summary>Store unconditionally.</summary>
    Set = 0,

    /// <summary>Store only if the key holds no item.</summary>
    Add = 1,

    /// <summary>Store only if the key already holds an item.</summary>
    Replace = 2,

    /// <summary>Append the bytes to an existing item (flags and TTL of the item are kept).</summary>
    Append = 3,

    /// <summary>Prepend the bytes to an existing item (flags and TTL of the item are kept).</summary>
    Prepend = 4,
}
