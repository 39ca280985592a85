
namespace Memstore.Tests.Infrastructure;

/// <summary>Three memcached servers: shared by a test class as a fixture, or owned by one test.</summary>
public sealed class ThreeServerFixture : IAsyncLifetime
{
    public List<MemcachedServer> Servers { get; } = [];

    public string ConnectionString => string.Join(",", Servers.Select(s => s.ConnectionString));

    public MemcacheClient NewClient() => MemcacheClient.Create(ConnectionString);

    public async Task InitializeAsync()
    {
        Servers.AddRange(await MemcachedServer.StartManyAsync(3));
    }

    public async Task DisposeAsync()
    {
        foreach (var server in Servers)
        {
            await server.DisposeAsync();
        }
    }
}
