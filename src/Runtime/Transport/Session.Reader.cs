using System.Buffers;

namespace Memstore.Transport;

internal sealed partial class Session
{
    private const int InitialReadBufferSize = 64 * 1024;

    // Read by the sweep (see ReaderCaughtUp): whether the reader waits on the stream.
    private volatile bool _readerWaiting;

    /// <summary>
    /// Read buffers up to this size come from the shared pool; larger ones (for values of several MiB) are
    /// allocated for the one reply that needs them and left to the GC afterwards, so they do not stay pinned
    /// in the pool or in the connection.
    /// </summary>
    private const int LargestPooledReadBuffer = 4 * 1024 * 1024;

    /// <summary>
    /// Reads responses and hands each to the oldest in-flight request. The buffer grows only to what a
    /// reply's announced length needs, which the parsers have already checked against the response limit,
    /// and shrinks back once that reply is consumed.
    /// </summary>
    private async Task ReadLoopAsync()
    {
        var stream = _stream;
        var buffer = ArrayPool<byte>.Shared.Rent(InitialReadBufferSize);
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                int needed;
                var completions = CompletionBatch.Rent(_connection);
                try
                {
                    needed = ProcessResponses(buffer, ref start, end, completions);
                }
                finally
                {
                    completions.Dispatch();
                }
                if (buffer.Length > InitialReadBufferSize && end - start <= InitialReadBufferSize / 2 && needed <= InitialReadBufferSize)
                {
                    // The large reply that grew the buffer is consumed: go back to the usual size.
                    buffer = MoveTo(ArrayPool<byte>.Shared.Rent(InitialReadBufferSize), buffer, ref start, ref end);
                }
                else if (start == end)
                {
                    start = end = 0;
                }
                else if (needed > buffer.Length - start)
                {
                    // Make room: slide the partial response to the front, and grow if it still does not fit.
                    buffer = needed > buffer.Length
                        ? MoveTo(RentReadBuffer(needed), buffer, ref start, ref end)
                        : MoveTo(buffer, buffer, ref start, ref end);
                }
                var pending = stream.ReadAsync(buffer.AsMemory(end));
                int read;
                if (pending.IsCompleted)
                {
                    read = pending.Result;
                }
                else
                {
                    // Waiting on the stream: everything that arrived so far is consumed (see Sweep).
                    _readerWaiting = true;
                    read = await pending.ConfigureAwait(false);
                    _readerWaiting = false;
                }
                if (read == 0)
                {
                    throw new EndOfStreamException($"{_name} closed the connection.");
                }
                end += read;
                _connection.NoteReplies();
            }
        }
        finally
        {
            ReturnReadBuffer(buffer);
        }
    }

    private static byte[] RentReadBuffer(int size) =>
        size <= LargestPooledReadBuffer ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);

    private static void ReturnReadBuffer(byte[] buffer)
    {
        if (buffer.Length <= LargestPooledReadBuffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Copies the unconsumed bytes to the front of <paramref name="target"/>; releases the old buffer if it is another.</summary>
    private static byte[] MoveTo(byte[] target, byte[] buffer, ref int start, ref int end)
    {
        buffer.AsSpan(start, end - start).CopyTo(target);
        if (!ReferenceEquals(target, buffer))
        {
            ReturnReadBuffer(buffer);
        }
        end -= start;
        start = 0;
        return target;
    }

    /// <summary>Completes as many in-flight requests as the buffered bytes allow; returns the bytes needed next.</summary>
    private int ProcessResponses(byte[] buffer, ref int start, int end, CompletionBatch completions)
    {
        while (start < end)
        {
            Operation? head;
            lock (_sync)
            {
                head = _requests.OldestInFlight();
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
                done = head.TryConsume(buffer.AsSpan(start, end - start), completions, out consumed, out needed, out reset);
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
                _requests.RemoveOldestInFlight();
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
