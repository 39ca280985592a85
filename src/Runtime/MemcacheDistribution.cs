namespace Memstore;

/// <summary>How keys are placed on servers (placeholder until the ring lands).</summary>
public enum MemcacheDistribution
{
    /// <summary>libmemcached MEMCACHED_BEHAVIOR_KETAMA.</summary>
    Ketama,
    /// <summary>libmemcached MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED.</summary>
    KetamaWeighted,
    /// <summary>libmemcached before 1.0.10.</summary>
    KetamaPre1010,
    /// <summary>Hash modulo server count.</summary>
    Modula,
}
