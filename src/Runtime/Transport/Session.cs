using System.Buffers;
using System.Diagnostics;

namespace Memstore.Transport;

/// <summary>
/// One connected stream of a <see cref="Connection"/>, from a successful connect and probe until the stream
/// fails or is reset: its reader and writer loops, who writes (the writer loop or a caller inline), and whether
/// the reader has taken everything that arrived. A new connect makes a new session, so nothing in here needs
/// to ask whether the stream is still its own; the requests it serves live in the connection's
/// <see cref="RequestQueue"/>, under the connection's lock.
/// </summary>
internal sealed partial class Session
{
    private readonly Connection _connection;
    private readonly RequestQueue _requests;
    private readonly object _sync;
    private readonly string _name;
    private readonly Stream _stream;
    private readonly AsyncSignal _writeSignal;

    // The socket under the stream when it is a plain NetworkStream, whose unread bytes the sweep can count.
    private readonly System.Net.Sockets.Socket? _socket;

    // Why the session was ended from outside (guarded by _sync); the loops' own failure otherwise.
    private Exception? _abortReason;

    public Session(Connection connection, RequestQueue requests, Stream stream, AsyncSignal writeSignal)
    {
        _connection = connection;
        _requests = requests;
        _sync = requests.Sync;
        _name = connection.Name;
        _stream = stream;
        _writeSignal = writeSignal;
        _socket = (stream as System.Net.Sockets.NetworkStream)?.Socket;
    }

    /// <summary>Runs the reader and writer until either fails; returns why the session ended. Disposes the stream.</summary>
    public async Task<Exception> RunAsync(CancellationToken shutdown)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        var reader = ReadLoopAsync();
        var writer = WriteLoopAsync(session.Token);
        var first = await Task.WhenAny(reader, writer).ConfigureAwait(false);
        Exception cause;
        lock (_sync)
        {
            cause = _abortReason ?? first.Exception?.GetBaseException()
                ?? new EndOfStreamException($"{_name} closed the connection.");
        }
        await session.CancelAsync().ConfigureAwait(false);
        _writeSignal.Set();
        await _stream.DisposeAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(reader, writer).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The second loop fails as a consequence of the first; its error adds nothing.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        return cause;
    }

    /// <summary>Ends the session: the first reason given is the one reported. Disposing the stream wakes the reader with an error.</summary>
    public void Abort(Exception reason)
    {
        lock (_sync)
        {
            _abortReason ??= reason;
        }
        _stream.Dispose();
    }

    /// <summary>
    /// Whether the reader has taken every reply that reached this side: it waits on the stream, and (on a socket)
    /// the kernel holds nothing for it to read, neither bytes nor the end of the stream. <paramref name="checkedAt"/>
    /// is when that was established, or null when the stream is not a socket and only the reader's state is known.
    /// </summary>
    /// <remarks>
    /// A closed or reset connection holds no bytes, but its reader has not yet seen the close: until it runs, its
    /// requests must not be judged as timed out (they fail with the connection's error instead). A zero-wait poll
    /// for readability answers both.
    /// </remarks>
    public bool ReaderCaughtUp(out long? checkedAt)
    {
        checkedAt = null;
        if (!_readerWaiting)
        {
            return false;
        }
        if (_socket is not { } socket)
        {
            return true;
        }
        try
        {
            if (socket.Poll(0, System.Net.Sockets.SelectMode.SelectRead))
            {
                return false; // bytes, or the end of the stream, wait for the reader
            }
        }
        catch (ObjectDisposedException)
        {
            return false; // the session is ending; the lifecycle loop fails what is in flight
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
        checkedAt = Stopwatch.GetTimestamp();
        return _readerWaiting; // still waiting after the check: nothing arrived before it
    }

    /// <summary>
    /// Under the connection's lock, with this the current session: the group form of <see cref="TryClaimInlineWrite(Operation)"/>. Claims the stream
    /// and moves to in-flight the leading operations that are still live; returns how many. An operation already
    /// failed (canceled between its preparation and now) stops the claim: it and everything behind it are queued,
    /// where the writer loop drops it and applies the linked rule to the rest.
    /// </summary>
    public int TryClaimInlineWrite(Operation[] group, int count)
    {
        if (_writer != WriterState.Idle || !_requests.IsIdle || _connection.CallersWaiting)
        {
            return 0;
        }
        var claimed = 0;
        while (claimed < count && group[claimed].TryMarkWritten())
        {
            _requests.AddInFlight(group[claimed]);
            claimed++;
        }
        if (claimed == 0)
        {
            return 0;
        }
        _connection.NoteProgress();
        _writer = WriterState.Inline;
        return claimed;
    }

    /// <summary>Writes the first <paramref name="count"/> requests of a group with one write (copied into one pooled buffer).</summary>
    public void WriteInline(Operation[] group, int count)
    {
        if (count == 1)
        {
            WriteInline(group[0]);
            return;
        }
        var length = 0;
        for (var i = 0; i < count; i++)
        {
            length += group[i].Request.Length;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            group[i].Request.WrittenSpan.CopyTo(buffer.AsSpan(offset));
            offset += group[i].Request.Length;
        }
        WriteInline(buffer.AsMemory(0, length), buffer);
    }

    /// <summary>The failure of a linked request whose predecessor did not go out right before it.</summary>
    private MemcacheConnectionException NotSentAlone(Operation operation) => new(
        $"{Protocol.ErrorText.Operation(operation.Name, operation.Key)} was not sent to {_name}: it may only follow the request queued before it, which was not sent.")
    { Server = _name, NotSent = true };

    private void Drop(Operation operation) => _requests.Drop(operation);
}
