using MessagePack;

namespace Memstore.Generators.Tests.Stores;

public enum Color : byte { Red = 1, Green = 2, Blue = 3 }

public enum Region : long { Eu = -1, Us = 1L << 40 }

public sealed class Nested
{
    public string? Label { get; set; }
    public List<int> Numbers { get; set; } = [];
}

public readonly record struct Point(int X, int Y);

/// <summary>Every kind of member the generated formatters support.</summary>
public sealed record Everything(
    bool Flag, byte B, sbyte Sb, short S, ushort Us, int I, uint Ui, long L, ulong Ul,
    float F, double D, decimal M, char C, string Text, DateTime When, DateTimeOffset At, TimeSpan Span,
    Guid Id, Uri Link, byte[] Blob, int[] Ints, List<string> Strings, Dictionary<string, int> Map, HashSet<int> Set,
    IReadOnlyList<Nested> Children, int? MaybeInt, Color? MaybeColor, Color Color, Nested Child, Point Point,
    Point? MaybePoint, IDictionary<string, Nested> ByName, Region Region)
{
    public string? Note { get; set; }
    public string Init { get; init; } = "";
    public DateOnly Day { get; set; }
    public TimeOnly Time { get; set; }
    public Version? Version { get; set; }
    public ICollection<long>? Longs { get; set; }
    public IReadOnlyDictionary<Color, string>? Names { get; set; }
}

/// <summary>A mutable class with a parameterless constructor.</summary>
public sealed class Settings
{
    public string Theme { get; set; } = "dark";
    public int FontSize { get; set; } = 12;
    public List<string>? Plugins { get; set; }
    public int Ignored => FontSize * 2;
}

/// <summary>The user chose an int-keyed MessagePack layout.</summary>
[MessagePackObject]
public sealed class Card
{
    [Key(0)] public string Name { get; set; } = "";
    [Key(1)] public int Level { get; set; }
    [IgnoreMember] public string Scratch { get; set; } = "not stored";
}

/// <summary>The user chose string keys.</summary>
[MessagePackObject]
public sealed class Renamed
{
    [Key("n")] public string Name { get; set; } = "";
    [Key("v")] public double Value { get; set; }
}

// Two versions of the same stored type, for evolution tests: V2 dropped Age and added Email and Tags.
public sealed record ProfileV1(string Name, int Age);

public sealed record ProfileV2(string Name, string? Email = "none@example.com")
{
    public List<string> Tags { get; set; } = ["default"];
}

[MessagePackObject]
public sealed class CardV1
{
    [Key(0)] public string Name { get; set; } = "";
    [Key(1)] public int Level { get; set; }
}

[MessagePackObject]
public sealed class CardV2
{
    [Key(0)] public string Name { get; set; } = "";
    [Key(2)] public Color Color { get; set; } = Color.Blue;
}

/// <summary>Collections behind every interface the generator supports, and a set: the generated collection formatters.</summary>
public sealed record Shelf(
    IReadOnlyList<Point> Points, IList<string> Names, ICollection<long> Longs, IReadOnlyCollection<int> Counts,
    IEnumerable<string?> Words, IDictionary<string, int> ByName, IReadOnlyDictionary<Color, string> Labels, HashSet<string> Tags);

/// <summary>A list that re-implements <see cref="IEnumerable{T}"/> to enumerate backwards: serializers must use that.</summary>
public sealed class BackwardsList<T> : List<T>, IEnumerable<T>
{
    public BackwardsList(IEnumerable<T> items) : base(items) { }

    IEnumerator<T> IEnumerable<T>.GetEnumerator()
    {
        for (var i = Count - 1; i >= 0; i--)
        {
            yield return this[i];
        }
    }
}
