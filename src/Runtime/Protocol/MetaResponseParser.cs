using System.Buffers.Text;
using System.Text;

namespace Memstore.Protocol;

/// <summary>
/// Parses responses from a byte buffer that may end anywhere: a response is either complete in the
/// buffer, or the parser says how many bytes it needs at least and consumes nothing. Stateless, so a
/// response split at any byte boundary parses the same once its last byte arrives. Input that cannot be
/// a response throws <see cref="MemcacheProtocolException"/>, never an index error.
/// </summary>
internal static class MetaResponseParser
{
    /// <summary>No legitimate response line is anywhere near this long; a longer one is garbage.</summary>
    public const int MaxLineLength = 8 * 1024;

    /// <summary>memcached's item size cannot exceed 1 GiB (-I), so a larger length is garbage.</summary>
    public const int MaxValueLength = 1024 * 1024 * 1024;

    /// <summary>
    /// Tries to parse one meta response (or an error line). Returns false when more bytes are needed;
    /// <paramref name="needed"/> is then the smallest total buffer length that can complete it. A value
    /// length above <paramref name="maxValueLength"/> is refused as soon as its line is read, before any
    /// room is made for the value.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> buffer, out MetaResponse response, out int needed, int maxValueLength = MaxValueLength)
    {
        response = default;
        response.Opaque = -1;
        response.Ttl = -1;
        if (!TryReadLine(buffer, out var line, out var lineLength))
        {
            needed = buffer.Length + 1;
            return false;
        }
        if (TryParseErrorLine(line, ref response))
        {
            response.TotalLength = lineLength;
            needed = 0;
            return true;
        }
        if (line.Length < 2 || (line.Length > 2 && line[2] != (byte)' '))
        {
            throw Malformed("unknown response", line);
        }
        response.Code = ParseCode(line);
        var rest = line.Length > 3 ? line[3..] : [];
        if (response.Code == ResponseCode.Value)
        {
            var sizeEnd = rest.IndexOf((byte)' ');
            var sizeToken = sizeEnd < 0 ? rest : rest[..sizeEnd];
            if (!Utf8Parser.TryParse(sizeToken, out long size, out var used) || used != sizeToken.Length || size < 0)
            {
                throw Malformed("invalid value length", line);
            }
            if (size > maxValueLength)
            {
                throw ValueTooLong(size, maxValueLength, line);
            }
            rest = sizeEnd < 0 ? [] : rest[(sizeEnd + 1)..];
            ParseFlags(rest, line, ref response);
            var total = lineLength + size + 2;
            if (buffer.Length < total)
            {
                needed = (int)total;
                return false;
            }
            var end = lineLength + (int)size;
            if (buffer[end] != (byte)'\r' || buffer[end + 1] != (byte)'\n')
            {
                throw Malformed("value block not terminated by CR LF", line);
            }
            response.ValueOffset = lineLength;
            response.ValueLength = (int)size;
            response.TotalLength = (int)total;
        }
        else
        {
            ParseFlags(rest, line, ref response);
            response.TotalLength = lineLength;
        }
        needed = 0;
        return true;
    }

    /// <summary>
    /// Reads one CR LF terminated line. Returns false if the line is not complete yet; throws if it is
    /// longer than <see cref="MaxLineLength"/> or a bare LF appears.
    /// </summary>
    public static bool TryReadLine(ReadOnlySpan<byte> buffer, out ReadOnlySpan<byte> line, out int consumed)
    {
        var searchLength = Math.Min(buffer.Length, MaxLineLength + 2);
        var newline = buffer[..searchLength].IndexOf((byte)'\n');
        if (newline < 0)
        {
            if (buffer.Length > MaxLineLength + 1)
            {
                throw Malformed($"no line end within {MaxLineLength} bytes", buffer[..64]);
            }
            line = default;
            consumed = 0;
            return false;
        }
        if (newline == 0 || buffer[newline - 1] != (byte)'\r')
        {
            throw Malformed("line ends with LF but no CR", buffer[..newline]);
        }
        line = buffer[..(newline - 1)];
        consumed = newline + 1;
        return true;
    }

    private static bool TryParseErrorLine(ReadOnlySpan<byte> line, ref MetaResponse response)
    {
        if (!ErrorLines.TryClassify(line, out var code, out var messageStart))
        {
            return false;
        }
        response.Code = code;
        response.MessageOffset = messageStart;
        response.MessageLength = line.Length - messageStart;
        return true;
    }

    private static ResponseCode ParseCode(ReadOnlySpan<byte> line) => (line[0], line[1]) switch
    {
        ((byte)'V', (byte)'A') => ResponseCode.Value,
        ((byte)'H', (byte)'D') => ResponseCode.Success,
        ((byte)'E', (byte)'N') => ResponseCode.Miss,
        ((byte)'N', (byte)'F') => ResponseCode.NotFound,
        ((byte)'N', (byte)'S') => ResponseCode.NotStored,
        ((byte)'E', (byte)'X') => ResponseCode.Exists,
        ((byte)'M', (byte)'N') => ResponseCode.NoOp,
        _ => throw Malformed("unknown response code", line),
    };

