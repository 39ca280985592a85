using Microsoft.Extensions.Logging;

namespace Memstore;

/// <summary>Source-generated log messages of the connections and of server health (event ids 1–7) and of write failures (50); MCAS, membership and cache-aside have their own.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Connected to memcached server {Server}")]
    public static partial void Connected(ILogger logger, string server);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Connection to {Server} lost with {InFlight} request(s) in flight; reconnecting")]
    public static partial void ConnectionLost(ILogger logger, string server, int inFlight, Exception cause);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Could not connect to {Server}; next attempt in {RetryMilliseconds} ms")]
    public static partial void ConnectFailed(ILogger logger, string server, double retryMilliseconds, Exception error);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "{Server} sent nothing for {StallMilliseconds} ms with {InFlight} request(s) in flight; resetting the connection")]
    public static partial void Stalled(ILogger logger, string server, int inFlight, double stallMilliseconds);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "A ServerHealthChanged subscriber threw while handling {Server}")]
    public static partial void StatusListenerFailed(ILogger logger, string server, Exception error);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "memcached server {Server} marked dead; probing again at {RetryAt}; failover policy {Policy}")]
    public static partial void ServerDead(ILogger logger, ServerAddress server, DateTimeOffset retryAt, FailoverPolicy policy, Exception? cause);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "memcached server {Server} answered its probe and is back in service")]
    public static partial void ServerBack(ILogger logger, ServerAddress server);

    [LoggerMessage(EventId = 50, Level = LogLevel.Error, Message = "A WriteFailed subscriber threw while handling key {Key} on {Server}")]
    public static partial void WriteFailedListenerFailed(ILogger logger, string key, string server, Exception error);
}
