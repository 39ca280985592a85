using System.Collections.Generic;
using Memstore.Shared;

namespace Memstore.Generators;

/// <summary>
/// Decides whether two keyspaces can produce the same key. Each is a sequence of literal characters and holes;
/// a hole matches one or more characters of its class (digits and '-' for integers and enums, lowercase hex for
/// GUIDs, anything but a space or control character for strings). The check walks the product of the two
/// patterns' automata over a representative alphabet.
/// </summary>
internal static class KeyOverlap
{
    internal readonly record struct Atom(char Literal, KeyPartKind? Hole);

    public static List<Atom> Atoms(string prefix, IReadOnlyList<KeyTemplateSegment> template, EquatableArray<KeyPartModel> parts)
    {
        var atoms = new List<Atom>();
        foreach (var c in prefix)
        {
            atoms.Add(new Atom(c, null));
        }
        foreach (var (isHole, text) in template)
        {
            if (!isHole)
            {
                foreach (var c in text)
                {
                    atoms.Add(new Atom(c, null));
                }
                continue;
            }
            var kind = KeyPartKind.String;
            foreach (var part in parts)
            {
                if (string.Equals(part.Placeholder, text, System.StringComparison.OrdinalIgnoreCase))
                {
                    kind = part.Kind;
                }
            }
            atoms.Add(new Atom('\0', kind));
        }
        return atoms;
    }

    private static bool Matches(KeyPartKind kind, char c) => kind switch
    {
        KeyPartKind.Signed => (c >= '0' && c <= '9') || c == '-',
        KeyPartKind.Unsigned => c >= '0' && c <= '9',
        KeyPartKind.Guid => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'),
        _ => c > ' ' && c != (char)0x7F,
    };

    public static bool Overlap(List<Atom> a, List<Atom> b)
    {
        // Most pairs differ in their leading (or trailing) literal text; saying so without the product walk keeps the
        // check over every pair of a large compilation's keyspaces cheap (it was most of the generator's time).
        return !LiteralEndsDisagree(a, b) && ProductWalkOverlaps(a, b);
    }

    /// <summary>The exact answer, by the product walk alone (tests compare <see cref="Overlap"/> with it).</summary>
    internal static bool ProductWalkOverlaps(List<Atom> a, List<Atom> b)
    {
        var alphabet = new HashSet<char> { '0', 'a', '-', 'z', 'Z', ':', '\u00e9' };
        foreach (var atom in a)
        {
            if (atom.Hole is null)
            {
                alphabet.Add(atom.Literal);
            }
        }
        foreach (var atom in b)
        {
            if (atom.Hole is null)
            {
                alphabet.Add(atom.Literal);
            }
        }
        // State: (index into a, inside a hole of a, index into b, inside a hole of b).
        var seen = new HashSet<(int, bool, int, bool)>();
        var work = new Stack<(int, bool, int, bool)>();
        work.Push((0, false, 0, false));
        while (work.Count > 0)
        {
            var state = work.Pop();
            if (!seen.Add(state))
            {
                continue;
            }
            var (i, ih, j, jh) = state;
            if (Accepts(a, i, ih) && Accepts(b, j, jh))
            {
                return true;
            }
            foreach (var c in alphabet)
            {
                foreach (var (ni, nih) in Step(a, i, ih, c))
                {
                    foreach (var (nj, njh) in Step(b, j, jh, c))
                    {
                        work.Push((ni, nih, nj, njh));
                    }
                }
            }
        }
        return false;
    }

    /// <summary>
    /// Whether the literal runs before the first hole, or after the last, differ somewhere both have a literal: every
    /// key of a pattern starts and ends with those runs, so then no key matches both.
    /// </summary>
    private static bool LiteralEndsDisagree(List<Atom> a, List<Atom> b)
    {
        for (var i = 0; i < a.Count && i < b.Count && a[i].Hole is null && b[i].Hole is null; i++)
        {
            if (a[i].Literal != b[i].Literal)
            {
                return true;
            }
        }
        for (int i = a.Count - 1, j = b.Count - 1; i >= 0 && j >= 0 && a[i].Hole is null && b[j].Hole is null; i--, j--)
        {
            if (a[i].Literal != b[j].Literal)
            {
                return true;
            }
        }
        return false;
    }

    private static bool Accepts(List<Atom> atoms, int index, bool inHole) =>
        (index == atoms.Count && !inHole) || (inHole && index == atoms.Count - 1);

    private static IEnumerable<(int, bool)> Step(List<Atom> atoms, int index, bool inHole, char c)
    {
        // Leaving a hole that has consumed at least one character is free.
        if (inHole)
        {
            foreach (var next in Step(atoms, index + 1, false, c))
            {
                yield return next;
            }
            if (Matches(atoms[index].Hole!.Value, c))
            {
                yield return (index, true);
            }
            yield break;
        }
        if (index >= atoms.Count)
        {
            yield break;
        }
        var atom = atoms[index];
        if (atom.Hole is { } kind)
        {
            if (Matches(kind, c))
            {
                yield return (index, true);
            }
        }
        else if (atom.Literal == c)
        {
            yield return (index + 1, false);
        }
    }
}
