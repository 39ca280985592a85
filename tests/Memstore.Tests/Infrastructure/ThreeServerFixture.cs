
namespace Memstore.Tests.Infrastructure;

/// <summary>Three memcached servers: shared by a test class as a fixture, or owned by one test.</summary>
public sealed class ThreeServerFixture : IAsyncLifetime
{
    public List<MemcachedServer> Servers { get; } = [];

    public string ConnectionString => string.Join(",", Servers.Select(s => s.ConnectionString));

    public MemcacheClient NewClient() => MemcacheClient.Create(ConnectionString);

    public async Task InitializeAsync()
    {
        var starts = Enumerable.Range(0, 3).Select(_ => MemcachedServer.StartAsync()).ToArray();
        Servers.AddRange(await Task.WhenAll(starts));
    }

    public async Task DisposeAsync()
    {
        foreach (var server in Servers)
        {
            await server.DisposeAsync();
        }
    }
}
