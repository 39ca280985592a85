namespace Memstore;

/// <summary>Base type of every error Memstore raises about a memcached server or connection.</summary>
public class MemcacheException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MemcacheException(string message) : base(message) { }

    /// <summary>Creates the exception with the error that caused it.</summary>
    public MemcacheException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>The server involved, as <c>host:port</c>, when one is known.</summary>
    public string? Server { get; init; }

    /// <summary>
    /// A connect failure that retrying soon cannot cure (wrong password, untrusted certificate): it marks the server
    /// dead at once, so retries go at the dead-server pace instead of the reconnect backoff.
    /// </summary>
    internal bool MarksServerDead { get; init; }

    /// <summary>
    /// True when the request failed before any byte of it was written: the server is marked dead, unreachable, or silent
    /// since a request timed out; the request timed out, or lost its connection, while still queued; or it was linked
    /// behind one that did not go out. The server cannot have executed it, so running it again is safe even when it is
    /// not idempotent (an increment, an append). False means it may have been executed. MCAS relies on it to tell an
    /// operation that never started from one whose outcome is unknown.
    /// </summary>
    public bool NotSent { get; internal init; }
}

/// <summary>
/// The server refused this client's credentials (memcached's ASCII authentication, <c>-Y</c>): it answered
/// <c>CLIENT_ERROR authentication failure</c> or closed the connection. The message names the server. The server is
/// marked dead, so the client retries only every <see cref="MemcacheClientOptions.DeadTime"/>; fix
/// <see cref="MemcacheClientOptions.Username"/> and the password.
/// </summary>
public sealed class MemcacheAuthenticationException : MemcacheException
{
    /// <summary>Creates the exception.</summary>
    public MemcacheAuthenticationException(string message, Exception? innerException = null) : base(message, innerException) { }
}

/// <summary>
/// The server sent bytes that are not valid replies, a reply that does not answer the request it arrived
/// for (wrong opaque token, wrong key, or a kind that cannot answer it), or announced a value longer than
/// <see cref="MemcacheClientOptions.MaxResponseValueSize"/>. The connection that received them is reset,
/// because its stream can no longer be trusted to be in step with the requests, and every request in
/// flight on it fails with this exception.
/// </summary>
public sealed class MemcacheProtocolException : MemcacheException
{
    /// <summary>Creates the exception.</summary>
    public MemcacheProtocolException(string message) : base(message) { }

    /// <summary>Creates the exception with the protocol error that caused it (another request's, on the same connection).</summary>
    public MemcacheProtocolException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>The server answered <c>SERVER_ERROR</c>: it understood the request but could not carry it out.</summary>
public sealed class MemcacheServerErrorException : MemcacheException
{
    /// <summary>Creates the exception.</summary>
    public MemcacheServerErrorException(string message, string serverMessage) : base(message) => ServerMessage = serverMessage;

    /// <summary>The text the server sent after <c>SERVER_ERROR</c>.</summary>
    public string ServerMessage { get; }
}

/// <summary>
/// The server answered <c>CLIENT_ERROR</c> or <c>ERROR</c>: it rejected the request as malformed or unsupported
/// (for example an increment of a value that is not a number).
/// </summary>
public sealed class MemcacheClientErrorException : MemcacheException
{
    /// <summary>Creates the exception.</summary>
    public MemcacheClientErrorException(string message, string serverMessage) : base(message) => ServerMessage = serverMessage;

    /// <summary>The text the server sent after <c>CLIENT_ERROR</c> (or <c>ERROR</c>).</summary>
    public string ServerMessage { get; }
}

/// <summary>
/// A request did not complete within the configured operation timeout. The message names the server,
/// the operation and key, how many requests were queued and in flight, and how long the oldest waited.
/// </summary>
public sealed class MemcacheTimeoutException : MemcacheException
{
    /// <summary>Creates the exception.</summary>
    public MemcacheTimeoutException(string message) : base(message) { }

    /// <summary>The operation that timed out (for example <c>get</c>).</summary>
    public string? Operation { get; init; }

    /// <summary>The key of the operation, when it had one.</summary>
    public string? Key { get; init; }

    /// <summary>Requests waiting to be written to the connection when the timeout fired.</summary>
    public int QueuedRequests { get; init; }

