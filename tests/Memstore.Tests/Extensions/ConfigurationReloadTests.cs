using Memstore.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Memstore.Tests.Extensions;

/// <summary>
/// A client registered in DI follows configuration reloads: a new <c>Servers</c> list is applied at run time
/// (UpdateServersAsync), any other changed setting is logged as needing a restart and left alone.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class ConfigurationReloadTests : IAsyncLifetime
{
    private readonly List<MemcachedServer> _servers = [];
    private readonly LogCapture _logs = new();

    public async Task InitializeAsync() =>
        _servers.AddRange(await MemcachedServer.StartManyAsync(2));

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        _logs.Dispose();
    }

    private (ServiceProvider Provider, IConfigurationRoot Configuration) Build(Action<IServiceCollection> register)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Memstore:Servers"] = _servers[0].ConnectionString,
            ["Memstore:Clients:sessions:Servers"] = _servers[0].ConnectionString,
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<ILoggerFactory>(_logs);
        register(services);
        return (services.BuildServiceProvider(), configuration);
    }

    [Fact]
    public async Task A_reloaded_server_list_is_applied_to_the_running_client()
    {
        var (provider, configuration) = Build(s => s.AddMemstore());
        await using var _ = provider;
        var client = provider.GetRequiredService<MemcacheClient>();
        Assert.Equal([_servers[0].Address], client.Servers);

        configuration["Memstore:Servers"] = $"{_servers[0].ConnectionString},{_servers[1].ConnectionString}";
        configuration.Reload();
        await client.Reloader!.Applying.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([_servers[0].Address, _servers[1].Address], client.Servers);
        var key = Enumerable.Range(0, 100).Select(i => $"reload:{Guid.NewGuid():N}:{i}").First(k => client.Locate(k) == _servers[1].Address);
        Assert.True((await client.SetAsync(key, "on the added server")).Stored);
        await using var direct = MemcacheClient.Create(_servers[1].ConnectionString);
        Assert.True((await direct.GetAsync(key)).Found);
    }

    [Fact]
    public async Task A_named_client_follows_its_own_section_only()
    {
        var (provider, configuration) = Build(s => s.AddMemstore().AddMemstore("sessions"));
        await using var _ = provider;
        var main = provider.GetRequiredService<MemcacheClient>();
        var sessions = provider.GetRequiredKeyedService<MemcacheClient>("sessions");
        configuration["Memstore:Clients:sessions:Servers"] = _servers[1].ConnectionString;
        configuration.Reload();
        await sessions.Reloader!.Applying.WaitAsync(TimeSpan.FromSeconds(10));
        await main.Reloader!.Applying.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([_servers[1].Address], sessions.Servers);
        Assert.Equal([_servers[0].Address], main.Servers);
    }

    [Fact]
    public async Task Other_changed_settings_are_logged_as_needing_a_restart()
    {
        var (provider, configuration) = Build(s => s.AddMemstore());
        await using var _ = provider;
        var client = provider.GetRequiredService<MemcacheClient>();
        configuration["Memstore:OperationTimeout"] = "00:00:07";
        configuration["Memstore:ConnectionsPerServer"] = "3";
        configuration.Reload();
        await client.Reloader!.Applying.WaitAsync(TimeSpan.FromSeconds(10));
        var restart = _logs.Texts(37).ToList();
        Assert.Contains(restart, t => t.StartsWith("Configuration reload: OperationTimeout changed", StringComparison.Ordinal));
        Assert.Contains(restart, t => t.StartsWith("Configuration reload: ConnectionsPerServer changed", StringComparison.Ordinal));
        Assert.Equal([_servers[0].Address], client.Servers);
        Assert.Single(client.Nodes[0].Connections); // still one connection: the change waits for a restart
    }

    [Fact]
    public async Task An_invalid_reload_is_logged_and_ignored_and_the_client_keeps_its_list()
    {
        var (provider, configuration) = Build(s => s.AddMemstore());
        await using var _ = provider;
        var client = provider.GetRequiredService<MemcacheClient>();
        configuration["Memstore:Servers"] = "127.0.0.1:0";
        configuration.Reload(); // nothing thrown into the configuration provider's reload
        Assert.Contains(_logs.Texts(39), t => t.Contains("Memstore:Servers", StringComparison.Ordinal) && t.Contains("'127.0.0.1:0'", StringComparison.Ordinal));
        await client.Reloader!.Applying.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([_servers[0].Address], client.Servers);
        Assert.True((await client.SetAsync(TestKeys.Unique(), "still the old list")).Stored);
    }

    [Fact]
    public void The_restart_only_table_covers_every_option_but_the_server_list()
    {
        var properties = typeof(MemcacheClientOptions).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Select(p => p.Name).Where(n => n != nameof(MemcacheClientOptions.Servers)).Order(StringComparer.Ordinal);
        Assert.Equal(properties, Memstore.DependencyInjection.MemcacheClientReloader.RestartOnly.Select(r => r.Name).Order(StringComparer.Ordinal));
    }
}
