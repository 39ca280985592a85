using System.Globalization;
using System.Text;

namespace Memstore.Transport;

/// <summary>What a server told the probe about itself; zero item size when it did not say.</summary>
internal sealed record ServerSettings(long ItemSizeMax, bool CasEnabled)
{
    /// <summary>
    /// Bytes an item takes besides its value and key, measured against memcached 1.6 (-I 512k, 1m, 2m):
    /// a 48-byte header, the key's terminating NUL and the value's CRLF (51), plus 8 for the CAS value
    /// unless the server runs with -C.
    /// </summary>
    public int ItemOverhead => CasEnabled ? 59 : 51;

    /// <summary>The largest value the server can store under a key of <paramref name="keyLength"/> bytes, or -1 when unknown.</summary>
    public long MaxValueLength(int keyLength) => ItemSizeMax > 0 ? ItemSizeMax - ItemOverhead - keyLength : -1;
}

/// <summary>
/// The first exchange on a new connection: a no-op (<c>mn</c>), which must be answered <c>MN</c> before the
/// connection is trusted, and <c>stats settings</c>, which tells the server's item size limit. When the
/// server answers anything else, the error says what it answered and what to configure.
/// </summary>
internal sealed class ServerProbe
{
    private const int MaxReplyBytes = 64 * 1024;
    private readonly Stream _stream;
    private readonly string _name;
    private readonly byte[] _buffer = new byte[MaxReplyBytes];
    private int _start, _end;

    private ServerProbe(Stream stream, string name)
    {
        _stream = stream;
        _name = name;
    }

    /// <summary>Runs the probe; throws <see cref="MemcacheConnectionException"/> or <see cref="MemcacheProtocolException"/> saying why the server is not usable.</summary>
    public static async Task<ServerSettings> RunAsync(Stream stream, string name, CancellationToken cancellationToken)
    {
        var probe = new ServerProbe(stream, name);
        // Written by the protocol's own request writers, like every other request.
        using var request = new Protocol.RequestBuffer();
        Protocol.MetaRequestWriter.NoOp(request);
        Protocol.MetaRequestWriter.Stats(request, "settings");
        try
        {
            await stream.WriteAsync(request.WrittenMemory, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw probe.ClosedUnanswered(ex);
        }
        var first = await probe.ReadLineOrExplainAsync(cancellationToken).ConfigureAwait(false);
        if (first != "MN")
        {
            throw probe.Refused(first);
        }
        long itemSizeMax = 0;
        var casEnabled = true;
        while (true)
        {
            var line = await probe.ReadLineOrExplainAsync(cancellationToken).ConfigureAwait(false);
            if (line == "END")
            {
                break;
            }
            if (!line.StartsWith("STAT ", StringComparison.Ordinal))
            {
                // A server without "stats settings": its limit stays unknown and MaxValueSize alone applies.
                return new ServerSettings(0, true);
            }
            var parts = line.Split(' ');
            if (parts.Length >= 3 && parts[1] == "item_size_max" && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                itemSizeMax = size;
            }
            else if (parts.Length >= 3 && parts[1] == "cas_enabled")
            {
                casEnabled = parts[2] != "no";
            }
        }
        return new ServerSettings(itemSizeMax, casEnabled);
    }

    private async Task<string> ReadLineOrExplainAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException)
        {
            throw ClosedUnanswered(ex);
        }
    }

    /// <summary>memcached -Z resets a connection whose first bytes are not a TLS handshake.</summary>
    private MemcacheConnectionException ClosedUnanswered(Exception ex) => new(
        $"{_name} accepted the connection but closed it without answering the no-op probe (mn) ({ex.Message}). "
        + "If this port is a TLS listener (memcached -Z), connect to a plaintext port instead: Memstore does not speak TLS yet.", ex)
    { Server = _name };

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
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
                throw new MemcacheProtocolException($"{_name} answered the probe with more than {MaxReplyBytes} bytes without a line end; is it a memcached server?") { Server = _name };
            }
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException(_end > _start
                    ? $"it closed the connection after sending \"{Printable(_buffer.AsSpan(_start, _end - _start))}\""
                    : "it closed the connection");
            }
            _end += read;
        }
    }

    private MemcacheException Refused(string answer)
    {
        var shown = Printable(Encoding.ASCII.GetBytes(answer));
        if (answer.Contains("unauthenticated", StringComparison.OrdinalIgnoreCase) || answer.Contains("auth", StringComparison.OrdinalIgnoreCase))
        {
            return new MemcacheConnectionException(
                $"{_name} answered the no-op probe with \"{shown}\": it requires authentication (memcached -Y or -S). "
                + "Memstore does not authenticate yet; connect to a server started without -Y/-S.")
            { Server = _name };
        }
        if (answer == "ERROR")
        {
            return new MemcacheProtocolException(
                $"{_name} answered the no-op probe (mn) with \"ERROR\": it does not know the meta protocol. Memstore needs memcached 1.6 or later.")
            { Server = _name };
        }
        if (answer.Length > 0 && answer[0] == '\u0015')
        {
            return new MemcacheConnectionException(
                $"{_name} answered the no-op probe with a TLS alert: it is a TLS listener (memcached -Z). Connect to a plaintext port instead: Memstore does not speak TLS yet.")
            { Server = _name };
        }
        return new MemcacheProtocolException(
            $"{_name} answered the no-op probe (mn) with \"{shown}\" instead of \"MN\"; is it a memcached server (1.6 or later)?")
        { Server = _name };
    }

    /// <summary>Up to 120 bytes of an answer, with anything unprintable as \xNN.</summary>
    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var builder = new StringBuilder();
        foreach (var b in bytes[..Math.Min(bytes.Length, 120)])
        {
            _ = b is >= 0x20 and < 0x7F ? builder.Append((char)b) : builder.Append(CultureInfo.InvariantCulture, $"\\x{b:X2}");
        }
        return bytes.Length > 120 ? builder.Append('…').ToString() : builder.ToString();
    }
}
