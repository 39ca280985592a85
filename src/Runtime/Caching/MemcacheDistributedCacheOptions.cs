namespace Memstore.Caching;

/// <summary>Settings of <see cref="MemcacheDistributedCache"/>.</summary>
public sealed class MemcacheDistributedCacheOptions
{
    /// <summary>
    /// Prepended to every key (for example <c>"app1:"</c>), so several applications can share a cluster. The
    /// prefixed key must still follow the client's key rules; null or empty for none.
    /// </summary>
    public string? KeyPrefix { get; set; }

    /// <summary>The named client to use (see <c>AddMemstore(name, ...)</c>); null for the default client.</summary>
    public string? ClientName { get; set; }
}
