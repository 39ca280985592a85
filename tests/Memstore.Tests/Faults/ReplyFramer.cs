using System.Text;

namespace Memstore.Tests.Faults;

/// <summary>What one frame of a server's reply stream is, so the proxy can pick which frames to tamper with.</summary>
internal enum FrameKind
{
    /// <summary>A meta reply (VA with its data, HD, EN, NF, NS, EX, MN): a whole answer to one request.</summary>
    Meta,
    /// <summary>A classic VALUE line with its data block: part of a multi-key gets reply.</summary>
    Value,
    /// <summary>Any other line (END, STAT, VERSION, OK, errors).</summary>
    Line,
}

/// <summary>One complete reply frame cut from the server's stream.</summary>
internal readonly record struct Frame(byte[] Bytes, FrameKind Kind, int LineLength);

/// <summary>
/// Cuts memcached's reply stream into frames: one line, plus the data block a VA or VALUE line announces.
/// Only for the test proxy; it trusts the real server it sits in front of.
/// </summary>
internal sealed class ReplyFramer
{
    private byte[] _buffer = new byte[64 * 1024];
    private int _length;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes.Length));
        }
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    public bool TryTake(out Frame frame)
    {
        frame = default;
        var data = _buffer.AsSpan(0, _length);
        var newline = data.IndexOf((byte)'\n');
        if (newline < 0)
        {
            return false;
        }
        var lineLength = newline + 1;
        var line = data[..lineLength];
        var kind = FrameKind.Line;
        var total = lineLength;
        if (line.StartsWith("VA "u8))
        {
            kind = FrameKind.Meta;
            total += DataLength(line[3..]) + 2;
        }
        else if (line.StartsWith("VALUE "u8))
        {
            kind = FrameKind.Value;
            var tokens = Encoding.ASCII.GetString(line).Split(' ');
            total += int.Parse(tokens[3], System.Globalization.CultureInfo.InvariantCulture) + 2;
        }
        else if (line.Length >= 4 && line[2] is (byte)' ' or (byte)'\r' && IsMetaCode(line[..2]))
        {
            kind = FrameKind.Meta;
        }
        if (_length < total)
        {
            return false;
        }
        frame = new Frame(data[..total].ToArray(), kind, lineLength);
        data[total..].CopyTo(_buffer);
        _length -= total;
        return true;
    }

    private static int DataLength(ReadOnlySpan<byte> rest)
    {
        var end = rest.IndexOfAny((byte)' ', (byte)'\r');
        return int.Parse(Encoding.ASCII.GetString(rest[..end]), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool IsMetaCode(ReadOnlySpan<byte> code) =>
        code.SequenceEqual("HD"u8) || code.SequenceEqual("EN"u8) || code.SequenceEqual("NF"u8) || code.SequenceEqual("NS"u8)
        || code.SequenceEqual("EX"u8) || code.SequenceEqual("MN"u8);
}
