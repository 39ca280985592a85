namespace Memstore;

/// <summary>
/// How keys are spread over servers. Each value reproduces one libmemcached setting
/// exactly: with the same server list (and weights, where used) a key goes to the same
/// server as in libmemcached. See docs/ring.md.
/// </summary>
public enum MemcacheDistribution
{
    /// <summary>
    /// libmemcached &gt;= 1.0.10 with <c>MEMCACHED_BEHAVIOR_KETAMA</c> set to 1 (distribution
    /// <c>MEMCACHED_DISTRIBUTION_CONSISTENT_KETAMA</c>, default one-at-a-time hash): 100 points
    /// per server, each the one-at-a-time hash of <c>host-N</c>; keys hashed with one-at-a-time.
    /// Weights are ignored. OMcache's default, <c>omcache_dist_libmemcached_ketama</c>. The default here.
    /// </summary>
    Ketama = 0,

    /// <summary>
    /// libmemcached's <c>MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED</c> set to 1 (distribution
    /// <c>MEMCACHED_DISTRIBUTION_CONSISTENT_WEIGHTED</c>, key hash <c>MEMCACHED_HASH_MD5</c>):
    /// 40 MD5 digests × 4 points per server at equal weights, scaled by weight; keys hashed with MD5.
    /// OMcache's <c>omcache_dist_libmemcached_ketama_weighted</c>.
    /// </summary>
    KetamaWeighted = 1,

    /// <summary>
    /// <c>MEMCACHED_BEHAVIOR_KETAMA</c> as libmemcached before 1.0.10 did it: 40 MD5 digests × 4
    /// points per server with keys hashed by one-at-a-time. In libmemcached 1.1.4 the same ring comes
    /// from <c>MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED</c> followed by <c>MEMCACHED_BEHAVIOR_HASH</c> =
    /// <c>MEMCACHED_HASH_DEFAULT</c> with equal weights. Weights are ignored.
    /// OMcache's <c>omcache_dist_libmemcached_ketama_pre1010</c>.
    /// </summary>
    KetamaPre1010 = 2,

    /// <summary>
    /// libmemcached's <c>MEMCACHED_DISTRIBUTION_MODULA</c> (its default distribution) with the
    /// default one-at-a-time hash: server index = hash(key) mod server count. Weights are ignored.
    /// Adding or removing a server moves almost every key.
    /// </summary>
    Modula = 3,
}

/// <summary>Names for <see cref="MemcacheDistribution"/> values in configuration and on the command line.</summary>
public static class MemcacheDistributionNames
{
    /// <summary>The accepted names, in the order of the enum: ketama, ketama-weighted, ketama-pre1010, modula.</summary>
    public static IReadOnlyList<string> All { get; } = ["ketama", "ketama-weighted", "ketama-pre1010", "modula"];

    /// <summary>The configuration name of a distribution, for example <c>ketama-weighted</c>.</summary>
    /// <param name="distribution">The distribution.</param>
    /// <returns>Its name.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined distribution.</exception>
    public static string ToName(this MemcacheDistribution distribution) => distribution switch
    {
        MemcacheDistribution.Ketama => "ketama",
        MemcacheDistribution.KetamaWeighted => "ketama-weighted",
        MemcacheDistribution.KetamaPre1010 => "ketama-pre1010",
        MemcacheDistribution.Modula => "modula",
        _ => throw new ArgumentOutOfRangeException(nameof(distribution), distribution, "Unknown distribution."),
    };

    /// <summary>Parses a distribution name (case-insensitive).</summary>
    /// <param name="name">One of <c>ketama</c>, <c>ketama-weighted</c>, <c>ketama-pre1010</c>, <c>modula</c>.</param>
    /// <param name="distribution">The parsed distribution, when the name is valid.</param>
    /// <returns>Whether the name is valid.</returns>
    public static bool TryParse(string? name, out MemcacheDistribution distribution)
    {
        for (int i = 0; i < All.Count; i++)
        {
            if (string.Equals(name?.Trim(), All[i], StringComparison.OrdinalIgnoreCase))
            {
                distribution = (MemcacheDistribution)i;
                return true;
            }
        }

        distribution = default;
        return false;
    }

    /// <summary>Parses a distribution name (case-insensitive).</summary>
    /// <param name="name">One of <c>ketama</c>, <c>ketama-weighted</c>, <c>ketama-pre1010</c>, <c>modula</c>.</param>
    /// <returns>The distribution.</returns>
    /// <exception cref="ArgumentException">The name is not one of the valid names; the message lists them.</exception>
    public static MemcacheDistribution Parse(string name)
    {
        if (TryParse(name, out MemcacheDistribution distribution))
        {
            return distribution;
        }

        throw new ArgumentException(
            $"Unknown distribution '{name}'. Valid values: {string.Join(", ", All)}.", nameof(name));
    }
}
