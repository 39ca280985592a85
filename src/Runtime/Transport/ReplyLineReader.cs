using System.Globalization;
using System.Text;

namespace Memstore.Transport;

/// <summary>
/// Reads the CRLF-terminated reply lines of a connection's first exchanges (authentication, the probe), before a
/// session takes the stream. Reads only what it needs for each line; the server sends nothing unasked.
/// </summary>
internal sealed class ReplyLineReader(Stream stream, string name)
{
    private const int MaxReplyBytes = 64 * 1024;
    private readonly byte[] _buffer = new byte[MaxReplyBytes];
    private int _start, _end;

    /// <summary>
    /// The next line, without its CRLF. Throws <see cref="EndOfStreamException"/> saying what arrived when the server
    /// closes the connection first, and <see cref="MemcacheProtocolException"/> for a reply without a line end.
    /// </summary>
    public async Task<string> ReadLineAsync(string exchange, CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
            if (newline >= 0)
            {
                var line = Encoding.ASCII.GetString(_buffer, _start, newline);
                _start += newline + 2;
                return line;
            }
            if (_end == _buffer.Length)
            {
                throw new MemcacheProtocolException($"{name} answered the {exchange} with more than {MaxReplyBytes} bytes without a line end; is it a memcached server?") { Server = name };
            }
            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException(_end > _start
                    ? $"it closed the connection after sending \"{Printable(_buffer.AsSpan(_start, _end - _start))}\""
                    : "it closed the connection");
            }
            _end += read;
        }
    }

    /// <summary>Up to 120 bytes of an answer, with anything unprintable as \xNN.</summary>
    public static string Printable(ReadOnlySpan<byte> bytes)
    {
        var builder = new StringBuilder();
        foreach (var b in bytes[..Math.Min(bytes.Length, 120)])
        {
            _ = b is >= 0x20 and < 0x7F ? builder.Append((char)b) : builder.Append(CultureInfo.InvariantCulture, $"\\x{b:X2}");
        }
        return bytes.Length > 120 ? builder.Append('…').ToString() : builder.ToString();
    }
}
