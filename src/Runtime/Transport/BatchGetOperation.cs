using Memstore.Protocol;
using Memstore.Shared;

namespace Memstore.Transport;

/// <summary>The part of one multi-get that goes to one server, answered in one round trip.</summary>
internal abstract class MultiGetOperation : Operation
{
    private readonly CacheValue[] _results;
    private readonly byte[] _pendingKey = new byte[MemcachedKeyRules.MaxKeyBytes];
    private int _pendingLength = -1;
    private Exception? _firstError;

    /// <param name="results">Where hits land, shared by all servers' batches of one multi-get.</param>
    /// <param name="opaques">The connection's token source; the batch ends with a request tagged from it.</param>
    protected MultiGetOperation(CacheValue[] results, OpaqueCounter opaques)
    {
        _results = results;
        Opaques = opaques;
        Name = "get-many";
    }

    protected OpaqueCounter Opaques { get; }

    /// <summary>For each key of this batch, in request order, its slot in the caller's results.</summary>
    protected List<int> ResultIndexes { get; } = [];

    /// <summary>
    /// Adds a key (already validated) whose result goes to <paramref name="resultIndex"/>. Each key is
    /// written when the next arrives: the last one is written by <see cref="Close"/> as the batch's
    /// terminator, a request that always answers with its opaque token.
    /// </summary>
    public void AddKey(int resultIndex, ReadOnlySpan<byte> key, KeyMode mode)
    {
        if (_pendingLength >= 0)
        {
            WriteKey(_pendingKey.AsSpan(0, _pendingLength), mode);
        }
        ResultIndexes.Add(resultIndex);
        key.CopyTo(_pendingKey);
        _pendingLength = key.Length;
        Mode = mode;
    }

    protected KeyMode Mode { get; private set; }

    /// <summary>Writes a key that is not the last.</summary>
    protected abstract void WriteKey(ReadOnlySpan<byte> key, KeyMode mode);

    /// <summary>Writes the last key as the terminator, a non-quiet <c>mg</c> tagged with <paramref name="opaque"/>.</summary>
    protected abstract void WriteLastKey(ReadOnlySpan<byte> key, KeyMode mode, uint opaque);

    /// <summary>Ends the request once every key is added.</summary>
    public void Close()
    {
        if (_pendingLength < 0)
        {
            throw new InvalidOperationException("A multi-get batch needs at least one key.");
        }
        TerminatorOpaque = Opaques.Next();
        WriteLastKey(_pendingKey.AsSpan(0, _pendingLength), Mode, TerminatorOpaque);
    }

    /// <summary>The token of the last request, whose reply ends the batch.</summary>
    protected uint TerminatorOpaque { get; private set; }

    /// <summary>Puts a hit in its slot; a second reply for the same request is a stream out of step.</summary>
    protected void Deliver(int requestIndex, ReadOnlySpan<byte> value, uint flags, ulong cas)
    {
        if (!IsCompleted)
        {
            _results[ResultIndexes[requestIndex]] = new CacheValue(value.ToArray(), flags, new CasToken(cas));
        }
    }

    protected void RecordError(Exception error) => _firstError ??= error;

    /// <summary>Parses the terminator: the last key's own reply, which must carry <see cref="TerminatorOpaque"/>.</summary>
    protected bool TryConsumeTerminator(ReadOnlySpan<byte> data, ref int consumed, out int needed)
    {
        if (!MetaResponseParser.TryParse(data[consumed..], out var response, out needed, MaxValueLength))
        {
            return false;
        }
        var start = consumed;
        consumed += response.TotalLength;
        if (response.IsError)
        {
            RecordError(ErrorFromResponse(data[start..], response));
        }
        else if (response.Opaque != TerminatorOpaque || response.Code is not (ResponseCode.Value or ResponseCode.Miss))
        {
            throw OutOfStep(Describe(response), $"the VA or EN reply with opaque token {TerminatorOpaque} that ends the batch");
        }
        else if (response.Code == ResponseCode.Value)
        {
            Deliver(ResultIndexes.Count - 1, data.Slice(start + response.ValueOffset, response.ValueLength), response.ClientFlags, response.Cas);
        }
        if (TryBeginCompletion())
        {
            EndCompletion(_firstError);
        }
        return true;
    }

    protected static string Describe(in MetaResponse response) =>
        response.Opaque < 0 ? $"a {response.Code} reply without an opaque token" : $"a {response.Code} reply with opaque token {response.Opaque}";
}

/// <summary>
/// A pipelined multi-get to one server: one quiet <c>mg</c> per key, each tagged with its own opaque token,
/// and the last key's <c>mg</c> not quiet, so its reply (a value or a miss, with its token) ends the batch
/// in one round trip. Only hits of the quiet requests answer, in request order, and each must carry the
/// token of a request still ahead in the batch. Used for base64 keys (KeyMode.Base64), which the classic
/// <c>gets</c> cannot carry. (A batch is not closed by <c>mn</c>: its <c>MN</c> carries no token, so a stray
/// one would end the batch early and turn its hits into misses.)
/// </summary>
internal sealed class BatchGetOperation : MultiGetOperation
{
    private readonly List<uint> _opaques = [];
    private int _next;

    public BatchGetOperation(CacheValue[] results, OpaqueCounter opaques) : base(results, opaques)
    {
    }

    /// <summary>
    /// A batch whose requests map to the given result slots, in order, tagged 0, 1, ... with the last as
    /// terminator (used by tests, which feed replies without writing requests).
    /// </summary>
    public BatchGetOperation(CacheValue[] results, IEnumerable<int> resultIndexes)
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
        MetaRequestWriter.Get(Request, key, mode, withValue: true, touchTtl: null, quiet: true, opaque: opaque);
    }

    protected override void WriteLastKey(ReadOnlySpan<byte> key, KeyMode mode, uint opaque) =>
        MetaRequestWriter.Get(Request, key, mode, withValue: true, touchTtl: null, quiet: false, opaque: opaque);

    public override bool TryConsume(ReadOnlySpan<byte> data, out int consumed, out int needed, out bool resetConnection)
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
                return TryConsumeTerminator(data, ref consumed, out needed);
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