    private static void ParseFlags(ReadOnlySpan<byte> flags, ReadOnlySpan<byte> line, ref MetaResponse response)
    {
        while (!flags.IsEmpty)
        {
            var end = flags.IndexOf((byte)' ');
            var token = end < 0 ? flags : flags[..end];
            flags = end < 0 ? [] : flags[(end + 1)..];
            if (token.IsEmpty)
            {
                throw Malformed("empty flag", line);
            }
            var value = token[1..];
            switch (token[0])
            {
                case (byte)'f':
                    response.ClientFlags = ParseUInt32(value, line);
                    break;
                case (byte)'c':
                    response.Cas = ParseUInt64(value, line);
                    break;
                case (byte)'t':
                    response.Ttl = ParseInt64(value, line);
                    break;
                case (byte)'O':
                    response.Opaque = ParseOpaque(value);
                    break;
                case (byte)'W' when value.IsEmpty:
                    response.Lease |= LeaseFlags.Won;
                    break;
                case (byte)'Z' when value.IsEmpty:
                    response.Lease |= LeaseFlags.AlreadyWon;
                    break;
                case (byte)'X' when value.IsEmpty:
                    response.Lease |= LeaseFlags.Stale;
                    break;
                default:
                    // Flags we did not ask for (k, b, s, ...) are legal and ignored, but must be letters.
                    if (!char.IsAsciiLetter((char)token[0]))
                    {
                        throw Malformed("invalid flag", line);
                    }
                    break;
            }
        }
    }

    /// <summary>
    /// The opaque token, or -1 when it is not one the client sends (1 to 10 decimal digits): memcached echoes
    /// whatever the request carried, so anything else cannot answer one of our requests. A plain digit loop,
    /// small enough to inline: it runs for every reply.
    /// </summary>
    private static long ParseOpaque(ReadOnlySpan<byte> digits)
    {
        if (digits.IsEmpty || digits.Length > 10)
        {
            return -1;
        }
        long value = 0;
        foreach (var digit in digits)
        {
            var d = (uint)(digit - '0');
            if (d > 9)
            {
                return -1;
            }
            value = value * 10 + d;
        }
        return value;
    }

    internal static uint ParseUInt32(ReadOnlySpan<byte> token, ReadOnlySpan<byte> line) =>
        Utf8Parser.TryParse(token, out uint value, out var used) && used == token.Length ? value : throw Malformed("invalid number in a flag", line);

    internal static ulong ParseUInt64(ReadOnlySpan<byte> token, ReadOnlySpan<byte> line) =>
        Utf8Parser.TryParse(token, out ulong value, out var used) && used == token.Length ? value : throw Malformed("invalid number in a flag", line);

    private static long ParseInt64(ReadOnlySpan<byte> token, ReadOnlySpan<byte> line) =>
        Utf8Parser.TryParse(token, out long value, out var used) && used == token.Length ? value : throw Malformed("invalid number in a flag", line);

    /// <summary>
    /// The exception for a reply that announces more value bytes than the client accepts: nothing is
    /// allocated for it, and the connection is reset, because the bytes behind the line cannot be skipped safely.
    /// </summary>
    public static MemcacheProtocolException ValueTooLong(long announced, int limit, ReadOnlySpan<byte> line) =>
        new(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"memcached announced a value of {announced} bytes, over the response limit of {limit} bytes (MemcacheClientOptions.MaxResponseValueSize); "
            + $"the reply was refused before anything was allocated for it and the connection is reset. Line: {Quote(line)}."));

    /// <summary>Builds the exception for malformed input, quoting (escaped) the start of the offending line.</summary>
    public static MemcacheProtocolException Malformed(string problem, ReadOnlySpan<byte> line) =>
        new($"Malformed response from memcached: {problem}: {Quote(line)}.");

    /// <summary>The start of a line in quotes, non-printable bytes escaped.</summary>
    private static string Quote(ReadOnlySpan<byte> line)
    {
        var shown = line.Length > 64 ? line[..64] : line;
        var text = new StringBuilder(shown.Length + 8);
        foreach (var b in shown)
        {
            if (b is >= 0x20 and < 0x7F)
            {
                text.Append((char)b);
            }
            else
            {
                text.Append("\\x").Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        if (line.Length > shown.Length)
        {
            text.Append("...");
        }
        return "\"" + text + "\"";
    }

    /// <summary>Decodes the server's words in an error response (see <see cref="ErrorLines.Message"/>).</summary>
    public static string ErrorMessage(ReadOnlySpan<byte> buffer, in MetaResponse response)
    {
        // An error reply is one line at the start of the buffer; the message is its tail.
        var line = buffer[..(response.MessageOffset + response.MessageLength)];
        return ErrorLines.Message(response.Code, line, response.MessageOffset);
    }
}
