using System.Collections.Generic;
using System.Text;

namespace Memstore.Shared;

/// <summary>
/// A parsed key template such as <c>shop:order:{id}</c>: literal text and <c>{name}</c> placeholders, in order.
/// The one parser of the template grammar, compiled into the generator (which emits key builders from it) and the
/// analyzers (which match keys against it). Grammar: <c>{</c> opens a placeholder that the next <c>}</c> closes;
/// its name, trimmed, is letters, digits and '_'; a <c>}</c> outside a placeholder, an unclosed <c>{</c> or an
/// empty or non-identifier name is an error. There is no escape: templates cannot contain literal braces.
/// </summary>
internal sealed class KeyTemplate
{
    private KeyTemplate(IReadOnlyList<(bool IsPlaceholder, string Text)> segments) => Segments = segments;

    /// <summary>The literal runs and placeholder names, in order; adjacent literal text is one segment.</summary>
    public IReadOnlyList<(bool IsPlaceholder, string Text)> Segments { get; }

    /// <summary>All literal text of the template, placeholders left out.</summary>
    public string LiteralText
    {
        get
        {
            var text = new StringBuilder();
            foreach (var (isPlaceholder, segment) in Segments)
            {
                if (!isPlaceholder)
                {
                    text.Append(segment);
                }
            }
            return text.ToString();
        }
    }

    /// <summary>How many placeholders the template has (each stands for at least one character).</summary>
    public int PlaceholderCount
    {
        get
        {
            var count = 0;
            foreach (var (isPlaceholder, _) in Segments)
            {
                count += isPlaceholder ? 1 : 0;
            }
            return count;
        }
    }

    /// <summary>Parses a template; returns null and an explanation when it is malformed.</summary>
    public static KeyTemplate? Parse(string text, out string? error)
    {
        var segments = new List<(bool, string)>();
        var literal = new StringBuilder();
        error = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '}')
            {
                error = "'}' at position " + i + " closes no placeholder";
                return null;
            }
            if (c != '{')
            {
                literal.Append(c);
                continue;
            }
            var end = text.IndexOf('}', i + 1);
            if (end < 0)
            {
                error = "'{' at position " + i + " is never closed";
                return null;
            }
            var name = text.Substring(i + 1, end - i - 1).Trim();
            if (name.Length == 0 || !IsIdentifier(name))
            {
                error = "placeholder '{" + name + "}' is not a name";
                return null;
            }
            if (literal.Length > 0)
            {
                segments.Add((false, literal.ToString()));
                literal.Clear();
            }
            segments.Add((true, name));
            i = end;
        }
        if (literal.Length > 0)
        {
            segments.Add((false, literal.ToString()));
        }
        return new KeyTemplate(segments);
    }

    private static bool IsIdentifier(string name)
    {
        foreach (var c in name)
        {
            if (!(char.IsLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }
        return true;
    }
}
