using System.Diagnostics.CodeAnalysis;
using Memstore;
using Memstore.Caching;
using Memstore.DependencyInjection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers Memstore with a service collection: shared <see cref="MemcacheClient"/>s configured from the
/// <c>Memstore</c> configuration section and/or code, validated at start, the <see cref="IDistributedCache"/>
/// over them, and stores built on them.
/// </summary>
public static class MemstoreServiceCollectionExtensions
{
    /// <summary>The configuration section read by default: <c>Memstore</c>.</summary>
    public const string ConfigurationSection = "Memstore";

    /// <summary>
    /// Registers the default client as a singleton <see cref="MemcacheClient"/>. Its options are read from the
    /// <c>Memstore</c> section of the container's <see cref="IConfiguration"/>, when there is one, then
    /// <paramref name="configure"/> runs. Settings are validated when the host starts.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes to the options after configuration is applied, or null.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddMemstore(this IServiceCollection services, Action<MemcacheClientOptions>? configure = null) =>
        AddClient(services, Options.Options.DefaultName, null, ConfigurationSection, configure);

    /// <summary>Registers the default client with options read from <paramref name="configuration"/> (a section like <c>Memstore</c>).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding Servers, timeouts and the other settings.</param>
    /// <param name="configure">Changes to the options after configuration is applied, or null.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddMemstore(this IServiceCollection services, IConfiguration configuration, Action<MemcacheClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return AddClient(services, Options.Options.DefaultName, configuration, ConfigurationSection, configure);
    }

    /// <summary>
    /// Registers a named client for another cluster, read from <c>Memstore:Clients:{name}</c>. Inject it with
    /// <c>[FromKeyedServices(name)] MemcacheClient</c> or get it from <see cref="IMemcacheClientFactory"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The client's name, for example <c>"sessions"</c>.</param>
    /// <param name="configure">Changes to the options after configuration is applied, or null.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddMemstore(this IServiceCollection services, string name, Action<MemcacheClientOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return AddClient(services, name, null, $"{ConfigurationSection}:Clients:{name}", configure);
    }

    /// <summary>Registers a named client with options read from <paramref name="configuration"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The client's name.</param>
    /// <param name="configuration">The section holding the client's settings.</param>
    /// <param name="configure">Changes to the options after configuration is applied, or null.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddMemstore(this IServiceCollection services, string name, IConfiguration configuration, Action<MemcacheClientOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddClient(services, name, configuration, $"{ConfigurationSection}:Clients:{name}", configure);
    }

    /// <summary>
    /// Registers a store class (for example a generated <c>[MemcacheStore]</c> class, or your own wrapper) as a
    /// singleton built with the client: any public constructor whose parameters are a <see cref="MemcacheClient"/>
    /// and other services works.
    /// </summary>
    /// <typeparam name="TStore">The store class.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="clientName">The named client to build it on; null for the default client.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddMemstoreStore<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TStore>(
        this IServiceCollection services, string? clientName = null)
        where TStore : class
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<TStore>(sp, ResolveClient(sp, clientName, typeof(TStore).Name)));
        return services;
    }

    /// <summary>
    /// Registers <see cref="MemcacheDistributedCache"/> as the <see cref="IDistributedCache"/> and
    /// <see cref="IBufferDistributedCache"/> (HybridCache picks it up as its second level). It uses the default
    /// client unless <see cref="MemcacheDistributedCacheOptions.ClientName"/> names another; settings are read
    /// from <c>Memstore:DistributedCache</c> too (KeyPrefix, ClientName).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the key prefix or client name, or null.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddMemstoreDistributedCache(this IServiceCollection services, Action<MemcacheDistributedCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<MemcacheDistributedCacheOptions>().Configure<IServiceProvider>(static (options, sp) =>
        {
            if (sp.GetService<IConfiguration>()?.GetSection($"{ConfigurationSection}:DistributedCache") is { } section)
            {
                options.KeyPrefix = section["KeyPrefix"] ?? options.KeyPrefix;
                options.ClientName = section["ClientName"] ?? options.ClientName;
            }
        });
        if (configure is not null)
        {
            builder.Configure(configure);
        }
        services.TryAddSingleton(static sp =>
        {
            var options = sp.GetRequiredService<IOptions<MemcacheDistributedCacheOptions>>().Value;
            return new MemcacheDistributedCache(ResolveClient(sp, options.ClientName, nameof(MemcacheDistributedCache)), options, sp.GetService<TimeProvider>());
        });
        // Added, not tried: like other IDistributedCache providers, the last registration wins.
        services.AddSingleton<IDistributedCache>(static sp => sp.GetRequiredService<MemcacheDistributedCache>());
        services.AddSingleton<IBufferDistributedCache>(static sp => sp.GetRequiredService<MemcacheDistributedCache>());
        return services;
    }

    private static IServiceCollection AddClient(IServiceCollection services, string name, IConfiguration? configuration, string sectionPath, Action<MemcacheClientOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<MemcacheClientOptions>(name).Configure<IServiceProvider>((options, sp) =>
        {
            // An explicit section is used as given; a root configuration, or the container's, at sectionPath.
            var section = configuration as IConfigurationSection
                ?? (configuration ?? sp.GetService<IConfiguration>())?.GetSection(sectionPath ?? ConfigurationSection);
            if (section is null || !section.GetChildren().Any())
            {
                return;
            }
            var errors = MemcacheClientOptionsBinder.Bind(section, options);
            if (errors.Count > 0)
            {
                throw new OptionsValidationException(name, typeof(MemcacheClientOptions), errors);
            }
        });
        if (configure is not null)
        {
            builder.Configure(configure);
        }
        builder.ValidateOnStart();
        services.AddSingleton<IValidateOptions<MemcacheClientOptions>>(new MemcacheClientOptionsValidator(name));
        services.TryAddSingleton<IMemcacheClientFactory, MemcacheClientFactory>();
        services.TryAddKeyedSingleton(name, (sp, key) =>
        {
            var clientName = (string)key!;
            var options = sp.GetRequiredService<IOptionsMonitor<MemcacheClientOptions>>().Get(clientName);
            var loggerFactory = sp.GetService<ILoggerFactory>();
            var client = new MemcacheClient(options, loggerFactory) { TelemetryName = clientName.Length == 0 ? "default" : clientName };
            // Configuration reloads: a new server list is applied at run time, other changes are logged as needing a restart.
            if ((configuration ?? sp.GetService<IConfiguration>()) is { } watched)
            {
                MemcacheClientReloader.Attach(client, clientName, watched, sp.GetRequiredService<IOptionsFactory<MemcacheClientOptions>>(), options, client.Logger);
            }
            return client;
        });
        if (name.Length == 0)
        {
            services.TryAddSingleton(static sp => sp.GetRequiredKeyedService<MemcacheClient>(Options.Options.DefaultName));
        }
        return services;
    }

    private static MemcacheClient ResolveClient(IServiceProvider sp, string? clientName, string forWhat)
    {
        var name = clientName ?? Options.Options.DefaultName;
        if (sp.GetService<IServiceProviderIsKeyedService>() is { } keyed && !keyed.IsKeyedService(typeof(MemcacheClient), name))
        {
            throw new InvalidOperationException(name.Length == 0
                ? $"{forWhat} needs a Memstore client: call services.AddMemstore(...) first."
                : $"{forWhat} needs the Memstore client \"{name}\": call services.AddMemstore(\"{name}\", ...) first.");
        }
        return sp.GetRequiredKeyedService<MemcacheClient>(name);
    }
}
