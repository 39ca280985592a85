namespace Memstore;

/// <summary>
/// Where and how often a client asks a configuration endpoint for the cluster's server list
/// (<c>config get cluster</c>, as AWS ElastiCache and Google Cloud Memorystore for Memcached answer it). A reply
/// with a newer version replaces the list as <see cref="MemcacheClient.UpdateServersAsync"/> does; a malformed
/// reply or an unreachable endpoint is logged and the last good list stays. Set it as
/// <see cref="MemcacheClientOptions.AutoDiscovery"/>.
/// </summary>
public sealed record AutoDiscoveryOptions
{
    /// <summary>The configuration endpoint, <c>host:port</c> (for ElastiCache, the cluster's configuration endpoint, port 11211).</summary>
    public required ServerAddress Endpoint { get; init; }

    /// <summary>How often the endpoint is asked when the last poll succeeded. 60 seconds by default.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How soon the endpoint is asked again after a failed or ignored poll. 5 seconds by default; at most <see cref="PollInterval"/>.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    internal void Validate()
    {
        if (Endpoint.Host is null)
        {
            throw new ArgumentException("MemcacheClientOptions.AutoDiscovery.Endpoint is not set: give the configuration endpoint as host:port.", nameof(MemcacheClientOptions.AutoDiscovery));
        }
        if (PollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"MemcacheClientOptions.AutoDiscovery.PollInterval must be positive; it is {PollInterval}.", nameof(MemcacheClientOptions.AutoDiscovery));
        }
        if (RetryInterval <= TimeSpan.Zero || RetryInterval > PollInterval)
        {
            throw new ArgumentException($"MemcacheClientOptions.AutoDiscovery.RetryInterval must be positive and at most PollInterval ({PollInterval}); it is {RetryInterval}.", nameof(MemcacheClientOptions.AutoDiscovery));
        }
    }
}
