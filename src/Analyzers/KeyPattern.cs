using System.Text;
using Memstore.Shared;

namespace Memstore.Analyzers;

/// <summary>
/// A key or key template as a pattern over characters: literal characters, <see cref="AnyString"/> (any string,
/// possibly empty) and <see cref="AnyChar"/> (exactly one character). Memcached keys cannot contain control
/// characters, so these two code points never occur in a real key.
/// </summary>
internal static class KeyPattern
{
    /// <summary>Any string, possibly empty: a part of a key whose value is not known at compile time.</summary>
    public const char AnyString = '\u0000';

    /// <summary>Exactly one character.</summary>
    public const char AnyChar = '\u0001';

    /// <summary>A placeholder of a template: one or more characters (a key parameter is never empty).</summary>
    public const string Placeholder = "\u0001\u0000";

    /// <summary>
    /// A template such as <c>bank:acct:{id}</c> in pattern form: each <c>{name}</c> becomes <see cref="Placeholder"/>.
    /// The template is read by the one parser the generator uses too (<see cref="KeyTemplate"/>). A malformed
    /// template (the generator reports it) is taken literally, so it can only match keys equal to its text.
    /// </summary>
    public static string FromTemplate(string template)
    {
        var parsed = KeyTemplate.Parse(template, out _);
        if (parsed is null)
        {
            return template;
        }
        var sb = new StringBuilder(template.Length);
        foreach (var (isPlaceholder, text) in parsed.Segments)
        {
            sb.Append(isPlaceholder ? Placeholder : text);
        }
        return sb.ToString();
    }

    /// <summary>The literal text before the first unknown part (the whole text when there is none).</summary>
    public static string ConstantPrefix(string pattern)
    {
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] is AnyString or AnyChar)
            {
                return pattern.Substring(0, i);
            }
        }
        return pattern;
    }

    /// <summary>Whether the pattern has no unknown part.</summary>
    public static bool IsConstant(string pattern) => pattern.IndexOf(AnyString) < 0 && pattern.IndexOf(AnyChar) < 0;

    /// <summary>
    /// Whether a key that matches <paramref name="key"/> can be a key of <paramref name="template"/> (both in
    /// pattern form). The key's constant prefix must cover the template's whole constant prefix (so that
    /// <c>$"bank:{x}"</c>, which may or may not reach <c>bank:acct:{id}</c>, is not reported), and some string
    /// must match both patterns (so that <c>bank:account:1</c> or <c>bank:acct</c> do not match
    /// <c>bank:acct:{id}</c>). A template without a constant prefix only matches fully constant keys.
    /// </summary>
    public static bool KeyMatchesTemplate(string key, string template)
    {
        var templatePrefix = ConstantPrefix(template);
        if (templatePrefix.Length == 0 && !IsConstant(key))
        {
            return false;
        }
        return ConstantPrefix(key).StartsWith(templatePrefix, StringComparison.Ordinal) && Intersects(key, template);
    }

    /// <summary>Whether some string matches both patterns (a search over the product of the two automata).</summary>
    /// <remarks>
    /// A string that matches a pattern starts with the literal text before its first unknown part and ends with the
    /// text after its last, so for a common string one prefix must extend the other, and one suffix the other. Most
    /// pairs (the MEMS2003 check compares every plain keyspace with every MCAS one) fail there, before the walk.
    /// </remarks>
    public static bool Intersects(string a, string b) => LiteralEndsAgree(a, b) && ProductWalk(a, b);

    private static bool LiteralEndsAgree(string a, string b)
    {
        var shorter = Math.Min(a.Length, b.Length);
        for (var i = 0; i < shorter && !IsUnknown(a[i]) && !IsUnknown(b[i]); i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }
        for (var i = 1; i <= shorter && !IsUnknown(a[a.Length - i]) && !IsUnknown(b[b.Length - i]); i++)
        {
            if (a[a.Length - i] != b[b.Length - i])
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsUnknown(char c) => c is AnyString or AnyChar;

    /// <summary>The search itself: depth-first over pairs of positions, each pair visited once.</summary>
    internal static bool ProductWalk(string a, string b)
    {
        var n = a.Length;
        var m = b.Length;
        var seen = new bool[(n + 1) * (m + 1)];
        var stack = new Stack<(int I, int J)>();
        Push(0, 0);
        while (stack.Count > 0)
        {
            var (i, j) = stack.Pop();
            if (i == n && j == m)
            {
                return true;
            }
            var ai = i < n ? a[i] : (char?)null;
            var bj = j < m ? b[j] : (char?)null;
            // Epsilon moves: an AnyString may match nothing.
            if (ai == AnyString)
            {
                Push(i + 1, j);
            }
            if (bj == AnyString)
            {
                Push(i, j + 1);
            }
            if (ai is null || bj is null)
            {
                continue;
            }
            // Both sides consume one common character.
            var aLiteral = ai is not (AnyString or AnyChar);
            var bLiteral = bj is not (AnyString or AnyChar);
            if (aLiteral && bLiteral && ai != bj)
            {
                continue;
            }
            Push(ai == AnyString ? i : i + 1, bj == AnyString ? j : j + 1);
        }
        return false;

        void Push(int i, int j)
        {
            var index = (i * (m + 1)) + j;
            if (!seen[index])
            {
                seen[index] = true;
                stack.Push((i, j));
            }
        }
    }
}
