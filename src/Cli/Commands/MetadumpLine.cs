using System.Globalization;
using System.Text;

namespace Memstore.Cli.Commands;

/// <summary>
/// One line of memcached's <c>lru_crawler metadump</c> answer (doc/protocol.txt):
/// <c>key=&lt;url-encoded&gt; exp=&lt;unix seconds, -1 never&gt; la=&lt;last access&gt; cas=N fetch=yes|no cls=N size=N</c>.
/// </summary>
/// <param name="Key">The key's bytes, URL-decoded.</param>
/// <param name="Expires">Unix seconds at which the item expires, or null for never.</param>
/// <param name="Size">What the item takes in memory, in bytes: header, key and value (not the value's length).</param>
internal sealed record MetadumpLine(byte[] Key, long? Expires, long Size)
{
    /// <summary>Parses one line; null when it is not a <c>key=</c> line (the caller reports what it was).</summary>
    public static MetadumpLine? TryParse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        byte[]? key = null;
        long? expires = null;
        long size = -1;
        bool sawExpiry = false;
        foreach (string field in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            string name = field[..equals], value = field[(equals + 1)..];
            switch (name)
            {
                case "key":
                    key = UrlDecode(value);
                    break;
                case "exp" when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long exp):
                    expires = exp < 0 ? null : exp;
                    sawExpiry = true;
                    break;
                case "size" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long bytes):
                    size = bytes;
                    break;
            }
        }

        return key is { Length: > 0 } && sawExpiry && size >= 0 ? new MetadumpLine(key, expires, size) : null;
    }

    /// <summary>Seconds left at <paramref name="nowUnixSeconds"/> (at least 0), or null for never.</summary>
    public long? SecondsLeft(long nowUnixSeconds) => Expires is { } at ? Math.Max(0, at - nowUnixSeconds) : null;

    /// <summary>
    /// memcached encodes every byte outside letters, digits and <c>-._~</c> as <c>%XX</c>; decodes that back to
    /// the key's bytes. Null for a malformed escape.
    /// </summary>
    public static byte[]? UrlDecode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = new List<byte>(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length
                    || !byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
                {
                    return null;
                }

                bytes.Add(b);
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes.Add((byte)c);
            }
            else
            {
                // Not produced by memcached's encoder; kept as its UTF-8 rather than dropped.
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        return [.. bytes];
    }
}
