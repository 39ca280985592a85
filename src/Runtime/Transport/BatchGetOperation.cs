using Memstore.Protocol;

namespace Memstore.Transport;

/// <summary>The part of one multi-get that goes to one server, answered in one round trip.</summary>
internal abstract class MultiGetOperation : Operation
{
    private readonly CacheValue[] _results;
    private Exception? _firstError;

    /// <param name="results">Where hits land, shared by all servers' batches of one multi-get.</param>
    protected MultiGetOperation(CacheValue[] results)
    {
        _results = results;
        Name = "get-many";
    }

    /// <summary>For each key of this batch, in request order, its slot in the caller's results.</summary>
    protected List<int> ResultIndexes { get; } = [];

    /// <summary>Adds a key (already validated) whose result goes to <paramref name="resultIndex"/>.</summary>
    public abstract void AddKey(int resultIndex, ReadOnlySpan<byte> key, KeyMode mode);

    /// <summary>Ends the request once every key is added.</summary>
    public abstract void Close();

    protected void Deliver(int requestIndex, ReadOnlySpan<byte> value, uint flags, ulong cas)
    {
        if (!IsCompleted)
        {
            _results[ResultIndexes[requestIndex]] = new CacheValue(value.ToArray(), flags, new CasToken(cas));
        }
    }

    protected void RecordError(Exception error) => _firstError ??= error;

    protected void Finish()
    {
        if (TryBeginCompletion())
        {
            EndCompletion(_firstError);
        }
    }
}

/// <summary>
/// A pipelined multi-get to one server: one quiet <c>mg</c> per key, tagged with its index as the opaque,
/// closed by <c>mn</c>. Only hits answer; <c>MN</c> ends the batch, so it costs one round trip. Used for
/// binary (base64) keys, which the classic <c>gets</c> cannot carry.
/// </summary>
internal sealed class BatchGetOperation : MultiGetOperation
{
    public BatchGetOperation(CacheValue[] results) : base(results)
    {
    }

    /// <summary>A batch whose requests map to the given result slots, in order (used by tests).</summary>
    public BatchGetOperation(CacheValue[] results, IEnumerable<int> resultIndexes)
        : this(results) => ResultIndexes.AddRange(resultIndexes);

    public override void AddKey(int resultIndex, ReadOnlySpan<byte> key, KeyMode mode)
    {
        ResultIndexes.Add(resultIndex);
        MetaRequestWriter.Get(Request, key, mode, withValue: true, touchTtl: null, quiet: true, opaque: ResultIndexes.Count - 1);
    }

    public override void Close() => MetaRequestWriter.NoOp(Request);

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
                    Finish();
                    return true;
                case ResponseCode.Value:
                    if (response.Opaque < 0 || response.Opaque >= ResultIndexes.Count)
                    {
                        throw new MemcacheProtocolException($"A multi-get reply from {Server} carried opaque {response.Opaque}, which no request in the batch used.") { Server = Server };
                    }
                    Deliver((int)response.Opaque, data.Slice(start + response.ValueOffset, response.ValueLength), response.ClientFlags, response.Cas);
                    break;
                case ResponseCode.Miss:
                    break; // quiet mode suppresses misses, but a miss is harmless if it comes anyway
                case ResponseCode.ServerError or ResponseCode.ClientError or ResponseCode.Error:
                    RecordError(ErrorFromResponse(data[start..], response));
                    break;
                default:
                    throw new MemcacheProtocolException($"Unexpected {response.Code} reply in a multi-get batch from {Server}.") { Server = Server };
            }
        }
    }
}
