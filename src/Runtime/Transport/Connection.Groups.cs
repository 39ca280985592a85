using System.Buffers;
using System.Diagnostics;

namespace Memstore.Transport;

internal sealed partial class Connection
{
    /// <summary>The server this connection talks to.</summary>
    public ServerAddress Address => _server;

    /// <summary>
    /// Queues prepared operations as one unit, in this order and with nobody else's request between them; an idle
    /// connection writes them with one write on the caller's thread. memcached executes one connection's requests
    /// in the order they arrive, so the first is executed before the second, and so on.
    /// With <paramref name="linked"/>, every operation after the first may go out only right behind the one before
    /// it: when that one is dropped unsent (canceled, or timed out in the queue), or went out on a session that ended
    /// before this one was written, this one fails unsent as well. Returns false, with nothing queued, when the
    /// connection has no room for all of them or does not accept requests now; the caller then sends them its usual
    /// way (and learns why there).
    /// </summary>
    public bool TrySubmitGroup(Operation[] group, int count, bool linked)
    {
        if (!_requests.TryReserve(count))
        {
            return false;
        }
        var now = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var operation = group[i];
            operation.EnqueuedAt = now;
            operation.Server = _name;
            operation.MaxValueLength = _options.EffectiveMaxResponseValueSize;
            operation.SendOnlyAfterPrevious = linked && i > 0;
        }
        Stream? inline;
        int claimed;
        lock (_sync)
        {
            if (_status is ConnectionStatus.Down or ConnectionStatus.Disposed)
            {
                _requests.Unreserve(count);
                return false;
            }
            (inline, claimed) = TryClaimInlineWrite(group, count);
            for (var i = claimed; i < count; i++)
            {
                _requests.Enqueue(group[i]);
            }
        }
        if (inline is null)
        {
            _writeSignal.Set();
        }
        else
        {
            WriteInline(inline, group, claimed);
        }
        return true;
    }

    /// <summary>
    /// Under <see cref="_sync"/>: the group form of <see cref="TryClaimInlineWrite(Operation)"/>. Claims the stream
    /// and moves to in-flight the leading operations that are still live; returns how many. An operation already
    /// failed (canceled between its preparation and now) stops the claim: it and everything behind it are queued,
    /// where the writer loop drops it and applies the linked rule to the rest.
    /// </summary>
    private (Stream? Stream, int Claimed) TryClaimInlineWrite(Operation[] group, int count)
    {
        if (_status != ConnectionStatus.Connected || _writer != WriterState.Idle || !_requests.IsIdle
            || Volatile.Read(ref _callersWaitingToResume) > 0 || _stream is not { } stream)
        {
            return (null, 0);
        }
        var claimed = 0;
        while (claimed < count && group[claimed].TryMarkWritten())
        {
            _requests.AddInFlight(group[claimed]);
            claimed++;
        }
        if (claimed == 0)
        {
            return (null, 0);
        }
        _lastProgress = Stopwatch.GetTimestamp();
        _writer = WriterState.Inline;
        return (stream, claimed);
    }

    /// <summary>Writes the first <paramref name="count"/> requests of a group with one write (copied into one pooled buffer).</summary>
    private void WriteInline(Stream stream, Operation[] group, int count)
    {
        if (count == 1)
        {
            WriteInline(stream, group[0]);
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
        WriteInline(stream, buffer.AsMemory(0, length), buffer);
    }

    /// <summary>The failure of a linked request whose predecessor did not go out right before it.</summary>
    private MemcacheConnectionException NotSentAlone(Operation operation) => new(
        $"{Protocol.ErrorText.Operation(operation.Name, operation.Key)} was not sent to {_name}: it may only follow the request queued before it, which was not sent.")
    { Server = _name };
}
