using Memstore.Protocol;
using Memstore.Protocol.Commands;

namespace Memstore.Transport;

/// <summary>
/// A multi-get to one server as classic <c>gets k1 k2 ...</c> commands (at most
/// <see cref="KeysPerCommand"/> keys each), used for text keys. memcached parses one command line
/// for many keys, which costs it about half as much per key as one quiet <c>mg</c> per key. Replies
/// come in request order with misses left out, so each <c>VALUE</c> is matched to the next requested
/// key with the same bytes. The last key goes as a non-quiet <c>mg</c> tagged with an opaque token:
/// its reply ends the batch, and a stale or stray <c>gets</c> reply (which carries no token) puts
/// something other than that tagged reply where it is expected, so the batch fails instead of
/// returning what another request was answered.
/// </summary>
internal sealed class ClassicMultiGetOperation : MultiGetOperation
{
    private const int KeysPerCommand = 100;

    private readonly List<(int Offset, int Length)> _keys = [];
    private readonly List<int> _commandStarts = [];
    private int _next;
    private int _endsSeen;

    public ClassicMultiGetOperation(CacheValue[] results, OpaqueCounter opaques) : base(results, opaques)
    {
    }

    protected override void WriteKey(ReadOnlySpan<byte> key, KeyMode mode)
    {
        if (_keys.Count % KeysPerCommand == 0)
        {
            if (_keys.Count > 0)
            {
                Request.WriteCrLf();
            }
            Request.Write("gets"u8);
            _commandStarts.Add(_keys.Count);
        }
        Request.WriteByte((byte)' ');
        _keys.Add((Request.Length, key.Length));
        Request.Write(key);
    }

    protected override void WriteLastKey(ReadOnlySpan<byte> key, KeyMode mode, uint opaque)
    {
        if (_keys.Count > 0)
        {
            Request.WriteCrLf();
        }
        new MetaGet().Write(Request, key, mode, opaque);
    }

    public override bool TryConsume(ReadOnlySpan<byte> data, CompletionBatch? completions, out int consumed, out int needed, out bool resetConnection)
    {
        consumed = 0;
        resetConnection = false;
        while (true)
        {
            if (_endsSeen == _commandStarts.Count)
            {
                return TryConsumeTerminator(data, completions, ref consumed, out needed);
            }
            if (!ClassicValueParser.TryParse(data[consumed..], out var reply, out needed, MaxValueLength))
            {
                return false;
            }
            var start = consumed;
            consumed += reply.TotalLength;
            if (reply.Kind == ClassicValueParser.Kind.Value)
            {
                var index = MatchKey(data.Slice(start + reply.KeyOffset, reply.KeyLength));
                Deliver(index, data.Slice(start + reply.ValueOffset, reply.ValueLength), reply.Flags, reply.Cas);
                continue;
            }
            if (reply.Kind == ClassicValueParser.Kind.Error)
            {
                var line = data.Slice(start, reply.KeyOffset + reply.KeyLength);
                RecordError(ErrorLines.ToException(reply.ErrorCode, ErrorLines.Message(reply.ErrorCode, line, reply.KeyOffset), ErrorText.Operation(Name, null), Server));
            }
            // END (or an error, which also ends its command): the rest of that command's keys were misses.
            _endsSeen++;
            _next = _endsSeen < _commandStarts.Count ? _commandStarts[_endsSeen] : _keys.Count;
        }
    }

    private int MatchKey(ReadOnlySpan<byte> key)
    {
        var limit = _endsSeen + 1 < _commandStarts.Count ? _commandStarts[_endsSeen + 1] : _keys.Count;
        var request = Request.WrittenSpan;
        while (_next < limit)
        {
            var (offset, length) = _keys[_next++];
            if (request.Slice(offset, length).SequenceEqual(key))
            {
                return _next - 1;
            }
        }
        throw OutOfStep($"a VALUE line for key {KeyCodec.Describe(System.Text.Encoding.UTF8.GetString(key))}", "a VALUE line for a key it requested, in request order");
    }
}
