using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using Memstore.Protocol;

namespace Memstore.Transport;

/// <summary>
/// A connection of its own to one server, for a command whose reply is a long stream (<c>lru_crawler metadump</c>):
/// such a reply on a client's shared, pipelined connection would hold up every other caller until it ended. Opened
/// with the same steps as every client connection (<see cref="ConnectionOpener"/>: stream, TLS, authentication,
/// probe), so TLS and authentication options apply. One command at a time; not thread-safe. Used by the
/// <c>memstore keys</c> command.
/// </summary>
internal sealed class DedicatedServerConnection : IAsyncDisposable
{
    private const int MaxLineBytes = 64 * 1024;
    private readonly Stream _stream;
    private readonly TimeSpan _idleTimeout;
    private readonly byte[] _buffer = new byte[MaxLineBytes];
    private int _start, _end;

    private DedicatedServerConnection(Stream stream, string name, TimeSpan idleTimeout)
    {
        _stream = stream;
        Name = name;
        _idleTimeout = idleTimeout;
    }

    /// <summary>The server, as messages name it.</summary>
    public string Name { get; }

    /// <summary>
    /// Opens a connection to <paramref name="server"/> with <paramref name="options"/>' connect timeout, TLS and
    /// credentials; <see cref="MemcacheClientOptions.OperationTimeout"/> becomes the longest wait for the next
    /// bytes of a reply. Throws <see cref="MemcacheConnectionException"/> (or the authentication and protocol
    /// exceptions of a client connection) naming the server when it cannot be used.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid or name files that cannot be read.</exception>
    public static async Task<DedicatedServerConnection> OpenAsync(MemcacheClientOptions options, ServerAddress server, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var name = server.ToString();
        var opener = ConnectionOpener.Create(options);
        try
        {
            var (stream, _) = await opener.OpenAsync(server, name, cancellationToken).ConfigureAwait(false);
            return new DedicatedServerConnection(stream, name, options.OperationTimeout);
        }
        catch (MemcacheException ex) when (ex.Server is null)
        {
            throw new MemcacheConnectionException($"{name}: {ex.Message}", ex) { Server = name };
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException or System.Security.Authentication.AuthenticationException or EndOfStreamException)
        {
            throw new MemcacheConnectionException($"{name} is unreachable: {ex.Message}", ex) { Server = name };
        }
    }

    /// <summary>
    /// Sends <paramref name="command"/> (one request line, without its line end) and yields the reply's lines, without
    /// their line ends (CR LF or LF), until <paramref name="endLine"/> (not yielded). An error line (<c>ERROR</c>,
    /// <c>CLIENT_ERROR</c>, <c>SERVER_ERROR</c>) throws the exception it maps to everywhere else; no bytes for
    /// longer than the operation timeout throws <see cref="MemcacheTimeoutException"/>. Stopping the enumeration
    /// early leaves the rest of the reply unread: dispose the connection then.
    /// </summary>
    public async IAsyncEnumerable<string> RunAsync(string command, string endLine, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        var request = Encoding.ASCII.GetBytes(command + "\r\n");
        await WithIdleTimeoutAsync(token => _stream.WriteAsync(request, token), command, cancellationToken).ConfigureAwait(false);
        await WithIdleTimeoutAsync(token => new ValueTask(_stream.FlushAsync(token)), command, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var line = await ReadLineAsync(command, cancellationToken).ConfigureAwait(false);
            if (line == endLine)
            {
                yield break;
            }
            var bytes = Encoding.ASCII.GetBytes(line);
            if (ErrorLines.TryClassify(bytes, out var code, out var messageStart))
            {
                throw ErrorLines.ToException(code, ErrorLines.Message(code, bytes, messageStart), ErrorText.Operation(command, null), Name);
            }
            yield return line;
        }
    }

    private async Task<string> ReadLineAsync(string command, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Lines end with CR LF, except metadump's, which end with LF alone.
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var length = newline > 0 && _buffer[_start + newline - 1] == '\r' ? newline - 1 : newline;
                var line = Encoding.ASCII.GetString(_buffer, _start, length);
                _start += newline + 1;
                return line;
            }
            if (_start > 0)
            {
                // Keep the partial line at the front, so any line up to the buffer's size fits.
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                (_end, _start) = (_end - _start, 0);
            }
            if (_end == _buffer.Length)
            {
                throw new MemcacheProtocolException($"{Name} answered '{command}' with a line longer than {MaxLineBytes} bytes.") { Server = Name };
            }
            var read = await WithIdleTimeoutAsync(token => _stream.ReadAsync(_buffer.AsMemory(_end), token), command, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new MemcacheConnectionException($"{Name} closed the connection in the middle of its answer to '{command}'.") { Server = Name };
            }
            _end += read;
        }
    }

    private async ValueTask<T> WithIdleTimeoutAsync<T>(Func<CancellationToken, ValueTask<T>> step, string command, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_idleTimeout);
        try
        {
            return await step(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Timeout(command);
        }
        catch (IOException ex)
        {
            throw new MemcacheConnectionException($"{Name}: the connection failed during '{command}' ({ex.Message}).", ex) { Server = Name };
        }
    }

    private async ValueTask WithIdleTimeoutAsync(Func<CancellationToken, ValueTask> step, string command, CancellationToken cancellationToken) =>
        await WithIdleTimeoutAsync<bool>(async token =>
        {
            await step(token).ConfigureAwait(false);
            return true;
        }, command, cancellationToken).ConfigureAwait(false);

    private MemcacheTimeoutException Timeout(string command) =>
        new($"Timed out: {Name} sent nothing for {_idleTimeout.TotalMilliseconds:0} ms in its answer to '{command}'.") { Server = Name };

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _stream.DisposeAsync();
}
