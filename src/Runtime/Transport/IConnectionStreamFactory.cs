using System.Net.Sockets;

namespace Memstore;

/// <summary>
/// Opens the byte stream one connection to one server runs on: the seam between Memstore's transport and the
/// network. The default, <see cref="TcpConnectionStreamFactory"/>, opens a TCP socket. A factory of your own can
/// wrap it — a test proxy, a socket option, a tunnel — without anything above the transport knowing.
/// Set it with <see cref="MemcacheClientOptions.ConnectionStreamFactory"/>. The client's own TLS
/// (<see cref="MemcacheClientOptions.Tls"/>) and authentication (<see cref="MemcacheClientOptions.Username"/>)
/// run on the stream a factory returns, after it, so a factory composes with both.
/// </summary>
/// <remarks>
/// <para>The contract: each call opens a new, connected, readable and writable stream to
/// the server, or throws. The client owns the returned stream: it reads and writes it from its own
/// loops (one reader, one writer at a time) and disposes it when the connection is reset or the client is
/// disposed. A factory must give up within <c>timeout</c> (throw <see cref="TimeoutException"/>) and honour
/// <c>cancellationToken</c>; any exception fails this connect attempt, counts towards marking the server dead and
/// is retried with backoff, so a factory must not retry on its own. Called concurrently for different
/// connections; keep it thread-safe.</para>
/// </remarks>
public interface IConnectionStreamFactory
{
    /// <summary>Opens a stream to <paramref name="server"/>.</summary>
    /// <param name="server">The server to connect to, as configured.</param>
    /// <param name="timeout">How long the whole connect may take (<see cref="MemcacheClientOptions.ConnectTimeout"/>).</param>
    /// <param name="cancellationToken">Cancelled when the client shuts down.</param>
    /// <returns>A connected stream the client now owns.</returns>
    ValueTask<Stream> ConnectAsync(ServerAddress server, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>
/// Plain TCP with <c>TCP_NODELAY</c> (requests are batched by the client's writer, not by Nagle's algorithm) and
/// keep-alive: the stream every connection uses unless <see cref="MemcacheClientOptions.ConnectionStreamFactory"/>
/// says otherwise. A factory of your own can call it and wrap the stream it returns.
/// </summary>
public sealed class TcpConnectionStreamFactory : IConnectionStreamFactory
{
    private TcpConnectionStreamFactory()
    {
    }

    /// <summary>The one instance (it has no state).</summary>
    public static TcpConnectionStreamFactory Instance { get; } = new();

    /// <inheritdoc />
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
