using System.Diagnostics;
using System.Threading.Tasks.Sources;
using Memstore.Protocol;
using Memstore.Shared;

namespace Memstore.Transport;

/// <summary>
/// One request on a connection and the caller's handle on its outcome. The caller and the connection
/// each hold a reference; whichever lets go last recycles the object, so a request that timed out can
/// still have its late response matched and discarded.
/// </summary>
internal abstract class Operation : IValueTaskSource
{
    private const int Queued = 0, InFlight = 1, Completing = 2, Completed = 3;

    // Completions from the reader are signalled in batches on a pool thread, where callers' continuations
    // may run inline; any other completion (timeout, cancellation, lost connection) queues its continuation.
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private Exception? _error;
    private CancellationTokenRegistration _cancellation;
    private int _state;
    private int _references;

    protected Operation()
    {
        Request = new RequestBuffer();
        ResetReferences();
    }

    /// <summary>Two owners from the start: the caller and the connection it is meant for.</summary>
    protected void ResetReferences() => _references = 2;

    /// <summary>The request bytes exactly as they go on the wire.</summary>
    public RequestBuffer Request { get; }

    /// <summary>Name of the operation for error messages (<c>get</c>, <c>set</c>, ...).</summary>
    public string Name { get; protected set; } = "";

    // The caller's key, kept only to explain errors: its string when it came as one; otherwise a copy of
    // its UTF-8 bytes (in a buffer the pooled operation keeps), turned into text only when an error needs it.
    private string? _keyText;
    private byte[]? _keyBytes;
    private int _keyByteCount;

    /// <summary>The caller's key, for error messages and opt-in traces (null for requests without one).</summary>
    public string? Key => _keyText ?? (_keyByteCount > 0 ? KeyCodec.Describable(_keyBytes.AsSpan(0, _keyByteCount)) : null);

    /// <summary>Remembers the key a caller gave as a string.</summary>
    protected void SetKey(string? key)
    {
        _keyText = key;
        _keyByteCount = 0;
    }

    /// <summary>Remembers a key a caller gave as UTF-8 bytes (copied; no string is made unless needed).</summary>
    public void SetKey(ReadOnlySpan<byte> utf8Key)
    {
        _keyText = null;
        _keyBytes ??= new byte[MemcachedKeyRules.MaxKeyBytes];
        _keyByteCount = utf8Key.Length;
        utf8Key.CopyTo(_keyBytes);
    }

    /// <summary>Whether the request carries a data block (matters when the server rejects the line).</summary>
    public bool HasDataBlock { get; protected set; }

    /// <summary>Stopwatch timestamp of submission.</summary>
    public long EnqueuedAt { get; set; }

    /// <summary>The server the request went to, for error messages.</summary>
    public string Server { get; set; } = "";

    /// <summary>
    /// The longest value a reply may announce (set by the connection from
    /// <see cref="MemcacheClientOptions.MaxResponseValueSize"/>); a longer one is refused before allocating.
    /// </summary>
    public int MaxValueLength { get; set; } = MetaResponseParser.MaxValueLength;

    public bool IsCompleted => Volatile.Read(ref _state) >= Completing;

    /// <summary>
    /// Set for the later members of a linked group (<see cref="Connection.TrySubmitGroup"/>): the request may go
    /// out only right behind the one queued before it, never on its own. Cleared by <see cref="Prepare"/>.
    /// </summary>
    public bool SendOnlyAfterPrevious { get; set; }

    /// <summary>The awaitable the caller waits on.</summary>
    public ValueTask AsValueTask() => new(this, _core.Version);

    /// <summary>
    /// Consumes bytes of this operation's response from the front of <paramref name="data"/>. Returns true
    /// when the response is complete. <paramref name="consumed"/> may be non-zero even when it returns false
    /// (a batch consumes its replies one by one). <paramref name="needed"/> is the minimum length
    /// <paramref name="data"/> must reach (after removing consumed bytes) before calling again.
    /// Sets <paramref name="resetConnection"/> when the stream cannot be trusted after this response.
    /// A completed operation joins <paramref name="completions"/>, the reader's batch for this read, whose
    /// callers are woken together; without one (tests, tools) the caller is woken at once.
    /// </summary>
    public abstract bool TryConsume(ReadOnlySpan<byte> data, CompletionBatch? completions, out int consumed, out int needed, out bool resetConnection);

