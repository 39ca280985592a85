using Memstore.Protocol;

namespace Memstore.Transport;

/// <summary>
/// A multi-get to one server as classic <c>gets k1 k2 ...</c> commands (at most
/// <see cref="KeysPerCommand"/> keys each), used for text keys. memcached parses one command line
/// for many keys, which costs it about half as much per key as one quiet <c>mg</c> per key. Replies
/// come in request order with misses left out, so each <c>VALUE</c> is matched to the next requested
/// key with the same bytes.
/// </summary>
internal sealed class ClassicBatchGetOperation : MultiGetOperation
{
    private const int KeysPerCommand = 100;

    private readonly List<(int Offset, int Length)> _keys = [];
    private readonly List<int> _commandStarts = [];
    private int _next;
    private int _endsSeen;

    public ClassicBatchGetOperation(CacheValue[] results) : base(results)
    {
    }

    public override void AddKey(int resultIndex, ReadOnlySpan<byte> key, KeyMode mode)
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
        ResultIndexes.Add(resultIndex);
    }

    public override void Close() => Request.WriteCrLf();

    public override bool TryConsume(ReadOnlySpan<byte> data, out int consumed, out int needed, out bool resetConnection)
    {
        consumed = 0;
        resetConnection = false;
        while (true)
        {
            if (!ClassicValueParser.TryParse(data[consumed..], out var reply, out needed))
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
                var text = System.Text.Encoding.ASCII.GetString(data.Slice(start + reply.KeyOffset, reply.KeyLength));
                RecordError(new MemcacheServerErrorException($"memcached refused 'get-many' on {Server}: {text}", text) { Server = Server });
            }
            // END (or an error, which also ends its command): the rest of that command's keys were misses.
            _endsSeen++;
            _next = _endsSeen < _commandStarts.Count ? _commandStarts[_endsSeen] : _keys.Count;
            if (_endsSeen == _commandStarts.Count)
            {
                Finish();
                return true;
            }
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
        throw MetaResponseParser.Malformed($"VALUE from {Server} for a key that was not requested next", key);
    }
}
