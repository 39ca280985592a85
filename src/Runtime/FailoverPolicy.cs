namespace Memstore;

/// <summary>What happens to the keys of a server that is marked dead.</summary>
public enum FailoverPolicy
{
    /// <summary>
    /// Calls for a dead server's keys fail at once with <see cref="ServerUnavailableException"/>, naming the
    /// server and when it will be retried. Keys never move, so no stale copy can appear when it returns.
    /// libmemcached's default.
    /// </summary>
    FailFast = 0,

    /// <summary>
    /// A dead server's keys move to the next live point on the continuum (libmemcached's auto-eject), so
    /// calls keep succeeding as cache misses. When the server returns its keys map back to it; values
    /// written elsewhere meanwhile are orphaned and the returning server may hold older values, so
    /// prefer short TTLs. MCAS and deques refuse a client with this policy (a moved key has a second home).
    /// </summary>
    Redistribute = 1,

    /// <summary>
    /// A dead server's keys go to a small second pool, <see cref="MemcacheClientOptions.GutterServers"/>, with
    /// every expiry written there capped to <see cref="MemcacheClientOptions.GutterMaxExpiry"/> (the gutter pool
    /// of "Scaling Memcache at Facebook", NSDI 2013): the backend is not hit by every request for those keys, and
    /// live servers never see them. When the server comes back its keys go back to it; the gutter copies expire.
    /// The returning server may hold values older than those written meanwhile (deletes included), so keep
    /// the cap short. MCAS and deques refuse to run under it: they need every key to have one home.
    /// </summary>
    Gutter = 2,
}
