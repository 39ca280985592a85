using Memstore.Protocol;

namespace Memstore.Transport;

/// <summary>
/// A pipelined multi-get to one server: one quiet <c>mg</c> per key, tagged with its index as the opaque,
/// closed by <c>mn</c>. Only hits answer; <c>MN</c> ends the batch, so it costs one round trip.
/// </summary>
internal sealed class BatchGetOperation : Operation
{
    private readonly CacheValue[] _results;
    private readonly List<int> _resultIndexes = [];
    private Exception? _firstError;

    /// <param name="results">Where hits land, shared by all servers' batches of one multi-get.</param>
    public BatchGetOperation(CacheValue[] results)
    {
        _results = results;
        Name = "get-many";
    }

    /// <summary>A batch whose requests map to the given result slots, in order (used by tests).</summary>
    public BatchGetOperation(CacheValue[] results, IEnumerable<int> resultIndexes)
        : this(results) => _resultIndexes.AddRange(resultIndexes);

    /// <summary>Registers the caller's key at <paramref name="resultIndex"/>; returns the opaque for its request.</summary>
    public int Add(int resultIndex)
    {
        _resultIndexes.Add(resultIndex);
        return _resultIndexes.Count - 1;
    }

    public override bool TryConsume(ReadOnlySpan<byte> data, out int consumed, out int needed, out bool resetConnection)
    {
        consumed = 0;
        resetConnection = false;
        while (true)
        {
            if (!MetaResponseParser.TryParse(data[consumed..], out var response, out needed))
            {
                return false;
            }
            var start = consumed;
            consumed += response.TotalLength;
            switch (response.Code)
            {
                case ResponseCode.NoOp:
                    if (TryBeginCompletion())
                    {
                        EndCompletion(_firstError);
                    }
                    return true;
                case ResponseCode.Value:
                    if (response.Opaque < 0 || response.Opaque >= _resultIndexes.Count)
                    {
                        throw new MemcacheProtocolException($"A multi-get reply from {Server} carried opaque {response.Opaque}, which no request in the batch used.") { Server = Server };
                    }
                    if (!IsCompleted)
                    {
                        var value = data.Slice(start + response.ValueOffset, response.ValueLength).ToArray();
                        _results[_resultIndexes[(int)response.Opaque]] = new CacheValue(value, response.ClientFlags, new CasToken(response.Cas));
                    }
                    break;
                case ResponseCode.Miss:
                    break; // quiet mode suppresses misses, but a miss is harmless if it comes anyway
                case ResponseCode.ServerError or ResponseCode.ClientError or ResponseCode.Error:
                    _firstError ??= ErrorFromResponse(data[start..], response);
                    break;
                default:
                    throw new MemcacheProtocolException($"Unexpected {response.Code} reply in a multi-get batch from {Server}.") { Server = Server };
            }
        }
    }
}
