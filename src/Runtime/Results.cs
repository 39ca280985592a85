using System.Text;

namespace Memstore;

/// <summary>The outcome of a read: a hit with its bytes, client flags and CAS token, or a miss.</summary>
public readonly struct CacheValue
{
    /// <summary>Creates a hit.</summary>
    public CacheValue(byte[] value, uint flags, CasToken cas)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
        Flags = flags;
        Cas = cas;
    }

    /// <summary>A miss.</summary>
    public static CacheValue Miss => default;

    /// <summary>True for a hit.</summary>
    public bool Found => Value is not null;

    /// <summary>The stored bytes, or null on a miss.</summary>
    public byte[]? Value { get; }

    /// <summary>The item's 32-bit client flags (0 on a miss).</summary>
    public uint Flags { get; }

    /// <summary>The item's CAS token, for <see cref="MemcacheClient.CompareAndSetAsync(MemcacheKey, ReadOnlySpan{byte}, CasToken, TimeSpan?, uint, CancellationToken)"/> (none on a miss).</summary>
    public CasToken Cas { get; }

    /// <summary>The value decoded as UTF-8, or null on a miss.</summary>
    public string? AsString() => Value is null ? null : Encoding.UTF8.GetString(Value);

    /// <inheritdoc />
    public override string ToString() => Found ? $"hit ({Value!.Length} bytes, flags {Flags}, cas {Cas})" : "miss";
}

/// <summary>The outcome of a read into a caller-supplied buffer: whether it hit, and the item's metadata.</summary>
/// <param name="Found">True for a hit; the value was written to the caller's buffer.</param>
/// <param name="Length">Bytes written (0 on a miss).</param>
/// <param name="Flags">The item's client flags.</param>
/// <param name="Cas">The item's CAS token.</param>
public readonly record struct CacheValueInfo(bool Found, int Length, uint Flags, CasToken Cas);

/// <summary>How a storage request ended. None of these is an error.</summary>
public enum StoreStatus
{
    /// <summary>The value was stored.</summary>
    Stored,
    /// <summary>The mode's condition did not hold (add of an existing key, replace/append/prepend of a missing one).</summary>
    NotStored,
    /// <summary>Compare-and-set: the item changed since the token was read.</summary>
    Exists,
    /// <summary>Compare-and-set: the item no longer exists.</summary>
    NotFound,
}

/// <summary>The outcome of a storage request, with the new CAS token when the value was stored.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Cas">The item's new CAS token when <see cref="Status"/> is <see cref="StoreStatus.Stored"/>.</param>
public readonly record struct StoreResult(StoreStatus Status, CasToken Cas)
{
    /// <summary>True when the value was stored.</summary>
    public bool Stored => Status == StoreStatus.Stored;
}

/// <summary>How a delete ended.</summary>
public enum DeleteStatus
{
    /// <summary>The item was deleted.</summary>
    Deleted,
    /// <summary>There was no item.</summary>
    NotFound,
    /// <summary>A CAS-guarded delete found that the item had changed; nothing was deleted.</summary>
    Exists,
}

/// <summary>The outcome of an increment or decrement.</summary>
/// <param name="Found">False when the key did not exist and no initial value was given.</param>
/// <param name="Value">The counter's value after the operation.</param>
/// <param name="Cas">The counter's new CAS token.</param>
public readonly record struct CounterResult(bool Found, ulong Value, CasToken Cas);
