namespace Memstore.Protocol;

/// <summary>
/// Parses the replies of the classic <c>gets k1 k2 ...</c> command: <c>VALUE key flags bytes cas</c> lines
/// with their data blocks, closed by <c>END</c>. Stateless per reply, like <see cref="MetaResponseParser"/>.
/// </summary>
internal static class ClassicValueParser
{
    internal enum Kind
    {
        Value,
        End,
        Error,
    }

    internal struct Reply
    {
        public Kind Kind;
        /// <summary>For <see cref="Kind.Error"/>: which error line (the key fields then hold the server's text).</summary>
        public ResponseCode ErrorCode;
        public int TotalLength;
        public int KeyOffset;
        public int KeyLength;
        public uint Flags;
        public ulong Cas;
        public int ValueOffset;
        public int ValueLength;
    }

    /// <summary>
    /// Parses one reply, or returns false with the buffer length needed to complete it. A length above
    /// <paramref name="maxValueLength"/> is refused before any room is made for the value.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> buffer, out Reply reply, out int needed, int maxValueLength = MetaResponseParser.MaxValueLength)
    {
        reply = default;
        if (!MetaResponseParser.TryReadLine(buffer, out var line, out var lineLength))
        {
            needed = buffer.Length + 1;
            return false;
        }
        needed = 0;
        if (line.SequenceEqual("END"u8))
        {
            reply.Kind = Kind.End;
            reply.TotalLength = lineLength;
            return true;
        }
        if (ErrorLines.TryClassify(line, out var code, out var messageStart))
        {
            reply.Kind = Kind.Error;
            reply.ErrorCode = code;
            reply.TotalLength = lineLength;
            reply.KeyOffset = messageStart; // the server's text, for the message
            reply.KeyLength = line.Length - messageStart;
            return true;
        }
        if (!line.StartsWith("VALUE "u8))
        {
            throw MetaResponseParser.Malformed("expected VALUE or END in reply to gets", line);
        }
        var rest = line[6..];
        var keyEnd = rest.IndexOf((byte)' ');
        if (keyEnd <= 0)
        {
            throw MetaResponseParser.Malformed("VALUE line without a key", line);
        }
        reply.KeyOffset = 6;
        reply.KeyLength = keyEnd;
        rest = rest[(keyEnd + 1)..];
        reply.Flags = MetaResponseParser.ParseUInt32(NextToken(ref rest), line);
        var length = MetaResponseParser.ParseUInt32(NextToken(ref rest), line);
        reply.Cas = MetaResponseParser.ParseUInt64(NextToken(ref rest), line);
        if (!rest.IsEmpty)
        {
            throw MetaResponseParser.Malformed("invalid VALUE line", line);
        }
        if (length > maxValueLength)
        {
            throw MetaResponseParser.ValueTooLong(length, maxValueLength, line);
        }
        var size = (int)length;
        var total = (long)lineLength + size + 2;
        if (buffer.Length < total)
        {
            needed = (int)total;
            return false;
        }
        if (buffer[lineLength + size] != (byte)'\r' || buffer[lineLength + size + 1] != (byte)'\n')
        {
            throw MetaResponseParser.Malformed("value block not terminated by CR LF", line);
        }
        reply.Kind = Kind.Value;
        reply.ValueOffset = lineLength;
        reply.ValueLength = size;
        reply.TotalLength = (int)total;
        return true;
    }

    private static ReadOnlySpan<byte> NextToken(ref ReadOnlySpan<byte> rest)
    {
        var end = rest.IndexOf((byte)' ');
        var token = end < 0 ? rest : rest[..end];
        rest = end < 0 ? [] : rest[(end + 1)..];
        return token;
    }
}
