using Microsoft.Extensions.Logging;

namespace Memstore.Cluster;

/// <summary>Source-generated log messages of server-list changes and auto-discovery.</summary>
internal static partial class MembershipLog
{
    [LoggerMessage(EventId = 30, Level = LogLevel.Information,
        Message = "Server list changed from {OldCount} to {NewCount} server(s) ({Added} added, {Removed} removed, draining) after {Milliseconds} ms: {Servers}")]
    public static partial void ServersChanged(ILogger logger, int oldCount, int newCount, int added, int removed, string servers, double milliseconds);

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning,
        Message = "New server {Server} failed its first probe; it is in the list marked dead (failover policy {Policy}) and is probed again after the dead time")]
    public static partial void NewServerUnreachable(ILogger logger, string server, FailoverPolicy policy, Exception cause);

    [LoggerMessage(EventId = 32, Level = LogLevel.Information,
        Message = "Removed server {Server} drained in {Milliseconds} ms; its connections are closed ({Left} request(s) still held were failed)")]
    public static partial void ServerDrained(ILogger logger, string server, double milliseconds, int left);

    [LoggerMessage(EventId = 33, Level = LogLevel.Information,
        Message = "Auto-discovery: {Endpoint} reports cluster version {Version} with {Count} server(s); applying it")]
    public static partial void DiscoveredVersion(ILogger logger, string endpoint, long version, int count);

    [LoggerMessage(EventId = 34, Level = LogLevel.Warning,
        Message = "Auto-discovery: ignored the reply of {Endpoint}: {Reason} The last good server list stays; retrying in {RetryMilliseconds} ms")]
    public static partial void DiscoveryIgnored(ILogger logger, string endpoint, string reason, double retryMilliseconds);

    [LoggerMessage(EventId = 35, Level = LogLevel.Warning,
        Message = "Auto-discovery: could not read the cluster configuration from {Endpoint}; the last good server list stays; retrying in {RetryMilliseconds} ms")]
    public static partial void DiscoveryFailed(ILogger logger, string endpoint, double retryMilliseconds, Exception error);

    [LoggerMessage(EventId = 36, Level = LogLevel.Debug,
        Message = "Auto-discovery: {Endpoint} reports cluster version {Version}, not newer than the applied {Applied}; nothing to do")]
    public static partial void DiscoveryUnchanged(ILogger logger, string endpoint, long version, long applied);

    [LoggerMessage(EventId = 37, Level = LogLevel.Warning,
        Message = "Configuration reload: {Setting} changed, which takes effect only when the client is created again (restart the application); the running client keeps its old value")]
    public static partial void NeedsRestart(ILogger logger, string setting);

    [LoggerMessage(EventId = 38, Level = LogLevel.Error,
        Message = "Configuration reload: applying the new server list failed; the running client keeps its old list")]
    public static partial void ReloadFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 39, Level = LogLevel.Error,
        Message = "Configuration reload: the new settings are invalid and were ignored; the running client keeps its old ones: {Errors}")]
    public static partial void ReloadInvalid(ILogger logger, string errors);
}
