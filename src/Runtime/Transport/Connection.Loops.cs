using System.Buffers;
using System.Diagnostics;

namespace Memstore.Transport;

internal sealed partial class Connection
{
    private const int WriteBatchSize = 64 * 1024;
    private const int InitialReadBufferSize = 64 * 1024;

    /// <summary>
    /// Copies everything queued into one buffer and sends it with one write, so N concurrent callers cost
    /// one syscall rather than N. A request larger than the batch is sent straight from its own buffer.
    /// </summary>
    private async Task WriteLoopAsync(Stream stream, CancellationToken session)
    {
        var batch = ArrayPool<byte>.Shared.Rent(WriteBatchSize);
        try
        {
            while (true)
            {
                await _writeSignal.WaitAsync().ConfigureAwait(false);
                if (session.IsCancellationRequested)
                {
                    return;
                }
                while (true)
                {
                    var length = FillBatch(batch, out var large);
                    if (length == 0 && large is null)
                    {
                        break;
                    }
                    if (length > 0)
                    {
                        await stream.WriteAsync(batch.AsMemory(0, length), session).ConfigureAwait(false);
                    }
                    if (large is not null)
                    {
                        await stream.WriteAsync(large.Request.WrittenMemory, session).ConfigureAwait(false);
                    }
                }
                await stream.FlushAsync(session).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(batch);
        }
    }

    /// <summary>Moves queued requests to in-flight (in order) while copying their bytes into the batch.</summary>
    private int FillBatch(byte[] batch, out Operation? large)
    {
        large = null;
        var length = 0;
        lock (_sync)
        {
            if (_status != ConnectionStatus.Connected)
            {
                return 0;
            }
            if (_inFlight.Count == 0)
            {
                // Stall detection measures from when the server had something to answer.
                _lastProgress = Stopwatch.GetTimestamp();
            }
            while (_sendQueue.TryPeek(out var operation))
            {
                var size = operation.Request.Length;
                if (length > 0 && length + size > batch.Length)
                {
                    break;
                }
                _sendQueue.Dequeue();
                if (!operation.TryMarkWritten())
                {
                    Drop(operation); // timed out or canceled before it was sent: nothing reaches the server
                    continue;
                }
                _inFlight.Enqueue(operation);
                if (size > batch.Length)
                {
                    large = operation;
                    break;
                }
                operation.Request.WrittenSpan.CopyTo(batch.AsSpan(length));
                length += size;
            }
        }
        return length;
    }

    /// <summary>Reads responses and hands each to the oldest in-flight request.</summary>
    private async Task ReadLoopAsync(Stream stream)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialReadBufferSize);
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                int needed;
                var completions = CompletionBatch.Begin();
                try
                {
                    needed = ProcessResponses(buffer, ref start, end);
                }
                finally
                {
                    completions.Dispatch();
                }
                if (start == end)
                {
                    start = end = 0;
                }
                else if (needed > buffer.Length - start)
                {
                    // Make room: slide the partial response to the front, and grow if it still does not fit.
                    var target = needed > buffer.Length ? ArrayPool<byte>.Shared.Rent(needed) : buffer;
                    buffer.AsSpan(start, end - start).CopyTo(target);
                    if (!ReferenceEquals(target, buffer))
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = target;
                    }
                    end -= start;
                    start = 0;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(end)).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new EndOfStreamException($"{_name} closed the connection.");
                }
                end += read;
                Volatile.Write(ref _lastProgress, Stopwatch.GetTimestamp());
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Completes as many in-flight requests as the buffered bytes allow; returns the bytes needed next.</summary>
    private int ProcessResponses(byte[] buffer, ref int start, int end)
    {
        while (start < end)
        {
            Operation? head;
            lock (_sync)
            {
                _inFlight.TryPeek(out head);
            }
            if (head is null)
            {
                throw new MemcacheProtocolException(
                    $"{_name} sent {end - start} bytes that answer no request; the stream is out of step and the connection is reset.")
                { Server = _name };
            }
            bool done;
            int consumed, needed;
            bool reset;
            try
            {
                done = head.TryConsume(buffer.AsSpan(start, end - start), out consumed, out needed, out reset);
            }
            catch (MemcacheProtocolException ex)
            {
                head.TryFail(ex);
                throw;
            }
            start += consumed;
            if (!done)
            {
                return needed;
            }
            lock (_sync)
            {
                _inFlight.Dequeue();
            }
            Drop(head);
            if (reset)
            {
                throw new MemcacheProtocolException(
                    $"{_name} rejected a request line that had a data block behind it; the stream may be out of step, so the connection is reset.")
                { Server = _name };
            }
        }
        return 0;
    }
}
