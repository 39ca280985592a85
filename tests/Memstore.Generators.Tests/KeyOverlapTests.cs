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
        return KeyOverlap.Atoms(prefix, parsed.Segments, parts);
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

    /// <summary>
    /// Overlap first compares the literal text before the first hole and after the last, and runs the product walk only
    /// when that does not settle it; over many small patterns (pairs sharing their ends included) the answer must be the
    /// product walk's.
    /// </summary>
    [Fact]
    public void The_literal_ends_shortcut_never_changes_an_answer()
    {
        var random = new Random(1307);
        char[] literals = ['a', 'b', ':', '-', '1', 'f'];
        KeyPartKind[] kinds = [KeyPartKind.String, KeyPartKind.Signed, KeyPartKind.Unsigned, KeyPartKind.Guid];
        List<KeyOverlap.Atom> Pattern()
        {
            var atoms = new List<KeyOverlap.Atom>();
            for (var n = random.Next(0, 6); n > 0; n--)
            {
                atoms.Add(random.Next(4) == 0 ? new KeyOverlap.Atom('\0', kinds[random.Next(kinds.Length)]) : new KeyOverlap.Atom(literals[random.Next(literals.Length)], null));
            }
            return atoms;
        }
        var pairs = 0;
        var overlapping = 0;
        var disjoint = 0;
        for (var i = 0; i < 4000; i++)
        {
            var a = Pattern();
            // Half the pairs share a prefix or a suffix, so that the walk is reached often, not only the shortcut.
            var b = random.Next(2) == 0 ? Pattern() : random.Next(2) == 0 ? [.. a.Take(random.Next(a.Count + 1)), .. Pattern()] : [.. Pattern(), .. a.Skip(random.Next(a.Count + 1))];
            var expected = KeyOverlap.ProductWalkOverlaps(a, b);
            Assert.Equal(expected, KeyOverlap.Overlap(a, b));
            Assert.Equal(expected, KeyOverlap.Overlap(b, a));
            pairs++;
            if (expected)
            {
                overlapping++;
            }
            else
            {
                disjoint++;
            }
        }
        Assert.Equal(4000, pairs);
        Assert.True(overlapping > 200 && disjoint > 200, $"{overlapping} overlapping, {disjoint} disjoint");
    }
}
