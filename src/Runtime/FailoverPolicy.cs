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
    /// prefer short TTLs, and never use it for keys managed by MCAS.
    /// </summary>
    Redistribute = 1,
}
