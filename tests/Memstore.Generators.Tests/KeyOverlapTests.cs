using Memstore.Shared;

namespace Memstore.Generators.Tests;

/// <summary>The key-collision check behind MEMS1007, on its own.</summary>
[Trait("Category", "Unit")]
public sealed class KeyOverlapTests
{
    private static bool Overlap(string prefix, string a, KeyPartKind[] aKinds, string b, KeyPartKind[] bKinds) =>
        KeyOverlap.Overlap(Atoms(prefix, a, aKinds), Atoms(prefix, b, bKinds));

    private static List<KeyOverlap.Atom> Atoms(string prefix, string template, KeyPartKind[] kinds)
    {
        var parsed = KeyTemplate.Parse(template, out var error) ?? throw new InvalidOperationException(error);
        var holes = parsed.Segments.Where(s => s.IsPlaceholder).Select(s => s.Text).ToList();
        var parts = holes.Select((h, i) => new KeyPartModel(h, "key", kinds[i], false)).ToEquatableArray();
        return KeyOverlap.Atoms(prefix, parsed, parts);
    }

    private static readonly KeyPartKind[] Int = [KeyPartKind.Signed];
    private static readonly KeyPartKind[] UInt = [KeyPartKind.Unsigned];
    private static readonly KeyPartKind[] Str = [KeyPartKind.String];
    private static readonly KeyPartKind[] Guid = [KeyPartKind.Guid];

    [Theory]
    [InlineData("p:{id}", "p:{id}")]
    [InlineData("p:{id}", "p:{id}:x")]
    [InlineData("{id}:x", "p:{id}")]
    public void String_holes_overlap_anything_with_a_common_shape(string a, string b) =>
        Assert.True(Overlap("s:", a, Str, b, Str));

    [Fact]
    public void Integers_and_suffixes_are_told_apart()
    {
        Assert.False(Overlap("s:", "p:{id}", Int, "p:{id}:meta", Int));
        Assert.False(Overlap("s:", "p:{id}", UInt, "p:-{id}", UInt));
        Assert.True(Overlap("s:", "p:{id}", Int, "p:-{id}", UInt));
        Assert.True(Overlap("s:", "p:{id}", Int, "p:{id}", Str));
        Assert.False(Overlap("s:", "p:{id}", Int, "q:{id}", Int));
    }

    [Fact]
    public void Guids_are_lowercase_hex_only()
    {
        Assert.False(Overlap("", "u:{id}", Guid, "u:{id}x", Str));
        Assert.True(Overlap("", "u:{id}", Guid, "u:{id}", Int));
        Assert.False(Overlap("", "u:{id}", Guid, "u:-{id}", Int));
    }

    [Fact]
    public void Composite_templates_are_compared_whole()
    {
        KeyPartKind[] two = [KeyPartKind.Signed, KeyPartKind.Signed];
        Assert.False(Overlap("", "c:{a}:{b}", two, "c:{a}", Int));
        Assert.True(Overlap("", "c:{a}:{b}", two, "c:{a}", Str));
    }
}
