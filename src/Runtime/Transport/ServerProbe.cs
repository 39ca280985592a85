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
/// The first exchange on a new connection (after TLS and authentication, when configured): a no-op (<c>mn</c>),
/// which must be answered <c>MN</c> before the connection is trusted, and <c>stats settings</c>, which tells the
/// server's item size limit. When the server answers anything else, the error says what it answered and what to configure.
/// </summary>
internal sealed class ServerProbe
{
    private const string Exchange = "no-op probe (mn)";
    private readonly string _name;
    private readonly bool _overTls;
    private readonly ReplyLineReader _reader;

    private ServerProbe(Stream stream, string name, bool overTls)
    {
        _name = name;
        _overTls = overTls;
        _reader = new ReplyLineReader(stream, name);
    }

    /// <summary>Runs the probe; throws <see cref="MemcacheConnectionException"/> or <see cref="MemcacheProtocolException"/> saying why the server is not usable.</summary>
    /// <param name="stream">The connection's stream, after any TLS and authentication steps.</param>
    /// <param name="name">The server, for messages.</param>
    /// <param name="overTls">Whether <paramref name="stream"/> is TLS: a server closing it then likely refused the client's certificate.</param>
    /// <param name="cancellationToken">The connect deadline.</param>
    public static async Task<ServerSettings> RunAsync(Stream stream, string name, bool overTls, CancellationToken cancellationToken)
    {
        var probe = new ServerProbe(stream, name, overTls);
        // Written by the protocol's own commands, like every other request.
        using var request = new Protocol.RequestBuffer();
        new Protocol.Commands.NoOpCommand().Write(request);
        new Protocol.Commands.StatsCommand("settings").Write(request);
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
            return await _reader.ReadLineAsync(Exchange, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or System.Security.Authentication.AuthenticationException)
        {
            throw ClosedUnanswered(ex);
        }
    }

    /// <summary>
    /// memcached -Z resets a connection whose first bytes are not a TLS handshake; over TLS, a server that wants a
    /// client certificate it did not get ends the connection right after the handshake (TLS 1.3 checks it late).
    /// </summary>
    private MemcacheConnectionException ClosedUnanswered(Exception ex) => _overTls
        ? new($"{_name} completed the TLS handshake but then closed the connection without answering the {Exchange} ({ex.Message}): "
            + "it may require a client certificate that this client did not send or that it does not accept "
            + "(MemcacheClientOptions.Tls.ClientCertificatePath, memstore --tls-cert/--tls-key).", ex)
        { Server = _name, MarksServerDead = true }
        : new($"{_name} accepted the connection but closed it without answering the {Exchange} ({ex.Message}). "
            + TlsHint, ex)
        { Server = _name, MarksServerDead = true };

    private const string TlsHint = "The server may require TLS (memcached -Z): set MemcacheClientOptions.Tls.Enabled (memstore --tls).";

    private MemcacheException Refused(string answer)
    {
        var shown = ReplyLineReader.Printable(Encoding.ASCII.GetBytes(answer));
        if (answer.Contains("unauthenticated", StringComparison.OrdinalIgnoreCase) || answer.Contains("auth", StringComparison.OrdinalIgnoreCase))
        {
            return new MemcacheAuthenticationException(
                $"{_name} answered the no-op probe with \"{shown}\": it requires authentication (memcached -Y). "
                + "Set MemcacheClientOptions.Username and Password or PasswordFile (memstore --username and --password-file).")
            { Server = _name, MarksServerDead = true };
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
                $"{_name} answered the no-op probe with a TLS alert: it is a TLS listener. " + TlsHint)
            { Server = _name, MarksServerDead = true };
        }
        return new MemcacheProtocolException(
            $"{_name} answered the no-op probe (mn) with \"{shown}\" instead of \"MN\"; is it a memcached server (1.6 or later)?")
        { Server = _name };
    }
}
