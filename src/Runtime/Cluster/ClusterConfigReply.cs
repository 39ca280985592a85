using System.Globalization;
using System.Text;

namespace Memstore.Cluster;

/// <summary>
/// The reply to <c>config get cluster</c>, as AWS ElastiCache and Google Cloud Memorystore document it:
/// <code>
/// CONFIG cluster &lt;flags&gt; &lt;length&gt;\r\n
/// &lt;version&gt;\r\n
/// &lt;host&gt;|&lt;ip&gt;|&lt;port&gt; &lt;host&gt;|&lt;ip&gt;|&lt;port&gt; …\n
/// \r\n
/// END\r\n
/// </code>
/// where the block of <c>length</c> bytes is the version line and the server line. Parsed strictly: anything
/// else is refused with the reason, so that a garbled reply never replaces a good server list.
/// <see cref="HostNames"/> holds, for each server connected to by its IP address, the host name the reply gave
/// it: the name its TLS certificate carries.
/// </summary>
internal sealed record ClusterConfigReply(long Version, ServerAddress[] Servers, IReadOnlyDictionary<(string Host, int Port), string> HostNames)
{
    /// <summary>Largest reply accepted: far above any real cluster (hundreds of nodes take a few kilobytes).</summary>
    public const int MaxLength = 1024 * 1024;

    private static ReadOnlySpan<byte> Trailer => "\r\nEND\r\n"u8;

    /// <summary>
    /// How many bytes the whole reply takes, once its first line has arrived: 0 while the line is incomplete,
    /// -1 when the line is not a <c>CONFIG cluster</c> header (then <see cref="Parse"/> says why).
    /// </summary>
    public static int ExpectedLength(ReadOnlySpan<byte> received)
    {
        var end = received.IndexOf("\r\n"u8);
        if (end < 0)
        {
            return received.Length > 256 ? -1 : 0;
        }
        return TryHeader(received[..end], out var length, out _) ? end + 2 + length + Trailer.Length : -1;
    }

    /// <summary>Parses a complete reply (or what arrived before the endpoint closed); null with <paramref name="error"/> when malformed.</summary>
    public static ClusterConfigReply? Parse(ReadOnlySpan<byte> reply, out string? error)
    {
        var end = reply.IndexOf("\r\n"u8);
        if (end < 0)
        {
            error = reply.Length == 0 ? "The endpoint closed the connection without replying." : $"The reply has no complete first line: {Quote(reply)}.";
            return null;
        }
        if (!TryHeader(reply[..end], out var length, out error))
        {
            return null;
        }
        var body = reply[(end + 2)..];
        if (body.Length < length + Trailer.Length)
        {
            error = $"The reply is truncated: its header announces a {length}-byte block, but only {body.Length} byte(s) followed it (the block and \\r\\nEND\\r\\n need {length + Trailer.Length}).";
            return null;
        }
        if (!body[length..].SequenceEqual(Trailer))
        {
            error = $"The {length}-byte block announced by the header is not followed by exactly \\r\\nEND\\r\\n (found {Quote(body[length..])}): the length does not match the block.";
            return null;
        }
        return ParseBlock(body[..length], out error);
    }

    private static bool TryHeader(ReadOnlySpan<byte> line, out int length, out string? error)
    {
        length = 0;
        var text = Encoding.ASCII.GetString(line);
        if (text is "ERROR" || text.StartsWith("SERVER_ERROR", StringComparison.Ordinal) || text.StartsWith("CLIENT_ERROR", StringComparison.Ordinal))
        {
            error = $"The endpoint answered \"{text}\": it does not support config get cluster (a plain memcached server, not a configuration endpoint?).";
            return false;
        }
        var parts = text.Split(' ');
        if (parts.Length != 4 || parts[0] != "CONFIG" || parts[1] != "cluster" || !IsDigits(parts[2]))
        {
            error = $"The first line is not \"CONFIG cluster <flags> <length>\": {Quote(line)}.";
            return false;
        }
        if (!IsDigits(parts[3]) || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > MaxLength)
        {
            error = $"The block length \"{parts[3]}\" in the first line is not a whole number of bytes up to {MaxLength}.";
            return false;
        }
        error = null;
        return true;
    }

