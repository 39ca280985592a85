using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Memstore.Tests.Extensions;

/// <summary>The <c>Memstore</c> configuration section: every setting read, every mistake named by its path.</summary>
[Trait("Category", "Unit")]
public sealed class OptionsBindingTests
{
    internal static IConfiguration Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    private static MemcacheClientOptions Bind(string json, string? name = null)
    {
        var services = new ServiceCollection().AddSingleton(Json(json));
        if (name is null)
        {
            services.AddMemstore();
        }
        else
        {
            services.AddMemstore(name);
        }
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsMonitor<MemcacheClientOptions>>().Get(name ?? Options.DefaultName);
    }

    [Fact]
    public void Every_setting_is_read_from_json()
    {
        var options = Bind("""
        {
          "Memstore": {
            "Servers": [ "10.0.0.1:11211", { "Host": "10.0.0.2", "Port": 11212, "Weight": 3 }, "[::1]:11213:2" ],
            "Distribution": "ketama-weighted",
            "KeyMode": "Base64",
            "MaxValueSize": 2097152,
            "MaxResponseValueSize": 3145728,
            "OperationTimeout": "00:00:00.250",
            "ConnectTimeout": "00:00:01",
            "StallTimeout": "00:00:07",
            "ReconnectDelay": "00:00:00.100",
            "MaxReconnectDelay": "00:00:03",
            "Failover": "Redistribute",
            "ServerFailureLimit": 4,
            "ServerTimeoutLimit": 7,
            "DeadTime": "00:00:09",
            "ConnectionsPerServer": 2,
            "MaxQueuedRequestsPerConnection": 100,
            "RecordKeysInTraces": true
          }
        }
        """);
        Assert.Equal([new ServerAddress("10.0.0.1", 11211), new ServerAddress("10.0.0.2", 11212, 3), new ServerAddress("::1", 11213, 2)], options.Servers);
        Assert.Equal(MemcacheDistribution.KetamaWeighted, options.Distribution);
        Assert.Equal(KeyMode.Base64, options.KeyMode);
        Assert.Equal(2097152, options.MaxValueSize);
        Assert.Equal(3145728, options.MaxResponseValueSize);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.OperationTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), options.StallTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.ReconnectDelay);
        Assert.Equal(TimeSpan.FromSeconds(3), options.MaxReconnectDelay);
        Assert.Equal(FailoverPolicy.Redistribute, options.Failover);
        Assert.Equal(4, options.ServerFailureLimit);
        Assert.Equal(7, options.ServerTimeoutLimit);
        Assert.Equal(TimeSpan.FromSeconds(9), options.DeadTime);
        Assert.Equal(2, options.ConnectionsPerServer);
        Assert.Equal(100, options.MaxQueuedRequestsPerConnection);
        Assert.True(options.RecordKeysInTraces);
    }

    [Fact]
    public void Servers_may_be_one_comma_separated_string_and_unset_settings_keep_their_defaults()
    {
        var options = Bind("""{ "Memstore": { "Servers": "10.0.0.1, 10.0.0.2:11212" } }""");
        Assert.Equal([new ServerAddress("10.0.0.1"), new ServerAddress("10.0.0.2", 11212)], options.Servers);
        Assert.Equal(new MemcacheClientOptions().OperationTimeout, options.OperationTimeout);
        Assert.Equal(MemcacheDistribution.Ketama, options.Distribution);
    }

    [Fact]
    public void A_named_client_reads_Memstore_Clients_name()
    {
        var options = Bind("""{ "Memstore": { "Servers": "10.0.0.1", "Clients": { "sessions": { "Servers": "10.0.0.9:11300", "Failover": "redistribute" } } } }""", "sessions");
        Assert.Equal([new ServerAddress("10.0.0.9", 11300)], options.Servers);
        Assert.Equal(FailoverPolicy.Redistribute, options.Failover);
    }

    public static TheoryData<string, string> InvalidSettings => new()
    {
        { """ "Servers": [ "10.0.0.1", { "Host": "10.0.0.2", "Port": 70000 } ] """, "Memstore:Servers:1:Port must be 1..65535; it is \"70000\"" },
        { """ "Servers": [ { "Host": "10.0.0.2", "Weight": 0 } ] """, "Memstore:Servers:0:Weight must be a whole number of at least 1" },
        { """ "Servers": [ { "Port": 11211 } ] """, "Memstore:Servers:0:Host is missing" },
        { """ "Servers": [ { "Hostname": "a", "Host": "b" } ] """, "Memstore:Servers:0:Hostname is not a server setting" },
        { """ "Servers": [ "10.0.0.1:eleven" ] """, "Memstore:Servers:0: Invalid server address '10.0.0.1:eleven'" },
        { """ "Servers": "10.0.0.1,,10.0.0.2" """, "Memstore:Servers: Server list entry 2 is empty" },
        { """ "Servers": [ "10.0.0.1", "10.0.0.1" ] """, "Memstore:Servers lists 10.0.0.1:11211 twice" },
        { """ "Distribution": "rendezvous" """, "Memstore:Distribution is \"rendezvous\"; expected one of ketama, ketama-weighted, ketama-pre1010, modula" },
        { """ "KeyMode": "Hex" """, "Memstore:KeyMode is \"Hex\"; expected Text or Base64" },
        { """ "Failover": "Retry" """, "Memstore:Failover is \"Retry\"; expected FailFast, Redistribute or Gutter" },
        { """ "Failover": "7" """, "Memstore:Failover is \"7\"" },
        { """ "OperationTimeout": "5" """, "Memstore:OperationTimeout is \"5\"; expected a time span such as \"00:00:02\"" },
        { """ "OperationTimeout": "-00:00:01" """, "Memstore:OperationTimeout must be positive" },
        { """ "ConnectTimeout": "00:00:00" """, "Memstore:ConnectTimeout must be positive" },
        { """ "StallTimeout": "soon" """, "Memstore:StallTimeout is \"soon\"" },
        { """ "DeadTime": "00:00:00" """, "Memstore:DeadTime must be positive" },
        { """ "ReconnectDelay": "00:00:02", "MaxReconnectDelay": "00:00:01" """, "Memstore:MaxReconnectDelay (00:00:01) is shorter than ReconnectDelay" },
        { """ "ConnectionsPerServer": 0 """, "Memstore:ConnectionsPerServer must be between 1 and 64; it is 0" },
        { """ "ConnectionsPerServer": "two" """, "Memstore:ConnectionsPerServer is \"two\"; expected a whole number" },
        { """ "MaxValueSize": 0 """, "Memstore:MaxValueSize must be between 1 byte and 1 GiB" },
        { """ "MaxResponseValueSize": 1000 """, "Memstore:MaxResponseValueSize must be between MaxValueSize (1048576) and 1 GiB" },
        { """ "MaxResponseValueSize": "big" """, "Memstore:MaxResponseValueSize is \"big\"; expected a whole number of bytes" },
        { """ "ServerFailureLimit": 0 """, "Memstore:ServerFailureLimit must be at least 1" },
        { """ "ServerTimeoutLimit": -1 """, "Memstore:ServerTimeoutLimit must be 0 (timeouts never mark a server dead) or more; it is -1" },
        { """ "ServerTimeoutLimit": "many" """, "Memstore:ServerTimeoutLimit is \"many\"; expected a whole number" },
        { """ "MaxQueuedRequestsPerConnection": -1 """, "Memstore:MaxQueuedRequestsPerConnection must be at least 1" },
        { """ "RecordKeysInTraces": "yes" """, "Memstore:RecordKeysInTraces is \"yes\"; expected true or false" },
        { """ "OperationTimout": "00:00:01" """, "Memstore:OperationTimout is not a Memstore setting" },
        { """ "OperationTimeout": { "Seconds": 1 } """, "Memstore:OperationTimeout must be a single value" },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void Each_invalid_setting_is_reported_with_its_configuration_path(string settings, string expected)
    {
        var servers = settings.Contains("\"Servers\"", StringComparison.Ordinal) ? "" : "\"Servers\": \"127.0.0.1\",";
        var error = Assert.Throws<OptionsValidationException>(() => Bind($$"""{ "Memstore": { {{servers}} {{settings}} } }"""));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_servers_at_all_is_reported()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind("""{ "Memstore": { "OperationTimeout": "00:00:01" } }"""));
        Assert.Contains("Memstore:Servers is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_mistake_is_reported_at_once()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind("""{ "Memstore": { "Servers": "127.0.0.1", "KeyMode": "x", "DeadTime": "y" } }"""));
        Assert.Contains("Memstore:KeyMode", error.Message, StringComparison.Ordinal);
        Assert.Contains("Memstore:DeadTime", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_set_in_code_are_validated_with_the_property_name()
    {
        var services = new ServiceCollection().AddMemstore(o => o.Servers.Add(new ServerAddress("127.0.0.1")));
        services.AddMemstore(o => o.ConnectionsPerServer = 99);
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<MemcacheClientOptions>>().Get(""));
        Assert.Contains("MemcacheClientOptions.ConnectionsPerServer must be between 1 and 64; it is 99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_refuses_to_start_with_an_invalid_setting()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(Json("""{ "Memstore": { "Servers": [ { "Host": "127.0.0.1", "Port": 0 } ] } }"""));
        builder.Services.AddMemstore();
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Memstore:Servers:0:Port must be 1..65535", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_discovery_is_read_as_a_section_or_as_the_endpoint_alone()
    {
        var full = Bind("""{ "Memstore": { "Servers": "10.0.0.1", "AutoDiscovery": { "Endpoint": "cfg.example.com:11211", "PollInterval": "00:00:30", "RetryInterval": "00:00:02" } } }""");
        Assert.Equal(new AutoDiscoveryOptions { Endpoint = new ServerAddress("cfg.example.com"), PollInterval = TimeSpan.FromSeconds(30), RetryInterval = TimeSpan.FromSeconds(2) }, full.AutoDiscovery);
        var shorthand = Bind("""{ "Memstore": { "Servers": "10.0.0.1", "AutoDiscovery": "cfg.example.com:11212" } }""");
        Assert.Equal(new AutoDiscoveryOptions { Endpoint = new ServerAddress("cfg.example.com", 11212) }, shorthand.AutoDiscovery);
        Assert.Equal(TimeSpan.FromSeconds(60), shorthand.AutoDiscovery!.PollInterval);
        Assert.Null(Bind("""{ "Memstore": { "Servers": "10.0.0.1" } }""").AutoDiscovery);
    }

    [Fact]
    public void Auto_discovery_mistakes_name_their_configuration_path()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(
            """{ "Memstore": { "Servers": "10.0.0.1", "AutoDiscovery": { "Endpoint": "cfg:0", "PollInterval": "30", "Every": "1" } } }"""));
        Assert.Contains("Memstore:AutoDiscovery:Endpoint: Invalid server address 'cfg:0'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Memstore:AutoDiscovery:Every is not an auto-discovery setting", error.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<OptionsValidationException>(() => Bind("""{ "Memstore": { "Servers": "10.0.0.1", "AutoDiscovery": { "PollInterval": "00:00:30" } } }"""));
        Assert.Contains("Memstore:AutoDiscovery:Endpoint is missing", missing.Message, StringComparison.Ordinal);
        var interval = Assert.Throws<OptionsValidationException>(() => Bind("""{ "Memstore": { "Servers": "10.0.0.1", "AutoDiscovery": { "Endpoint": "cfg", "PollInterval": "30" } } }"""));
        Assert.Contains("Memstore:AutoDiscovery:PollInterval is \"30\"", interval.Message, StringComparison.Ordinal);
        var noSeed = Assert.Throws<OptionsValidationException>(() => Bind("""{ "Memstore": { "AutoDiscovery": "cfg.example.com" } }"""));
        Assert.Contains("with AutoDiscovery it still needs at least one server", noSeed.Message, StringComparison.Ordinal);
        var retry = Assert.Throws<OptionsValidationException>(() => Bind("""{ "Memstore": { "Servers": "10.0.0.1", "AutoDiscovery": { "Endpoint": "cfg", "PollInterval": "00:00:01", "RetryInterval": "00:00:05" } } }"""));
        Assert.Contains("RetryInterval must be positive and at most PollInterval", retry.Message, StringComparison.Ordinal);
    }

    /// <summary>Options that only code can set: objects, not values configuration could hold.</summary>
    private static readonly string[] CodeOnly =
    [
        nameof(MemcacheClientOptions.ConnectionStreamFactory),
        "Tls:" + nameof(MemcacheTlsOptions.RemoteCertificateValidation),
        "Tls:" + nameof(MemcacheTlsOptions.ClientCertificate),
    ];

    [Fact]
    public void The_binder_table_covers_every_public_option_except_the_code_only_ones()
    {
        // The nested Tls options are bound as "Tls:<property>".
        var properties = typeof(MemcacheClientOptions).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Select(p => p.Name).Where(n => n != nameof(MemcacheClientOptions.Tls))
            .Concat(typeof(MemcacheTlsOptions).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance).Select(p => "Tls:" + p.Name))
            .Order(StringComparer.Ordinal).ToArray();
        var bound = Memstore.DependencyInjection.MemcacheClientOptionsBinder.Bindings.Select(b => b.Name)
            .Append(nameof(MemcacheClientOptions.Servers)).Append(nameof(MemcacheClientOptions.GutterServers)).Append(nameof(MemcacheClientOptions.AutoDiscovery)).Concat(CodeOnly).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(properties, bound);
    }

    [Fact]
    public void A_client_copies_every_option_so_later_changes_do_not_reach_it()
    {
        var options = MemcacheClientOptions.Parse("10.0.0.1:11211");
        foreach (var property in typeof(MemcacheClientOptions).GetProperties().Where(p => p.CanWrite))
        {
            property.SetValue(options, NonDefault(property.PropertyType, property.GetValue(options)));
        }
        var copy = options.Clone();
        options.Servers.Add(ServerAddress.Parse("10.0.0.2:11211"));
        foreach (var property in typeof(MemcacheClientOptions).GetProperties().Where(p => p.CanWrite))
        {
            Assert.Equal(property.GetValue(options), property.GetValue(copy));
        }
        Assert.Equal([ServerAddress.Parse("10.0.0.1:11211")], copy.Servers);
    }

    [Fact]
    public void A_client_copies_the_tls_options_deeply()
    {
        var options = MemcacheClientOptions.Parse("10.0.0.1:11211");
        var tlsProperties = typeof(MemcacheTlsOptions).GetProperties().Where(p => p.CanWrite).ToArray();
        foreach (var property in tlsProperties)
        {
            property.SetValue(options.Tls, NonDefault(property.PropertyType, property.GetValue(options.Tls)));
        }
        var copy = options.Clone();
        Assert.NotSame(options.Tls, copy.Tls);
        var expected = tlsProperties.Select(p => p.GetValue(options.Tls)).ToArray();
        options.Tls.Enabled = !options.Tls.Enabled;
        options.Tls.TargetHost = "changed";
        Assert.Equal(expected, tlsProperties.Select(p => p.GetValue(copy.Tls)).ToArray());
    }

#pragma warning disable CA5359 // a value to copy, never used to validate anything
    private static readonly System.Net.Security.RemoteCertificateValidationCallback AcceptAll = (_, _, _, _) => true;
#pragma warning restore CA5359

    private static readonly Lazy<System.Security.Cryptography.X509Certificates.X509Certificate2> TestCertificate = new(() =>
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        return new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=test", key, System.Security.Cryptography.HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
    });

    private static object? NonDefault(Type type, object? current) => current switch
    {
        TimeSpan t => t + TimeSpan.FromMilliseconds(7),
        int i => i + 3,
        bool b => !b,
        Enum e => Enum.GetValues(type).Cast<object>().First(v => !v.Equals(e)),
        _ when type == typeof(int?) => 12345,
        _ when type == typeof(IConnectionStreamFactory) => TcpConnectionStreamFactory.Instance,
        _ when type == typeof(string) => "value-" + Guid.NewGuid().ToString("N")[..6],
        _ when type == typeof(System.Net.Security.RemoteCertificateValidationCallback) => AcceptAll,
        _ when type == typeof(System.Security.Cryptography.X509Certificates.X509Certificate2) => TestCertificate.Value,
        _ when type == typeof(AutoDiscoveryOptions) => new AutoDiscoveryOptions { Endpoint = new ServerAddress("10.0.0.9") },
        _ => throw new InvalidOperationException($"no test value for an option of type {type}; add one"),
    };
}
