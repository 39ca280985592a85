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
    private KeyTemplate(List<KeyTemplateSegment> segments) => Segments = segments;

    /// <summary>The literal runs and placeholder names, in order; adjacent literal text is one segment.</summary>
    public IReadOnlyList<KeyTemplateSegment> Segments { get; }

    /// <summary>All literal text of the template, placeholders left out.</summary>
    public string LiteralText => LiteralTextOf(Segments);

    /// <summary>How many placeholders the template has (each stands for at least one character).</summary>
    public int PlaceholderCount => PlaceholderCountOf(Segments);

    /// <summary>All literal text of parsed <paramref name="segments"/>, placeholders left out.</summary>
    public static string LiteralTextOf(IEnumerable<KeyTemplateSegment> segments)
    {
        var text = new StringBuilder();
        foreach (var (isPlaceholder, segment) in segments)
        {
            if (!isPlaceholder)
            {
                text.Append(segment);
            }
        }
        return text.ToString();
    }

    /// <summary>How many placeholders parsed <paramref name="segments"/> hold.</summary>
    public static int PlaceholderCountOf(IEnumerable<KeyTemplateSegment> segments)
    {
        var count = 0;
        foreach (var (isPlaceholder, _) in segments)
        {
            count += isPlaceholder ? 1 : 0;
        }
        return count;
    }

    /// <summary>Parses a template; returns null and an explanation when it is malformed.</summary>
    public static KeyTemplate? Parse(string text, out string? error)
    {
        var segments = new List<KeyTemplateSegment>();
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
                segments.Add(new KeyTemplateSegment(false, literal.ToString()));
                literal.Clear();
            }
            segments.Add(new KeyTemplateSegment(true, name));
            i = end;
        }
        if (literal.Length > 0)
        {
            segments.Add(new KeyTemplateSegment(false, literal.ToString()));
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

/// <summary>
/// Literal text, or the name of a placeholder. A class, not a tuple: the generator runs in a fresh compiler process
/// on every CI build, and generic code over structs is compiled anew for each struct (docs/performance.md).
/// Compared by value, so the generator's models can carry parsed templates.
/// </summary>
internal sealed class KeyTemplateSegment(bool isPlaceholder, string text) : System.IEquatable<KeyTemplateSegment>
{
    /// <summary>Whether this is a placeholder (then <see cref="Text"/> is its name) or literal text.</summary>
    public bool IsPlaceholder { get; } = isPlaceholder;

    /// <summary>The literal text, or the placeholder's name.</summary>
    public string Text { get; } = text;

    /// <summary>Deconstructs into (isPlaceholder, text).</summary>
    public void Deconstruct(out bool isPlaceholder, out string text) => (isPlaceholder, text) = (IsPlaceholder, Text);

    public bool Equals(KeyTemplateSegment? other) =>
        other is not null && other.IsPlaceholder == IsPlaceholder && string.Equals(other.Text, Text, System.StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as KeyTemplateSegment);

    public override int GetHashCode() => (IsPlaceholder ? 1 : 0) ^ System.StringComparer.Ordinal.GetHashCode(Text);
}