    private static ClusterConfigReply? ParseBlock(ReadOnlySpan<byte> block, out string? error)
    {
        var versionEnd = block.IndexOf((byte)'\n');
        if (versionEnd < 0)
        {
            error = $"The block has no version line: {Quote(block)}.";
            return null;
        }
        var versionText = Encoding.ASCII.GetString(block[..versionEnd]).TrimEnd('\r');
        if (!IsDigits(versionText) || !long.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            error = $"The version \"{Printable(versionText)}\" is not a whole number.";
            return null;
        }
        var rest = block[(versionEnd + 1)..];
        if (rest.Length == 0 || rest[^1] != (byte)'\n' || rest[..^1].IndexOf((byte)'\n') >= 0)
        {
            error = $"After the version the block must hold exactly one server line ending in \\n; it holds {Quote(rest)}.";
            return null;
        }
        var line = Encoding.ASCII.GetString(rest[..^1]).TrimEnd('\r');
        if (line.Length == 0)
        {
            error = $"Version {version} lists no servers; a client needs at least one.";
            return null;
        }
        var entries = line.Split(' ');
        var servers = new ServerAddress[entries.Length];
        var names = new Dictionary<(string Host, int Port), string>();
        var seen = new HashSet<(string, int)>();
        for (var i = 0; i < entries.Length; i++)
        {
            if (!TryEntry(entries[i], out servers[i], out var hostName, out error))
            {
                error = $"Server {i + 1} of version {version}, \"{Printable(entries[i])}\": {error}";
                return null;
            }
            if (!seen.Add((servers[i].Host.ToUpperInvariant(), servers[i].Port)))
            {
                error = $"Version {version} lists {servers[i]} twice.";
                return null;
            }
            if (hostName is not null)
            {
                names[(servers[i].Host, servers[i].Port)] = hostName;
            }
        }
        error = null;
        return new ClusterConfigReply(version, servers, names);
    }

    /// <summary>
    /// One <c>host|ip|port</c> entry; the IP address is used when present (no DNS lookup), else the host name.
    /// <paramref name="hostName"/> is the host name when the IP address is used, else null.
    /// </summary>
    private static bool TryEntry(string entry, out ServerAddress server, out string? hostName, out string? error)
    {
        server = default;
        hostName = null;
        var fields = entry.Split('|');
        if (fields.Length != 3)
        {
            error = "an entry is host|ip|port (three fields separated by |).";
            return false;
        }
        var host = fields[1].Length > 0 ? fields[1] : fields[0];
        if (host.Length == 0)
        {
            error = "both the host name and the IP address are empty.";
            return false;
        }
        if (!IsDigits(fields[2]) || !int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            error = $"the port \"{fields[2]}\" is not a number in 1..65535.";
            return false;
        }
        try
        {
            server = new ServerAddress(host, port);
            if (fields[1].Length > 0 && fields[0].Length > 0)
            {
                hostName = new ServerAddress(fields[0], port).Host; // the same checks as any host name
            }
        }
        catch (ArgumentException ex)
        {
            error = ex.Message;
            return false;
        }
        error = null;
        return true;
    }

    private static bool IsDigits(string text) => text.Length is > 0 and <= 19 && text.All(char.IsAsciiDigit);

    private static string Quote(ReadOnlySpan<byte> bytes)
    {
        var shown = bytes.Length > 80 ? bytes[..80] : bytes;
        return "\"" + Printable(Encoding.ASCII.GetString(shown)) + (bytes.Length > 80 ? "…" : "") + "\"";
    }

    /// <summary>Control characters as escapes, so a garbled reply cannot break the log line.</summary>
    private static string Printable(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            _ = c switch
            {
                '\r' => builder.Append("\\r"),
                '\n' => builder.Append("\\n"),
                _ when c < ' ' || c > '~' => builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => builder.Append(c),
            };
        }
        return builder.ToString();
    }
}
