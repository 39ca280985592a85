using Memstore.Caching;
using Memstore.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Memstore.Tests.Extensions;

/// <summary>Clients, named clients, stores and the distributed cache resolved from a container, used against memcached.</summary>
[Trait("Category", "Memcached")]
public sealed class DependencyInjectionTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>
{
    /// <summary>A hand-written store, as the generator's stores will be: a class with a constructor taking the client.</summary>
    public sealed class GreetingStore(MemcacheClient client, ILogger<GreetingStore> logger)
    {
        public MemcacheClient Client => client;

        public ILogger Logger { get; } = logger;

        public ValueTask<StoreResult> SaveAsync(string name, string greeting) => client.SetAsync("greeting:" + name, greeting);

        public async ValueTask<string?> LoadAsync(string name) => (await client.GetAsync("greeting:" + name)).AsString();
    }

    private ServiceCollection Services()
    {
        var services = new ServiceCollection();
        services.AddSingleton(OptionsBindingTests.Json($$"""{ "Memstore": { "Servers": "{{fixture.Server.ConnectionString}}" } }"""));
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        return services;
    }

    [Fact]
    public async Task The_default_client_is_a_working_singleton()
    {
        var services = Services();
        services.AddMemstore();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<MemcacheClient>();
        Assert.Same(client, provider.GetRequiredService<MemcacheClient>());
        Assert.Same(client, provider.GetRequiredService<IMemcacheClientFactory>().GetClient(""));
        Assert.Equal([fixture.Server.Address], client.Servers);
        var key = TestKeys.Unique();
        await client.SetAsync(key, "via DI");
        Assert.Equal("via DI", (await client.GetAsync(key)).AsString());
    }

    [Fact]
    public async Task Code_configuration_runs_after_the_configuration_section()
    {
        var services = Services();
        services.AddMemstore(o => o.OperationTimeout = TimeSpan.FromMilliseconds(1234));
        await using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<MemcacheClientOptions>>().Get("");
        Assert.Equal(TimeSpan.FromMilliseconds(1234), options.OperationTimeout);
        Assert.Equal([fixture.Server.Address], options.Servers);
    }

    [Fact]
    public async Task Named_clients_reach_their_own_clusters()
    {
        await using var other = await MemcachedServer.StartAsync();
        var services = Services();
        services.AddMemstore();
        services.AddMemstore("sessions", o => o.Servers.Add(other.Address));
        await using var provider = services.BuildServiceProvider();
        var sessions = provider.GetRequiredKeyedService<MemcacheClient>("sessions");
        Assert.Same(sessions, provider.GetRequiredService<IMemcacheClientFactory>().GetClient("sessions"));
        Assert.NotSame(sessions, provider.GetRequiredService<MemcacheClient>());
        Assert.Equal([other.Address], sessions.Servers);

        var key = TestKeys.Unique();
        await sessions.SetAsync(key, "only on the sessions cluster");
        Assert.True((await sessions.GetAsync(key)).Found);
        Assert.False((await provider.GetRequiredService<MemcacheClient>().GetAsync(key)).Found);
    }

    [Fact]
    public async Task An_unknown_client_name_says_how_to_register_it()
    {
        var services = Services();
        services.AddMemstore();
        await using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IMemcacheClientFactory>().GetClient("orders"));
        Assert.Contains("services.AddMemstore(\"orders\", ...)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_class_is_built_on_the_default_or_a_named_client()
    {
        await using var other = await MemcachedServer.StartAsync();
        var services = Services();
        services.AddMemstore();
        services.AddMemstore("greetings", o => o.Servers.Add(other.Address));
        services.AddMemstoreStore<GreetingStore>("greetings");
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<GreetingStore>();
        Assert.Same(provider.GetRequiredKeyedService<MemcacheClient>("greetings"), store.Client);
        Assert.NotNull(store.Logger);
        await store.SaveAsync("ada", "hello");
        Assert.Equal("hello", await store.LoadAsync("ada"));
    }

    [Fact]
    public async Task The_distributed_cache_is_registered_for_both_interfaces()
    {
        var services = Services();
        services.AddMemstore();
        services.AddMemstoreDistributedCache(o => o.KeyPrefix = "di:");
        await using var provider = services.BuildServiceProvider();
        var cache = provider.GetRequiredService<IDistributedCache>();
        Assert.IsType<MemcacheDistributedCache>(cache);
        Assert.Same(cache, provider.GetRequiredService<IBufferDistributedCache>());
        var key = TestKeys.Unique();
        await cache.SetStringAsync(key, "cached");
        Assert.Equal("cached", await cache.GetStringAsync(key));
        Assert.True((await provider.GetRequiredService<MemcacheClient>().GetAsync("di:" + key)).Found);
    }

    [Fact]
    public async Task The_distributed_cache_without_a_client_says_what_is_missing()
    {
        var services = Services();
        services.AddMemstoreDistributedCache();
        await using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IDistributedCache>());
        Assert.Contains("call services.AddMemstore(...) first", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_still_works_without_any_container()
    {
        await using var client = new MemcacheClient(new MemcacheClientOptions { Servers = { fixture.Server.Address } });
        var cache = new MemcacheDistributedCache(client);
        var key = TestKeys.Unique();
        await cache.SetAsync(key, [1, 2, 3], new DistributedCacheEntryOptions());
        Assert.Equal(new byte[] { 1, 2, 3 }, await cache.GetAsync(key));
    }
}
