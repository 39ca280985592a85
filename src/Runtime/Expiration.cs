namespace Memstore;

/// <summary>Turns a relative expiry into memcached's TTL field.</summary>
internal static class Expiration
{
    /// <summary>memcached reads a TTL above 30 days as an absolute Unix time.</summary>
    private const uint MaxRelativeSeconds = 60 * 60 * 24 * 30;

    /// <summary>
    /// Null or zero: never expires. Under a second rounds up to one (zero would mean "never").
    /// Over 30 days becomes an absolute Unix time, as memcached requires.
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
        if (absolute > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(expiry), value, "The expiry lies beyond what memcached's 32-bit expiration time can express.");
        }
        return (uint)absolute;
    }
}
