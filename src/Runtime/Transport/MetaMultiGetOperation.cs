using Memstore.Protocol;
using Memstore.Protocol.Commands;
using Memstore.Shared;

namespace Memstore.Transport;

/// <summary>
/// A pipelined multi-get to one server: one quiet <c>mg</c> per key, each tagged with its own opaque token,
/// and the last key's <c>mg</c> not quiet, so its reply (a value or a miss, with its token) ends the batch
/// in one round trip. Only hits of the quiet requests answer, in request order, and each must carry the
/// token of a request still ahead in the batch. Used for base64 keys (KeyMode.Base64), which the classic
/// <c>gets</c> cannot carry. (A batch is not closed by <c>mn</c>: its <c>MN</c> carries no token, so a stray
/// one would end the batch early and turn its hits into misses.)
/// </summary>
internal sealed class MetaMultiGetOperation : MultiGetOperation
{
    private readonly List<uint> _opaques = [];
    private int _next;

    public MetaMultiGetOperation(CacheValue[] results, OpaqueCounter opaques) : base(results, opaques)
    {
    }

    /// <summary>
    /// A batch whose requests map to the given result slots, in order, tagged 0, 1, ... with the last as
    /// terminator (used by tests, which feed replies without writing requests).
    /// </summary>
    public MetaMultiGetOperation(CacheValue[] results, IEnumerable<int> resultIndexes)
        : this(results, new OpaqueCounter())
    {
        foreach (var index in resultIndexes)
        {
            AddKey(index, "k"u8, KeyMode.Base64);
        }
        Close();
        Request.Clear();
    }

    protected override void WriteKey(ReadOnlySpan<byte> key, KeyMode mode)
    {
        var opaque = Opaques.Next();
        _opaques.Add(opaque);
        new MetaGet(Quiet: true).Write(Request, key, mode, opaque);
    }

    protected override void WriteLastKey(ReadOnlySpan<byte> key, KeyMode mode, uint opaque) =>
        new MetaGet().Write(Request, key, mode, opaque);

    public override bool TryConsume(ReadOnlySpan<byte> data, CompletionBatch? completions, out int consumed, out int needed, out bool resetConnection)
    {
        consumed = 0;
        resetConnection = false;
        while (true)
        {
            if (!MetaResponseParser.TryParse(data[consumed..], out var response, out needed, MaxValueLength))
            {
                return false;
            }
            if (response.Opaque == TerminatorOpaque && !response.IsError)
            {
                return TryConsumeTerminator(data, completions, ref consumed, out needed);
            }
            var start = consumed;
            consumed += response.TotalLength;
            switch (response.Code)
            {
                case ResponseCode.Value:
                    Deliver(Match(response), data.Slice(start + response.ValueOffset, response.ValueLength), response.ClientFlags, response.Cas);
                    break;
                case ResponseCode.ServerError or ResponseCode.ClientError or ResponseCode.Error:
                    // Errors carry no token; memcached sends them even for quiet requests. The batch fails with it.
                    RecordError(ErrorFromResponse(data[start..], response));
                    break;
                default:
                    // Quiet gets never answer a miss (EN) or anything else; the terminator is handled above.
                    throw OutOfStep(Describe(response), "a VA reply to one of its quiet requests");
            }
        }
    }

    /// <summary>Finds the request a hit answers: replies come in request order, so only requests still ahead can match.</summary>
    private int Match(in MetaResponse response)
    {
        while (_next < _opaques.Count)
        {
            if (_opaques[_next++] == response.Opaque)
            {
                return _next - 1;
            }
        }
        throw OutOfStep(Describe(response), "a VA reply whose opaque token belongs to a request still ahead in the batch");
    }
}
