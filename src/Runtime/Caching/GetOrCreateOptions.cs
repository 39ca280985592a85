namespace Memstore;

/// <summary>
/// How <see cref="MemcacheClient.GetOrCreateAsync"/> protects a value's computation: one caller across all
/// processes computes a missing value while the others wait for it, and (optionally) one caller refreshes a
/// value before it expires or after it was invalidated while the others keep reading the current one.
/// Immutable; <see cref="Default"/> is shared.
/// </summary>
public sealed record GetOrCreateOptions
{
    /// <summary>The defaults: 10 s lease, 5 s wait, then compute locally; no early recache; stale values served.</summary>
    public static GetOrCreateOptions Default { get; } = new();

    /// <summary>Time to live of the value the factory creates; null or zero for "never expires".</summary>
    public TimeSpan? Expiry { get; init; }

    /// <summary>Client flags stored with the created value.</summary>
    public uint Flags { get; init; }

    /// <summary>
    /// How long the placeholder of a missing item (meta <c>N</c>) lives: the longest the other callers are held
    /// off if the caller computing the value dies. At least one second (memcached counts whole seconds).
    /// </summary>
    public TimeSpan LeaseTime { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a caller waits for another caller's value before <see cref="WhenWaitExpires"/> applies.</summary>
    public TimeSpan WaitTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>What a waiting caller does once <see cref="WaitTimeout"/> has passed.</summary>
    public LeaseWaitExpiry WhenWaitExpires { get; init; } = LeaseWaitExpiry.Compute;

    /// <summary>
    /// Early recache (meta <c>R</c>): once the value has less than this left to live, the next caller
    /// recomputes it while every other caller keeps reading the current value. Null: no early recache.
    /// </summary>
    public TimeSpan? RecacheWindow { get; init; }

    /// <summary>
    /// Whether a value marked stale by <see cref="MemcacheClient.InvalidateAsync"/> is returned while one caller
    /// recomputes it (meta <c>X</c> with <c>Z</c>). False: callers wait for the new value as for a missing one.
    /// </summary>
    public bool AllowStale { get; init; } = true;

    /// <summary>The first pause between two reads while waiting for another caller's value; later pauses double, up to 100 ms.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Checks the options; throws <see cref="ArgumentOutOfRangeException"/> naming the first that is out of range.</summary>
    internal void Validate()
    {
        if (LeaseTime < TimeSpan.FromSeconds(1) || LeaseTime > TimeSpan.FromDays(30))
        {
            throw new ArgumentOutOfRangeException(nameof(LeaseTime), LeaseTime, "The lease time must be between 1 second and 30 days (memcached counts whole seconds).");
        }
        if (WaitTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(WaitTimeout), WaitTimeout, "The wait timeout cannot be negative.");
        }
        if (RecacheWindow is { } window && (window < TimeSpan.FromSeconds(1) || window > TimeSpan.FromDays(30)))
        {
            throw new ArgumentOutOfRangeException(nameof(RecacheWindow), window, "The recache window must be between 1 second and 30 days, or null.");
        }
        if (PollInterval <= TimeSpan.Zero || PollInterval > TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(PollInterval), PollInterval, "The poll interval must be above zero and at most one second.");
        }
        if (!Enum.IsDefined(WhenWaitExpires))
        {
            throw new ArgumentOutOfRangeException(nameof(WhenWaitExpires), WhenWaitExpires, "Unknown LeaseWaitExpiry.");
        }
    }
}

/// <summary>What a caller of <see cref="MemcacheClient.GetOrCreateAsync"/> does when another caller's value does not arrive in time.</summary>
public enum LeaseWaitExpiry
{
    /// <summary>Run the factory itself and return its value without storing it (the lease holder stores its own).</summary>
    Compute = 0,

    /// <summary>Fail with a <see cref="MemcacheTimeoutException"/>.</summary>
    Fail = 1,
}
