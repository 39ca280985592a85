using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Memstore.Generators;

/// <summary>
/// Hint names and formatter class names that distinct types can never share. Roslyn compares hint names ignoring
/// case and fails the whole generator (CS8785) on a repeated one, so both escapings are injective and a name equal
/// to an earlier one but for case gets a suffix no escaped name can end with.
/// </summary>
internal static class HintNames
{
    /// <summary>
    /// The hint name (without ".g.cs") of every store key, in the order given: ASCII letters, digits and '.' as they
    /// are, every other character "_" plus its four hex digits ('_' too), so "Outer&lt;T&gt;.Shop" and "Outer_T_.Shop"
    /// differ. A store in namespace Memstore.Generated ends with "_store", apart from the formatters' names.
    /// </summary>
    public static List<string> ForStores(IReadOnlyList<string> keys)
    {
        var names = new List<string>(keys.Count);
        foreach (var key in keys)
        {
            var text = new StringBuilder();
            foreach (var c in key.Replace("global::", ""))
            {
                if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.')
                {
                    text.Append(c);
                }
                else
                {
                    text.Append('_').Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                }
            }
            if (text.ToString().StartsWith("Memstore.Generated.", StringComparison.OrdinalIgnoreCase))
            {
                text.Append("_store");
            }
            names.Add(text.ToString());
        }
        // "_n" never follows an escape ('_' and four hex digits), so the suffixed names are new.
        return Distinct(names, "_n");
    }

    /// <summary>
    /// The generated formatter class name of a type (display string without "global::"): letters and digits as they
    /// are, '.' as "_", '_' as "_0", anything else as "_1" plus four hex digits, then "Formatter". A '.' is always
    /// followed by an identifier's first character (never a digit), so the escape reads back one way.
    /// </summary>
    public static string Formatter(string typeName)
    {
        var text = new StringBuilder();
        foreach (var c in typeName.Replace("global::", ""))
        {
            if (c == '.')
            {
                text.Append('_');
            }
            else if (c == '_')
            {
                text.Append("_0");
            }
            else if (char.IsLetterOrDigit(c))
            {
                text.Append(c);
            }
            else
            {
                text.Append("_1").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
        }
        return text.Append("Formatter").ToString();
    }

    /// <summary>Formatter names made distinct ignoring case too (they are hint names): later ones in ordinal order get "_2", "_3".</summary>
    public static List<string> DistinctFormatters(IReadOnlyList<string> names) => Distinct(names, "_");

    private static List<string> Distinct(IReadOnlyList<string> names, string separator)
    {
        var result = new List<string>(names);
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var i in Enumerable.Range(0, names.Count).OrderBy(i => names[i], StringComparer.Ordinal))
        {
            seen.TryGetValue(names[i], out var count);
            seen[names[i]] = count + 1;
            if (count > 0)
            {
                result[i] = names[i] + separator + (count + 1).ToString(CultureInfo.InvariantCulture);
            }
        }
        return result;
    }
}
