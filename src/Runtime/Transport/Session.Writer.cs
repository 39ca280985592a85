using System.Buffers;

namespace Memstore.Transport;

/// <summary>Who is writing to a session's stream; only one writer at a time, so bytes never interleave.</summary>
internal enum WriterState
{
    /// <summary>Nobody: the next request may be written inline by its caller.</summary>
    Idle,
    /// <summary>The writer loop (which also owns a pending inline write handed over to it).</summary>
    Loop,
    /// <summary>A caller is writing its own request.</summary>
    Inline,
}

internal sealed partial class Session
{
    private const int CoalescedWriteSize = 64 * 1024;

    // Guarded by _sync.
    private WriterState _writer;
    private Task? _handedOver;

    /// <summary>
    /// Under the connection's lock, with this the current session: when the connection is idle — nothing queued,
    /// nothing in flight, nobody writing — claims the stream for the caller and moves the operation straight to
    /// in-flight (before its bytes are written, like the writer loop does). Returns false when the request must
    /// be queued for the writer loop. With requests in flight the server answers them first
    /// anyway, so queuing costs little latency and lets the writer coalesce; only an idle connection pays the
    /// writer hop in full.
    /// </summary>
    public bool TryClaimInlineWrite(Operation operation)
    {
        if (_writer != WriterState.Idle || !_requests.IsIdle || _connection.CallersWaiting)
        {
            return false;
        }
        if (!operation.TryMarkWritten())
        {
            return false; // already failed (canceled): the writer loop drops it without sending
        }
        _connection.NoteProgress(); // stall detection measures from when the server had something to answer
        _requests.AddInFlight(operation);
        _writer = WriterState.Inline;
        return true;
    }

    /// <summary>
    /// Writes one request on the caller's thread. A write that completes at once (the usual case: the socket
    /// buffer has room) costs no thread hand-off; one that would block is handed to the writer loop, which
    /// finishes it before writing anything else. A failed write resets the session like a writer-loop failure.
    /// </summary>
    public void WriteInline(Operation operation) => WriteInline(operation.Request.WrittenMemory, rented: null);

    /// <summary>Writes <paramref name="bytes"/> on the caller's thread; <paramref name="rented"/>, if any, goes back to the pool once written.</summary>
    private void WriteInline(ReadOnlyMemory<byte> bytes, byte[]? rented)
    {
        Task? pending = null;
        try
        {
            var write = _stream.WriteAsync(bytes, CancellationToken.None);
            if (write.IsCompletedSuccessfully)
            {
                write.GetAwaiter().GetResult();
                var flush = _stream.FlushAsync(CancellationToken.None);
                if (!flush.IsCompletedSuccessfully)
                {
                    pending = flush;
                }
            }
            else
            {
                pending = write.AsTask();
            }
        }
#pragma warning disable CA1031 // Any write failure ends the session; the request is in flight and fails with it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Abort(ex);
        }
        // A handed-over write that fails ends the session through the writer loop; if the session ends first,
        // nobody awaits it, so its failure is observed here.
        pending?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        if (rented is not null)
        {
            if (pending is null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
            else
            {
                pending.ContinueWith(static (_, state) => ArrayPool<byte>.Shared.Return((byte[])state!), rented, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
        var wake = false;
        lock (_sync)
        {
            if (_writer == WriterState.Inline)
            {
                if (pending is not null)
                {
                    _handedOver = pending;
                    _writer = WriterState.Loop;
                    wake = true;
                }
                else
                {
                    _writer = WriterState.Idle;
                    wake = _requests.Waiting > 0;
                }
            }
        }
        if (wake)
        {
            _writeSignal.Set();
        }
    }

    /// <summary>
    /// Copies everything queued into one buffer and sends it with one write, so N concurrent callers cost
    /// one syscall rather than N. A request larger than the coalescing buffer is sent straight from its own buffer.
    /// </summary>
    private async Task WriteLoopAsync(CancellationToken session)
    {
        var coalesced = ArrayPool<byte>.Shared.Rent(CoalescedWriteSize);
        try
        {
            while (true)
            {
                await _writeSignal.WaitAsync().ConfigureAwait(false);
                if (session.IsCancellationRequested)
                {
                    return;
                }
                if (!TryClaimWriter(out var handedOver))
                {
                    continue; // an inline write is under way; it wakes the loop again if requests queued behind it
                }
                do
                {
                    if (handedOver is not null)
                    {
                        await handedOver.ConfigureAwait(false);
                        handedOver = null;
                    }
                    while (true)
                    {
                        var length = FillCoalescedWrite(coalesced, out var large);
                        if (length == 0 && large is null)
                        {
                            break;
                        }
                        if (length > 0)
                        {
                            await _stream.WriteAsync(coalesced.AsMemory(0, length), session).ConfigureAwait(false);
                        }
                        if (large is not null)
                        {
                            await _stream.WriteAsync(large.Request.WrittenMemory, session).ConfigureAwait(false);
                        }
                    }
                    await _stream.FlushAsync(session).ConfigureAwait(false);
                }
                while (!TryReleaseWriter());
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(coalesced);
        }
    }

    /// <summary>Takes the stream for the loop unless a caller is writing inline; picks up a handed-over write.</summary>
    private bool TryClaimWriter(out Task? handedOver)
    {
        lock (_sync)
        {
            handedOver = _handedOver;
            _handedOver = null;
            switch (_writer)
            {
                case WriterState.Inline:
                    return false;
                case WriterState.Loop:
                    return true;
                default:
                    if (_requests.Waiting == 0)
                    {
                        return false;
                    }
                    _writer = WriterState.Loop;
                    return true;
            }
        }
    }

    /// <summary>Gives the stream back once flushed, unless more requests were queued meanwhile.</summary>
    private bool TryReleaseWriter()
    {
        lock (_sync)
        {
            if (_connection.IsCurrent(this) && _requests.Waiting > 0)
            {
                return false;
            }
            _writer = WriterState.Idle;
            return true;
        }
    }

    /// <summary>Moves queued requests to in-flight (in order) while copying their bytes into one buffer.</summary>
    private int FillCoalescedWrite(byte[] buffer, out Operation? large)
    {
        large = null;
        var length = 0;
        lock (_sync)
        {
            if (!_connection.IsCurrent(this))
            {
                return 0;
            }
            if (_requests.InFlight == 0)
            {
                // Stall detection measures from when the server had something to answer.
                _connection.NoteProgress();
            }
            var previousDropped = false;
            while (_requests.TryPeekWaiting(out var operation))
            {
                var size = operation.Request.Length;
                if (length > 0 && length + size > buffer.Length)
                {
                    break;
                }
                _requests.TakeWaiting();
                if (previousDropped && operation.SendOnlyAfterPrevious)
                {
                    operation.TryFail(NotSentAlone(operation));
                }
                if (!operation.TryMarkWritten())
                {
                    Drop(operation); // timed out or canceled before it was sent: nothing reaches the server
                    previousDropped = true;
                    continue;
                }
                previousDropped = false;
                _requests.AddInFlight(operation);
                if (size > buffer.Length)
                {
                    large = operation;
                    break;
                }
                operation.Request.WrittenSpan.CopyTo(buffer.AsSpan(length));
                length += size;
            }
        }
        return length;
    }
}
