using Memstore.Cluster;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Memstore.DependencyInjection;

/// <summary>
/// Applies configuration reloads to a running client registered in DI: a changed server list goes to
/// <see cref="MemcacheClient.UpdateServersAsync"/>; any other changed setting is logged as needing a restart,
/// because connections, timeouts and the ring's distribution are fixed when the client is created. With
/// auto-discovery the endpoint owns the list, so a reloaded <c>Servers</c> is logged and left alone.
/// It watches the configuration itself and builds the options with the options factory (binding and validation
/// as at start), rather than through <see cref="IOptionsMonitor{TOptions}"/>: an invalid reload is then logged and
/// ignored here instead of throwing out of the configuration provider's reload.
/// </summary>
internal sealed class MemcacheClientReloader
{
    /// <summary>Every option but <c>Servers</c>, read for comparison. A test checks it covers every public option.</summary>
    internal static readonly (string Name, Func<MemcacheClientOptions, object?> Read)[] RestartOnly =
    [
        (nameof(MemcacheClientOptions.Distribution), static o => o.Distribution),
        (nameof(MemcacheClientOptions.KeyMode), static o => o.KeyMode),
        (nameof(MemcacheClientOptions.MaxValueSize), static o => o.MaxValueSize),
        (nameof(MemcacheClientOptions.MaxResponseValueSize), static o => o.MaxResponseValueSize),
        (nameof(MemcacheClientOptions.OperationTimeout), static o => o.OperationTimeout),
        (nameof(MemcacheClientOptions.ConnectTimeout), static o => o.ConnectTimeout),
        (nameof(MemcacheClientOptions.StallTimeout), static o => o.StallTimeout),
        (nameof(MemcacheClientOptions.ReconnectDelay), static o => o.ReconnectDelay),
        (nameof(MemcacheClientOptions.MaxReconnectDelay), static o => o.MaxReconnectDelay),
        (nameof(MemcacheClientOptions.Failover), static o => o.Failover),
        (nameof(MemcacheClientOptions.ServerFailureLimit), static o => o.ServerFailureLimit),
        (nameof(MemcacheClientOptions.ServerTimeoutLimit), static o => o.ServerTimeoutLimit),
        (nameof(MemcacheClientOptions.DeadTime), static o => o.DeadTime),
        // The gutter pool is fixed for the client's life: its nodes and ring are built once, with the policy.
        (nameof(MemcacheClientOptions.GutterServers), static o => string.Join(",", o.GutterServers)),
        (nameof(MemcacheClientOptions.GutterMaxExpiry), static o => o.GutterMaxExpiry),
        (nameof(MemcacheClientOptions.ConnectionsPerServer), static o => o.ConnectionsPerServer),
        (nameof(MemcacheClientOptions.MaxQueuedRequestsPerConnection), static o => o.MaxQueuedRequestsPerConnection),
        (nameof(MemcacheClientOptions.RecordKeysInTraces), static o => o.RecordKeysInTraces),
        (nameof(MemcacheClientOptions.ConnectionStreamFactory), static o => o.ConnectionStreamFactory),
        (nameof(MemcacheClientOptions.AutoDiscovery), static o => o.AutoDiscovery),
        (nameof(MemcacheClientOptions.Username), static o => o.Username),
        (nameof(MemcacheClientOptions.Password), static o => o.Password),
        (nameof(MemcacheClientOptions.PasswordFile), static o => o.PasswordFile),
        // Compared by value: every reload binds a new MemcacheTlsOptions.
        (nameof(MemcacheClientOptions.Tls), static o => (o.Tls.Enabled, o.Tls.CaCertificatesPath, o.Tls.RemoteCertificateValidation, o.Tls.TargetHost,
            o.Tls.ClientCertificatePath, o.Tls.ClientKeyPath, o.Tls.ClientCertificate, o.Tls.EnabledSslProtocols, o.Tls.AllowUntrustedCertificates)),
    ];

    private readonly MemcacheClient _client;
    private readonly string _name;
    private readonly IOptionsFactory<MemcacheClientOptions> _factory;
    private readonly ILogger _logger;
    private readonly object _sync = new();
    private MemcacheClientOptions _current;
    private Task _applying = Task.CompletedTask;

    private MemcacheClientReloader(MemcacheClient client, string name, IOptionsFactory<MemcacheClientOptions> factory, MemcacheClientOptions initial, ILogger logger)
    {
        _client = client;
        _name = name;
        _factory = factory;
        _current = initial.Clone();
        _logger = logger;
    }

    /// <summary>Subscribes the client to reloads of <paramref name="configuration"/>; the subscription ends with the client.</summary>
    public static void Attach(MemcacheClient client, string name, IConfiguration configuration, IOptionsFactory<MemcacheClientOptions> factory, MemcacheClientOptions initial, ILogger logger)
    {
        var reloader = new MemcacheClientReloader(client, name, factory, initial, logger);
        client.Reloader = reloader;
        client.OptionsSubscription = ChangeToken.OnChange(configuration.GetReloadToken, reloader.OnReload);
    }

    private void OnReload()
    {
        MemcacheClientOptions options;
        try
        {
            options = _factory.Create(_name);
        }
        catch (OptionsValidationException ex)
        {
            MembershipLog.ReloadInvalid(_logger, ex.Message);
            return;
        }
        OnChange(options);
    }

    /// <summary>The last reload's server update, for tests.</summary>
    internal Task Applying
    {
        get
        {
            lock (_sync)
            {
                return _applying;
            }
        }
    }

    private void OnChange(MemcacheClientOptions options)
    {
        lock (_sync)
        {
            var previous = _current;
            _current = options.Clone();
            foreach (var (setting, read) in RestartOnly)
            {
                if (!Equals(read(previous), read(options)))
                {
                    MembershipLog.NeedsRestart(_logger, setting);
                }
            }
            if (previous.Servers.SequenceEqual(options.Servers))
            {
                return;
            }
            if (previous.AutoDiscovery is not null)
            {
                MembershipLog.NeedsRestart(_logger, "Servers (auto-discovery sets the list while it is on)");
                return;
            }
            var servers = options.Servers.ToArray();
            // Reloads apply in order: each waits for the one before (UpdateServersAsync serialises them anyway).
            _applying = _applying.ContinueWith(_ => ApplyAsync(servers), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        }
    }

    private async Task ApplyAsync(ServerAddress[] servers)
    {
        try
        {
            await _client.UpdateServersAsync(servers).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A reload runs on the configuration's thread: log, never throw there.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            MembershipLog.ReloadFailed(_logger, ex);
        }
    }
}
