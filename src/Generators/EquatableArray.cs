using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;

namespace Memstore.Generators;

/// <summary>An immutable array compared by its elements, so pipeline models compare by value.</summary>
/// <remarks>
/// A class, not a struct: the incremental pipeline is generic over the values it carries, and Roslyn's shared code
/// for reference types serves a class, while a struct makes the runtime compile every pipeline method afresh for it
/// in each compiler process (hundreds of methods on a cold build).
/// </remarks>
internal sealed class EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
    where T : IEquatable<T>
{
    private readonly T[] _items;

    public EquatableArray(T[] items) => _items = items ?? Array.Empty<T>();

    public EquatableArray(IEnumerable<T> items) => _items = items is null ? Array.Empty<T>() : new List<T>(items).ToArray();

    public static EquatableArray<T> Empty { get; } = new(Array.Empty<T>());

    public int Count => _items.Length;

    public T this[int index] => _items[index];

    public bool Equals(EquatableArray<T>? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (other is null || _items.Length != other._items.Length)
        {
            return false;
        }
        for (var i = 0; i < _items.Length; i++)
        {
            if (!EqualityComparer<T>.Default.Equals(_items[i], other._items[i]))
            {
                return false;
            }
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = 17;
        foreach (var item in _items)
        {
            hash = unchecked((hash * 31) + (item?.GetHashCode() ?? 0));
        }
        return hash;
    }

    public ImmutableArray<T> AsImmutableArray() => ImmutableArray.Create(_items);

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public static bool operator ==(EquatableArray<T>? left, EquatableArray<T>? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(EquatableArray<T>? left, EquatableArray<T>? right) => !(left == right);
}

internal static class EquatableArray
{
    public static EquatableArray<T> ToEquatableArray<T>(this IEnumerable<T> items) where T : IEquatable<T> => new(items);
}
