using Memstore.Protocol;
using Memstore.Protocol.Commands;

namespace Memstore.Transport;

/// <summary>
/// A quiet batch of writes to one server: one quiet <c>ms</c> or <c>md</c> per key (<c>q</c>: memcached leaves out the
/// <c>HD</c> of a success), each tagged with its own opaque token, then <c>mn</c>, whose <c>MN</c> ends the batch once
/// memcached has processed every request before it. Replies come in request order, so a tagged reply (<c>NS</c>,
/// <c>EX</c>, <c>NF</c>) confirms every silent request before it. An error line carries no token: it belongs to one
/// of the requests since the last tagged reply, and is pinned to a key only when that leaves one candidate (or as many
/// candidates as errors); otherwise each candidate is reported as uncertain.
/// </summary>
/// <remarks>
/// Unlike a multi-get, this batch must end with <c>mn</c>: a last request sent non-quiet could itself answer with an
/// error line, which could then not be told from an earlier request's. <c>MN</c> carries no token; a stray one would end the
/// batch early, and the replies left would then put the next request out of step, which its own check catches.
/// </remarks>
internal sealed class QuietWriteOperation : Operation
{
    private readonly string _operation;
    private readonly ReplyKinds _accepted;
    private readonly OpaqueCounter _opaques;
    private readonly List<string> _keys = [];
    private readonly List<uint> _tokens = [];
    private readonly List<(ResponseCode Code, string Message)> _pendingErrors = [];
    private Exception?[] _errors = [];
    private bool[] _uncertain = [];
    private int _confirmed; // requests before this index are settled; read by the caller after a failure

    /// <param name="operation">The single-key command's name (<c>set</c>, <c>delete</c>), for errors and WriteFailed.</param>
    /// <param name="accepted">The tagged replies the command may send.</param>
    /// <param name="hasDataBlock">Whether the requests carry values (a CLIENT_ERROR then leaves the stream out of step).</param>
    /// <param name="opaques">The connection's token source.</param>
    public QuietWriteOperation(string operation, ReplyKinds accepted, bool hasDataBlock, OpaqueCounter opaques)
    {
        _operation = operation;
        _accepted = accepted;
        _opaques = opaques;
        HasDataBlock = hasDataBlock;
        Name = operation + "-many-quiet";
    }

    /// <summary>How many keys the batch holds.</summary>
    public int Count => _keys.Count;

    /// <summary>Records a key and returns the token its request must carry; the caller then writes the request.</summary>
    public uint AddRequest(string key)
    {
        var token = _opaques.Next();
        _keys.Add(key);
        _tokens.Add(token);
        return token;
    }

    /// <summary>Ends the batch with <c>mn</c> once every request is written.</summary>
    public void Close()
    {
        MetaRequestWriter.NoOp(Request);
        _errors = new Exception?[_keys.Count];
        _uncertain = new bool[_keys.Count];
    }

    /// <summary>Both owners are done (the caller and the connection): the request's pooled buffer goes back.</summary>
    protected override void Recycle() => Request.Dispose();

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
            var start = consumed;
            if (response.IsError)
            {
                if (response.Code == ResponseCode.ClientError && HasDataBlock)
                {
                    // memcached would read the rejected request's value as commands: nothing after it can be trusted.
                    throw OutOfStep("CLIENT_ERROR " + MetaResponseParser.ErrorMessage(data[start..], response), "no CLIENT_ERROR to a request with a value");
                }
                _pendingErrors.Add((response.Code, MetaResponseParser.ErrorMessage(data[start..], response)));
                consumed += response.TotalLength;
                continue;
            }
            if (response.Code == ResponseCode.NoOp)
            {
                consumed += response.TotalLength;
                Settle(_keys.Count, "MN");
                if (TryBeginCompletion())
                {
                    EndCompletion(null, completions);
                }
                return true;
            }
            var answered = Find(response);
            consumed += response.TotalLength;
            Settle(answered, $"a {response.Code} reply with opaque token {response.Opaque}");
            Volatile.Write(ref _confirmed, answered + 1); // its own reply is a result (NS, EX, NF), not a failure
        }
    }

    /// <summary>The request a tagged reply answers: one still unsettled, of a kind its command can send.</summary>
    private int Find(in MetaResponse response)
    {
        if ((_accepted & (ReplyKinds)(1 << (int)response.Code)) != 0)
        {
            for (var i = _confirmed; i < _tokens.Count; i++)
            {
                if (_tokens[i] == response.Opaque)
                {
                    return i;
                }
            }
        }
        throw OutOfStep(response.Opaque < 0 ? $"a {response.Code} reply without an opaque token" : $"a {response.Code} reply with opaque token {response.Opaque}",
            "MN or a reply tagged with the token of one of its quiet requests still ahead");
    }

    /// <summary>Gives the error lines seen since the last tagged reply to the requests before <paramref name="end"/> that sent nothing else.</summary>
    private void Settle(int end, string received)
    {
        var candidates = end - _confirmed;
        if (_pendingErrors.Count > candidates)
        {
            throw OutOfStep($"{_pendingErrors.Count} error line(s) before {received}", $"at most {candidates} (one per quiet request answered by nothing else)");
        }
        if (_pendingErrors.Count > 0)
        {
            var exact = _pendingErrors.Count == candidates;
            for (var i = 0; i < candidates; i++)
            {
                var (code, message) = _pendingErrors[exact ? i : 0];
                var key = _keys[_confirmed + i];
                _errors[_confirmed + i] = ErrorLines.ToException(code, message, ErrorText.Operation(_operation, exact ? key : null), Server);
                _uncertain[_confirmed + i] = !exact;
            }
            _pendingErrors.Clear();
        }
        Volatile.Write(ref _confirmed, end);
    }

    /// <summary>
    /// Reports every key that failed (<see cref="MemcacheClient.WriteFailed"/>) and returns how many. With
    /// <paramref name="batchError"/> (the batch failed: timeout, lost connection) every key not yet settled failed with it.
    /// </summary>
    public int ReportFailures(MemcacheClient client, Connection connection, Exception? batchError)
    {
        var settled = batchError is null ? _keys.Count : Math.Min(Volatile.Read(ref _confirmed), _errors.Length);
        var failed = 0;
        for (var i = 0; i < settled; i++)
        {
            if (_errors[i] is { } error)
            {
                client.ReportWriteFailure(connection, _operation, _keys[i], error, certain: !_uncertain[i]);
                failed++;
            }
        }
        if (batchError is not null && MemcacheClient.IsServerFailure(batchError))
        {
            for (var i = settled; i < _keys.Count; i++)
            {
                client.ReportWriteFailure(connection, _operation, _keys[i], batchError, certain: true);
                failed++;
            }
        }
        return failed;
    }
}
