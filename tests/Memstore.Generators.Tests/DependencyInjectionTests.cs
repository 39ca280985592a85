using Memstore.Generators.Tests.Stores;
using Memstore.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Memstore.Generators.Tests;

/// <summary>A generated store resolved from the container, working against real memcached.</summary>
[Trait("Category", "Memcached")]
public sealed class DependencyInjectionTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>
{
    [Fact]
    public async Task A_generated_store_resolves_from_the_container_and_works()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Memstore:Servers:0"] = fixture.Server.ConnectionString })
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMemstore();
        services.AddMemstoreStore<TestStore>();
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<TestStore>();
        Assert.Same(store, provider.GetRequiredService<TestStore>());
        await store.Numbers.SetAsync(7, 42L);
        Assert.Equal(42L, (await store.Numbers.TryGetAsync(7)).Value);

        // The store talks through the container's one client.
        var client = provider.GetRequiredService<MemcacheClient>();
        Assert.True((await client.GetAsync(store.Numbers.FormatKey(7))).Found);
    }
}
