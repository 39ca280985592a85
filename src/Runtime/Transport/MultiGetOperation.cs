using Memstore.Protocol;
using Memstore.Shared;

namespace Memstore.Transport;

/// <summary>The part of one multi-get that goes to one server, answered in one round trip.</summary>
internal abstract class MultiGetOperation : Operation
{
    private readonly CacheValue[] _results;
    // The key added last, written when the next arrives or by Close; rented, since multi-get operations are not pooled.
    private byte[]? _pendingKey;
    private int _pendingLength = -1;
    private Exception? _firstError;

    /// <param name="results">Where hits land, shared by all servers' parts of one multi-get.</param>
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
            WriteKey(_pendingKey!.AsSpan(0, _pendingLength), mode);
        }
        ResultIndexes.Add(resultIndex);
        _pendingKey ??= System.Buffers.ArrayPool<byte>.Shared.Rent(MemcachedKeyRules.MaxKeyBytes);
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
        WriteLastKey(_pendingKey!.AsSpan(0, _pendingLength), Mode, TerminatorOpaque);
        System.Buffers.ArrayPool<byte>.Shared.Return(_pendingKey!);
        _pendingKey = null;
        _pendingLength = -1;
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
    protected bool TryConsumeTerminator(ReadOnlySpan<byte> data, CompletionBatch? completions, ref int consumed, out int needed)
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
            EndCompletion(_firstError, completions);
        }
        return true;
    }

    protected static string Describe(in MetaResponse response) =>
        response.Opaque < 0 ? $"a {response.Code} reply without an opaque token" : $"a {response.Code} reply with opaque token {response.Opaque}";
}
