using System.Text;

namespace Memstore.Transport;

/// <summary>
/// The authentication step of a connect, for memcached's ASCII authentication (<c>memcached -Y authfile</c>): a
/// <c>set</c> whose data is <c>"user password"</c>, answered <c>STORED</c> when the server accepts it. A no-op goes
/// first, and only a server that answers it <c>CLIENT_ERROR unauthenticated</c> gets the credentials: a server
/// without -Y would store them as an ordinary item that any client could read.
/// </summary>
internal sealed class AsciiAuthentication
{
    private const string Exchange = "authentication";
    private readonly byte[] _request;
    private readonly string _username;

    private AsciiAuthentication(string username, string password)
    {
        _username = username;
        var data = Encoding.UTF8.GetBytes($"{username} {password}");
        // memcached -Y takes any key, flags and expiry: the data carries the credentials.
        _request = [.. Encoding.ASCII.GetBytes($"set memstore-auth 0 0 {data.Length}\r\n"), .. data, .. "\r\n"u8];
    }

    /// <summary>The step for validated options, or null without <see cref="MemcacheClientOptions.Username"/>. Reads the password file now.</summary>
    public static AsciiAuthentication? Create(MemcacheClientOptions options)
    {
        if (options.Username is not { } username)
        {
            return null;
        }
        var password = options.Password;
        if (options.PasswordFile is { } file)
        {
            try
            {
                using var reader = new StreamReader(file);
                password = reader.ReadLine() ?? "";
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"MemcacheClientOptions.PasswordFile \"{file}\" cannot be read: {ex.Message}", nameof(options), ex);
            }
            if (password.Length == 0 || password.Any(static c => c is ' ' || char.IsControl(c)))
            {
                throw new ArgumentException(password.Length == 0
                    ? $"MemcacheClientOptions.PasswordFile \"{file}\" is empty: its first line is the password."
                    : $"MemcacheClientOptions.PasswordFile \"{file}\": the password on its first line has a space or control character, which memcached's ASCII authentication cannot carry.", nameof(options));
            }
        }
        return new AsciiAuthentication(username, password!);
    }

    /// <summary>Authenticates on <paramref name="stream"/> when the server asks for it; throws <see cref="MemcacheAuthenticationException"/> when it refuses.</summary>
    public async Task RunAsync(Stream stream, string name, CancellationToken cancellationToken)
    {
        var reader = new ReplyLineReader(stream, name);
        try
        {
            await stream.WriteAsync("mn\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            var first = await reader.ReadLineAsync(Exchange, cancellationToken).ConfigureAwait(false);
            if (first == "MN")
            {
                return; // no -Y: nothing to authenticate, and the credentials stay here
            }
            if (first != "CLIENT_ERROR unauthenticated")
            {
                throw new MemcacheProtocolException(
                    $"{name} answered a no-op before authentication with \"{ReplyLineReader.Printable(Encoding.ASCII.GetBytes(first))}\" instead of \"MN\" or \"CLIENT_ERROR unauthenticated\"; is it memcached 1.6 or later?")
                { Server = name };
            }
            await stream.WriteAsync(_request, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            var answer = await reader.ReadLineAsync(Exchange, cancellationToken).ConfigureAwait(false);
            if (answer == "STORED")
            {
                return;
            }
            throw new MemcacheAuthenticationException(
                $"{name} refused the credentials of user \"{_username}\" (it answered \"{ReplyLineReader.Printable(Encoding.ASCII.GetBytes(answer))}\"). "
                + "Check MemcacheClientOptions.Username and the password against the server's -Y file.")
            { Server = name, MarksServerDead = true };
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException)
        {
            throw new MemcacheAuthenticationException(
                $"{name} closed the connection during authentication as user \"{_username}\" ({ex.Message}); it may have refused the credentials.", ex)
            { Server = name, MarksServerDead = true };
        }
    }
}
