using System.Diagnostics.CodeAnalysis;

namespace Memstore;

/// <summary>The outcome of a typed read: a hit with its value and CAS token, or a miss.</summary>
/// <typeparam name="T">The value type.</typeparam>
public readonly struct CacheItem<T>
{
    /// <summary>Creates a hit.</summary>
    public CacheItem(T value, CasToken cas)
    {
        Found = true;
        Value = value;
        Cas = cas;
    }

    /// <summary>True for a hit.</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    public bool Found { get; }

    /// <summary>The value on a hit; the type's default on a miss.</summary>
    public T? Value { get; }

    /// <summary>The item's CAS token, to pass to a compare-and-set (none on a miss).</summary>
    public CasToken Cas { get; }

    /// <summary>Gives the value when the read hit.</summary>
    public bool TryGetValue([MaybeNullWhen(false)] out T value)
    {
        value = Value;
        return Found;
    }

    /// <inheritdoc />
    public override string ToString() => Found ? $"hit ({Value}, cas {Cas})" : "miss";
}
