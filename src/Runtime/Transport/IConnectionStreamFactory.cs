using System.Net.Sockets;

namespace Memstore.Transport;

/// <summary>
/// Opens the byte stream a connection runs on. The one seam between the transport and the network:
/// TLS (an SslStream around the socket) or memcached's ASCII authentication (a handshake before the
/// stream is handed over) plug in here without touching anything above.
/// </summary>
internal interface IConnectionStreamFactory
{
    ValueTask<Stream> ConnectAsync(ServerAddress server, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>Plain TCP with TCP_NODELAY (requests are batched by the writer, not by Nagle) and keep-alive.</summary>
internal sealed class TcpStreamFactory : IConnectionStreamFactory
{
    public static TcpStreamFactory Instance { get; } = new();

    public async ValueTask<Stream> ConnectAsync(ServerAddress server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            await socket.ConnectAsync(server.Host, server.Port, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"Connecting to {server} did not complete within {timeout.TotalMilliseconds:0} ms.");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new NetworkStream(socket, ownsSocket: true);
    }
}