    /// <summary>Requests written and awaiting a response when the timeout fired.</summary>
    public int InFlightRequests { get; init; }

    /// <summary>How long the oldest outstanding request on the connection had waited.</summary>
    public TimeSpan OldestWait { get; init; }
}

/// <summary>
/// The connection to a server was lost or could not be opened. Requests that had been written when the
/// connection broke fail with this exception (they may or may not have been applied by the server);
/// requests not yet written are kept and sent after the reconnect.
/// </summary>
public sealed class MemcacheConnectionException : MemcacheException
{
    /// <summary>Creates the exception.</summary>
    public MemcacheConnectionException(string message, Exception? innerException = null) : base(message, innerException) { }
}

/// <summary>A key breaks memcached's key rules. Nothing was sent.</summary>
public sealed class InvalidKeyException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public InvalidKeyException(string message, string? key) : base(message, nameof(key)) => Key = key;

    /// <summary>The rejected key (printable characters escaped in the message).</summary>
    public string? Key { get; }
}

/// <summary>A value is larger than the configured maximum item size. Nothing was sent.</summary>
public sealed class ValueTooLargeException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public ValueTooLargeException(string message, int length, int limit) : base(message, "value")
    {
        Length = length;
        Limit = limit;
    }

    /// <summary>Size of the rejected value in bytes.</summary>
    public int Length { get; }

    /// <summary>The configured limit in bytes.</summary>
    public int Limit { get; }
}

/// <summary>
/// The server that owns the key is marked dead and the failover policy is
/// <see cref="FailoverPolicy.FailFast"/> (or every server is dead, or, with <see cref="FailoverPolicy.Gutter"/>,
/// the key's gutter server is dead or silent too). Nothing was sent.
/// </summary>
public sealed class ServerUnavailableException : MemcacheException
{
    // Fail-fast refusals can come by the tens of thousands a second: the message is written when read.
    private readonly string? _operation;
    private readonly string? _key;
    private readonly DateTimeOffset _refusedAt;
    private readonly string? _gutterServer;
    private readonly Cluster.DeadPeriod? _gutterPeriod;
    private string? _message;

    /// <summary>Creates the exception.</summary>
    public ServerUnavailableException(string message, DateTimeOffset retryAt, Exception? innerException = null) : base(message, innerException)
    {
        RetryAt = retryAt;
        _message = message;
        NotSent = true;
    }

    /// <summary>A call of <paramref name="operation"/> refused because <paramref name="server"/> is marked dead.</summary>
    internal ServerUnavailableException(string server, string operation, string? key, Cluster.DeadPeriod? period, TimeProvider clock,
        string? gutterServer = null, Cluster.DeadPeriod? gutterPeriod = null)
        : base(string.Empty, period?.Cause)
    {
        NotSent = true;
        _gutterServer = gutterServer;
        _gutterPeriod = gutterPeriod;
        Server = server;
        RetryAt = period?.RetryAt ?? default;
        _operation = operation;
        _key = key;
        _refusedAt = clock.GetUtcNow();
    }

    /// <summary>When the server will next be probed.</summary>
    public DateTimeOffset RetryAt { get; }

    /// <inheritdoc />
    public override string Message => _message ??= Describe();

    private string Describe()
    {
        var what = Protocol.ErrorText.Operation(_operation ?? "", _key);
        var wait = RetryAt - _refusedAt;
        var when = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{RetryAt:HH:mm:ss.fff} UTC (in {Math.Max(0, wait.TotalMilliseconds):0} ms)");
        if (_gutterServer is not null)
        {
            var gutterWhen = _gutterPeriod is { } gutter
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"it is marked dead ({gutter.Cause.Message}) and will be probed again at {gutter.RetryAt:HH:mm:ss.fff} UTC")
                : "it has answered nothing for an operation timeout";
            return $"{Server} is marked dead ({InnerException?.Message ?? "repeated failures"}) and so is its gutter server for this key, {_gutterServer}: {gutterWhen}; "
                + $"{what} failed without being sent. {Server} will be probed again at {when}.";
        }
        return $"{Server} is marked dead ({InnerException?.Message ?? "repeated failures"}); {what} failed without being sent. "
            + $"It will be probed again at {when}. "
            + "Set MemcacheClientOptions.Failover = FailoverPolicy.Redistribute to move its keys to live servers instead.";
    }
}
