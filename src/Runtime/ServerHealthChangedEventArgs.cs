namespace Memstore;

/// <summary>A server was marked dead, or came back after a successful probe.</summary>
public sealed class ServerHealthChangedEventArgs : EventArgs
{
    internal ServerHealthChangedEventArgs(ServerAddress server, bool isAlive, Exception? cause, DateTimeOffset? retryAt)
    {
        Server = server;
        IsAlive = isAlive;
        Cause = cause;
        RetryAt = retryAt;
    }

    /// <summary>The server whose health changed.</summary>
    public ServerAddress Server { get; }

    /// <summary>True when the server is back in service; false when it was marked dead.</summary>
    public bool IsAlive { get; }

    /// <summary>The failure that marked the server dead (null when it came back).</summary>
    public Exception? Cause { get; }

    /// <summary>When a dead server will next be probed (null when it came back).</summary>
    public DateTimeOffset? RetryAt { get; }
}