    /// <summary>Called once per submission, before the operation is handed to a connection.</summary>
    public void Prepare(CancellationToken cancellationToken)
    {
        _state = Queued;
        SendOnlyAfterPrevious = false;
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) =>
                ((Operation)state!).TryFail(new OperationCanceledException("The operation was canceled by its CancellationToken.", token)), this);
        }
    }

    /// <summary>The writer claims the request for sending; false if it was already failed (timeout, cancel).</summary>
    public bool TryMarkWritten() => Interlocked.CompareExchange(ref _state, InFlight, Queued) == Queued;

    /// <summary>The reader claims the right to deliver a result; false if the caller has already been failed.</summary>
    protected bool TryBeginCompletion()
    {
        var state = Volatile.Read(ref _state);
        while (state < Completing)
        {
            var seen = Interlocked.CompareExchange(ref _state, Completing, state);
            if (seen == state)
            {
                return true;
            }
            state = seen;
        }
        return false;
    }

    /// <summary>
    /// Finishes a completion begun with <see cref="TryBeginCompletion"/>. A reply's completion joins the reader's
    /// batch and is signalled with the others of the same read by one pool work item; any other (timeouts,
    /// cancellation, lost connections: no batch) gets its own.
    /// </summary>
    protected void EndCompletion(Exception? error, CompletionBatch? completions)
    {
        _error = error;
        Volatile.Write(ref _state, Completed);
        if (completions is not null)
        {
            completions.Add(this);
        }
        else
        {
            Signal(inline: false);
        }
    }

    /// <summary>
    /// Wakes the caller. Inline only from a completion batch's pool work item; otherwise the continuation
    /// is queued so that user code never runs on a timer, cancellation or connection thread.
    /// </summary>
    internal void Signal(bool inline)
    {
        _core.RunContinuationsAsynchronously = !inline;
        var error = _error;
        _error = null;
        if (error is null)
        {
            _core.SetResult(true);
        }
        else
        {
            _core.SetException(error);
        }
    }

    /// <summary>
    /// Fails the caller unless a result is already being delivered, with the error <paramref name="error"/> makes for
    /// whether the request was still waiting for the writer. Failing a waiting request makes the writer's claim
    /// (<see cref="TryMarkWritten"/>) fail, so it never goes out: its error can say that the server never saw it.
    /// Safe from any thread.
    /// </summary>
    public bool TryFail(Func<bool, Exception> error)
    {
        var state = Volatile.Read(ref _state);
        while (state < Completing)
        {
            var seen = Interlocked.CompareExchange(ref _state, Completing, state);
            if (seen == state)
            {
                EndCompletion(error(state == Queued), completions: null);
                return true;
            }
            state = seen;
        }
        return false;
    }

    /// <summary>Fails the caller unless a result is already being delivered. Safe from any thread.</summary>
    public bool TryFail(Exception error)
    {
        if (!TryBeginCompletion())
        {
            return false;
        }
        EndCompletion(error, completions: null);
        return true;
    }

    /// <summary>The caller is done with the result (after awaiting it, or when submission failed).</summary>
    public void ReleaseByCaller()
    {
        _cancellation.Dispose();
        _cancellation = default;
        Release();
    }

    /// <summary>The connection has dropped the operation from its queues.</summary>
    public void ReleaseByConnection() => Release();

    /// <summary>Used when the operation never reached a connection.</summary>
    public void AbandonConnectionReference() => Release();

    private void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        Debug.Assert(left >= 0, "operation released more often than referenced");
        if (left == 0)
        {
            _core.Reset();
            Recycle();
        }
    }

    /// <summary>Returns the object to its pool, if it has one. Called once both references are gone.</summary>
    protected virtual void Recycle()
    {
    }

    /// <summary>Builds the exception for an error response, naming server, operation and key.</summary>
    protected Exception ErrorFromResponse(ReadOnlySpan<byte> data, in MetaResponse response)
    {
        var message = MetaResponseParser.ErrorMessage(data, response);
        return ErrorLines.ToException(response.Code, message, ErrorText.Operation(Name, Key), Server);
    }

    /// <summary>
    /// The exception for a reply that cannot be this request's: the stream is out of step with the requests,
    /// so the connection is reset and everything in flight on it fails with this error.
    /// </summary>
    protected MemcacheProtocolException OutOfStep(string received, string expected)
    {
        var what = ErrorText.Operation(Name, Key);
        return new MemcacheProtocolException(
            $"{Server} sent {received} where {what} expected {expected}: replies are out of step with requests, "
            + "so no reply on this connection can be trusted; it is reset and every request in flight on it fails.")
        { Server = Server };
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
