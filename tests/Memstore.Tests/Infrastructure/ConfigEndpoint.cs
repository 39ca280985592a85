using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Memstore.Tests.Infrastructure;

/// <summary>
/// The one stand-in the auto-discovery tests use: a loopback TCP listener that answers only
/// <c>config get cluster</c> (which memcached itself does not have) with a list the test controls, in the format
/// AWS and Google document. Any other command gets <c>ERROR</c>. Every data operation goes to real memcached
/// servers; this only tells the client which ones. A raw reply replaces the well-formed one to test malformed
/// answers; with <see cref="CloseAfterReply"/> the connection is closed right after it (a truncated reply).
/// Like a cluster node it can speak TLS (a certificate given) and require memcached's ASCII authentication
/// (credentials given: <c>mn</c> and every command answer <c>CLIENT_ERROR unauthenticated</c> until a
/// <c>set</c> carries "user password").
/// </summary>
public sealed class ConfigEndpoint : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly object _sync = new();
    private byte[] _reply = [];
    private readonly X509Certificate2? _certificate;
    private readonly string? _credentials;
    private int _polls;

    public ConfigEndpoint(PemPair? certificate = null, string? username = null, string? password = null)
    {
        _certificate = certificate is null ? null : X509Certificate2.CreateFromPemFile(certificate.CertificatePath, certificate.KeyPath);
        _credentials = username is null ? null : $"{username} {password}";
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public ServerAddress Address => new("127.0.0.1", ((IPEndPoint)_listener.LocalEndpoint).Port);

    /// <summary>How many <c>config get cluster</c> requests were answered.</summary>
    public int Polls => Volatile.Read(ref _polls);

    public bool CloseAfterReply { get; set; }

    /// <summary>Answers with a well-formed reply: this version and these servers (host|ip|port, ip given).</summary>
    public void SetCluster(long version, IEnumerable<ServerAddress> servers) =>
        SetRawReply(Format(version, string.Join(" ", servers.Select(s => $"node-{s.Port}.test|{s.Host}|{s.Port}"))));

    public void SetRawReply(string reply)
    {
        lock (_sync)
        {
            _reply = Encoding.ASCII.GetBytes(reply);
        }
    }

    /// <summary>The documented format, with the block length computed: version line and server line.</summary>
    public static string Format(long version, string serverLine)
    {
        var block = $"{version}\r\n{serverLine}\n";
        return $"CONFIG cluster 0 {Encoding.ASCII.GetByteCount(block)}\r\n{block}\r\nEND\r\n";
    }

    /// <summary>Waits (bounded) until the endpoint has answered <paramref name="count"/> polls in total.</summary>
    public async Task WaitForPollsAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Polls < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The configuration endpoint was polled {Polls} time(s) within {timeout}; expected {count}.");
            }
            await Task.Delay(10);
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = ServeAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            Stream stream = client.GetStream();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            if (_certificate is not null)
            {
                var tls = new SslStream(stream);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, timeout.Token);
                stream = tls;
            }
            await using var owned = stream;
            using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
            var authenticated = _credentials is null;
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                byte[] reply;
                if (!authenticated)
                {
                    reply = "CLIENT_ERROR unauthenticated\r\n"u8.ToArray();
                    if (line.StartsWith("set ", StringComparison.Ordinal))
                    {
                        authenticated = await reader.ReadLineAsync(timeout.Token) == _credentials;
                        reply = authenticated ? "STORED\r\n"u8.ToArray() : "CLIENT_ERROR authentication failure\r\n"u8.ToArray();
                    }
                }
                else if (line == "config get cluster")
                {
                    lock (_sync)
                    {
                        reply = _reply;
                    }
                    Interlocked.Increment(ref _polls);
                }
                else
                {
                    reply = "ERROR\r\n"u8.ToArray();
                }
                await stream.WriteAsync(reply, timeout.Token);
                if (CloseAfterReply)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or System.Security.Authentication.AuthenticationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
        _certificate?.Dispose();
    }
}
