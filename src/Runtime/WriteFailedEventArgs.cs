namespace Memstore;

/// <summary>
/// A write or invalidation that failed because of the connection or the server, for one key: raised by
/// <see cref="MemcacheClient.WriteFailed"/> so that an application can repair it later (delete or invalidate the key
/// again once the server is back, see <see cref="MemcacheClient.ServerHealthChanged"/>).
/// </summary>
public sealed class WriteFailedEventArgs : EventArgs
{
    internal WriteFailedEventArgs(string key, string operation, ServerAddress server, Exception error, bool certain)
    {
        Key = key;
        Operation = operation;
        Server = server;
        Error = error;
        IsCertain = certain;
    }

    /// <summary>The key the write was for (a key given as UTF-8 bytes, decoded).</summary>
    public string Key { get; }

    /// <summary>
    /// The operation, as named in errors and telemetry (<c>db.operation.name</c>): <c>set</c>, <c>add</c>, <c>replace</c>,
    /// <c>append</c>, <c>prepend</c>, <c>cas</c>, <c>delete</c>, <c>touch</c>, <c>get-and-touch</c>, <c>invalidate</c>,
    /// <c>increment</c>, <c>decrement</c>.
    /// </summary>
    public string Operation { get; }

    /// <summary>The server the key was routed to.</summary>
    public ServerAddress Server { get; }

    /// <summary>
    /// Why it failed. <see cref="ServerUnavailableException"/>: nothing was sent (the server is marked dead).
    /// <see cref="MemcacheServerErrorException"/>: the server refused it (not applied). <see cref="MemcacheTimeoutException"/>,
    /// <see cref="MemcacheConnectionException"/>, <see cref="MemcacheProtocolException"/>: it may or may not have been applied.
    /// </summary>
    public Exception Error { get; }

    /// <summary>
    /// True when the failure is known to be this key's. False only for a quiet batch
    /// (<see cref="MemcacheClient.SetManyQuietAsync"/>, <see cref="MemcacheClient.DeleteManyQuietAsync"/>): memcached's error lines
    /// carry no key or token, so an error among several silent replies is reported for each key it may belong to.
    /// </summary>
    public bool IsCertain { get; }
}
