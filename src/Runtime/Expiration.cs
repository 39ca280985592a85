namespace Memstore;

/// <summary>Turns a relative expiry into memcached's TTL field.</summary>
internal static class Expiration
{
    /// <summary>memcached reads a TTL above 30 days as an absolute Unix time.</summary>
    private const uint MaxRelativeSeconds = 60 * 60 * 24 * 30;

    /// <summary>
    /// The latest absolute time memcached accepts: it parses the expiry as a signed 32-bit number, and a
    /// larger one is either refused by the server or (in some versions) stored as already expired.
    /// </summary>
    public const long MaxAbsoluteUnixTime = int.MaxValue;

    /// <summary>
    /// Null or zero: never expires. Under a second rounds up to one (zero would mean "never").
    /// Over 30 days becomes an absolute Unix time, as memcached requires. An expiry past
    /// 2038-01-19 03:14:07 UTC (2^31 - 1) is refused rather than clamped: clamping would silently
    /// shorten what the caller asked for, and "keep it as long as possible" is <c>null</c>.
    /// </summary>
    public static uint ToTtl(TimeSpan? expiry, TimeProvider? clock = null)
    {
        if (expiry is not { } value || value == TimeSpan.Zero)
        {
            return 0;
        }
        if (value < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(expiry), value, "An expiry cannot be negative; use null or TimeSpan.Zero for \"never expires\".");
        }
        var seconds = Math.Ceiling(value.TotalSeconds);
        if (seconds <= MaxRelativeSeconds)
        {
            return (uint)seconds;
        }
        var absolute = (clock ?? TimeProvider.System).GetUtcNow().ToUnixTimeSeconds() + (long)seconds;
        if (absolute > MaxAbsoluteUnixTime)
        {
            throw new ArgumentOutOfRangeException(nameof(expiry), value,
                $"An expiry of {value.TotalDays:0.#} days ends after 2038-01-19 03:14:07 UTC, the latest time memcached can store (a signed 32-bit Unix time); "
                + "nothing was sent. Use null or TimeSpan.Zero for \"never expires\", or an expiry that ends before 2038.");
        }
        return (uint)absolute;
    }

    /// <summary>
    /// Caps a TTL field to <paramref name="maxSeconds"/> (relative; 0 leaves it alone): "never" (0) and anything
    /// longer become the cap, an absolute Unix time the cap when it ends later, else its remaining seconds.
    /// </summary>
    public static uint Cap(uint ttl, uint maxSeconds, TimeProvider? clock = null)
    {
        if (maxSeconds == 0)
        {
            return ttl;
        }
        if (ttl == 0)
        {
            return maxSeconds;
        }
        if (ttl <= MaxRelativeSeconds)
        {
            return Math.Min(ttl, maxSeconds);
        }
        var remaining = (long)ttl - (clock ?? TimeProvider.System).GetUtcNow().ToUnixTimeSeconds();
        return remaining >= maxSeconds ? maxSeconds : (uint)Math.Max(1, remaining);
    }
}
