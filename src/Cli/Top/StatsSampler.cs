using System.Diagnostics;
using Memstore.Cli.Commands;
using Memstore.Cli.Options;

namespace Memstore.Cli.Top;

/// <summary>
/// Asks every server for <c>stats</c> at once, each through its own one-server client kept open between samples
/// (so <c>top</c> does not reconnect every second), and reports a server that does not answer with the reason.
/// </summary>
internal sealed class StatsSampler : IAsyncDisposable
{
    private readonly (string Name, MemcacheClient Client)[] _servers;

    /// <summary>Creates one client per server of <paramref name="cluster"/>, with its timeouts, TLS and credentials.</summary>
    public StatsSampler(MemcacheClientOptions cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        _servers = [.. cluster.Servers.Select(server => (server.ToString(), new MemcacheClient(ClusterOptions.ForServer(cluster, server))))];
    }

    /// <summary>One sample per server, in the order of the server list.</summary>
    public async Task<IReadOnlyList<ServerSample>> SampleAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(_servers.Select(s => SampleOneAsync(s.Name, s.Client, cancellationToken))).ConfigureAwait(false);

    private static async Task<ServerSample> SampleOneAsync(string name, MemcacheClient client, CancellationToken cancellationToken)
    {
        try
        {
            var stats = (await client.GetStatsAsync(null, cancellationToken).ConfigureAwait(false)).Values.Single();
            return new ServerSample(name, stats, null, Stopwatch.GetTimestamp());
        }
        catch (MemcacheException error)
        {
            return new ServerSample(name, null, Failures.Describe(error), Stopwatch.GetTimestamp());
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach ((_, MemcacheClient client) in _servers)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
    }
}
