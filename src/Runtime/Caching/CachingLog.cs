using Microsoft.Extensions.Logging;

namespace Memstore.Caching;

/// <summary>Source-generated log messages of cache-aside (event ids 40–49).</summary>
internal static partial class CachingLog
{
    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "The lease on key {Key} could not be released after its factory failed; other callers wait until it ends")]
    public static partial void LeaseNotReleased(ILogger logger, string key, Exception error);
}
