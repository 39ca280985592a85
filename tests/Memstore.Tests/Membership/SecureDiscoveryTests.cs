using Memstore.Tests.Client;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Membership;

/// <summary>
/// Auto-discovery on a TLS cluster and on one that requires authentication: the configuration endpoint is asked with
/// the client's TLS and authentication settings, the discovered servers (real memcached -Z and -Y) serve the data,
/// and an endpoint the client cannot trust or log into is logged with the cause while the last good list stays.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class SecureDiscoveryTests(CertificatesFixture fixture) : IClassFixture<CertificatesFixture>, IDisposable
{
    private readonly LogCapture _logs = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("memstore-discovery-auth-").FullName;

    private TestCertificates Certs => fixture.Certificates;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static MemcacheClientOptions Options(ServerAddress seed, ConfigEndpoint endpoint)
    {
        var options = new MemcacheClientOptions
        {
            AutoDiscovery = new AutoDiscoveryOptions
            {
                Endpoint = endpoint.Address,
                PollInterval = TimeSpan.FromSeconds(60),
                RetryInterval = TimeSpan.FromSeconds(60),
            },
            ConnectTimeout = TimeSpan.FromSeconds(1),
        };
        options.Servers.Add(seed);
        return options;
    }

    /// <summary>Waits (bounded) until the list is applied: the servers in use and the version recorded.</summary>
    private static async Task WaitForServersAsync(MemcacheClient client, ServerAddress[] expected)
    {
        for (var i = 0; i < 500 && !(client.Servers.SequenceEqual(expected) && client.Discovery!.AppliedVersion >= 0); i++)
        {
            await Task.Delay(10);
        }
        Assert.Equal(expected, client.Servers);
    }

    [Fact]
    public async Task A_tls_cluster_is_discovered_over_tls_and_serves_data_over_tls()
    {
        await using var first = await MemcachedServer.StartUnansweringAsync(Certs.Server.MemcachedArguments());
        await using var second = await MemcachedServer.StartUnansweringAsync(Certs.Server.MemcachedArguments());
        await using var endpoint = new ConfigEndpoint(Certs.Server);
        endpoint.SetRawReply(ConfigEndpoint.Format(7, $"localhost|127.0.0.1|{first.Address.Port} localhost|127.0.0.1|{second.Address.Port}"));
        var options = Options(first.Address, endpoint);
        options.Tls.Enabled = true;
        options.Tls.CaCertificatesPath = Certs.CaPath;
        await using var client = new MemcacheClient(options, _logs);

        await WaitForServersAsync(client, [first.Address, second.Address]);
        Assert.Equal(7, client.Discovery!.AppliedVersion);
        var keys = Enumerable.Range(0, 40).Select(i => $"tls-discovered:{i}").ToArray();
        foreach (var key in keys)
        {
            Assert.True((await client.SetAsync(key, key)).Stored);
        }
        foreach (var key in keys)
        {
            Assert.Equal(key, (await client.GetAsync(key)).AsString());
        }
        Assert.Equal(2, keys.Select(k => client.Locate(k)).Distinct().Count());
    }

    [Fact]
    public async Task A_discovered_server_listed_by_ip_is_verified_against_the_host_name_the_reply_gave_it()
    {
        // Certificates carry names; the cluster hands out IP addresses. The name in host|ip|port is what is checked.
        await using var named = await MemcachedServer.StartUnansweringAsync(Certs.NameOnly.MemcachedArguments());
        await using var unnamed = await MemcachedServer.StartUnansweringAsync(Certs.NameOnly.MemcachedArguments());
        await using var endpoint = new ConfigEndpoint(Certs.Server);
        endpoint.SetRawReply(ConfigEndpoint.Format(2, $"cache.internal|127.0.0.1|{named.Address.Port} |127.0.0.1|{unnamed.Address.Port}"));
        // The seed is another name for the same port, so the discovered node is a new one (a kept node would keep
        // the state of connects made before its name was known).
        var options = Options(new ServerAddress("localhost", named.Address.Port), endpoint);
        options.Tls.Enabled = true;
        options.Tls.CaCertificatesPath = Certs.CaPath;
        options.ServerFailureLimit = 100; // only the handshake's refusal marks a server dead at once
        await using var client = new MemcacheClient(options, _logs);
        await WaitForServersAsync(client, [named.Address, unnamed.Address]);

        var keys = Enumerable.Range(0, 60).Select(i => $"named:{i}").ToArray();
        var onNamed = keys.First(k => client.Locate(k) == named.Address);
        var onUnnamed = keys.First(k => client.Locate(k) == unnamed.Address);
        Assert.True((await client.SetAsync(onNamed, "verified as cache.internal")).Stored);
        Assert.Equal("verified as cache.internal", (await client.GetAsync(onNamed)).AsString());
        // Without a name in the reply the check is against 127.0.0.1, which the certificate does not carry.
        var error = await Assert.ThrowsAnyAsync<MemcacheException>(async () => await client.SetAsync(onUnnamed, "v"));
        var cause = error.InnerException ?? error;
        Assert.Contains(unnamed.Address.ToString(), cause.Message, StringComparison.Ordinal);
        Assert.Contains("name mismatch", cause.Message, StringComparison.Ordinal);
        Assert.Contains("connected as 127.0.0.1", cause.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoint_with_an_untrusted_certificate_is_logged_and_the_list_stays()
    {
        await using var server = await MemcachedServer.StartUnansweringAsync(Certs.Server.MemcachedArguments());
        await using var endpoint = new ConfigEndpoint(Certs.UnknownCa);
        endpoint.SetCluster(1, [server.Address, new ServerAddress("127.0.0.1", 1)]);
        var options = Options(server.Address, endpoint);
        options.Tls.Enabled = true;
        options.Tls.CaCertificatesPath = Certs.CaPath;
        await using var client = new MemcacheClient(options, _logs);

        Assert.False(await client.Discovery!.PollAsync(CancellationToken.None));
        Assert.Equal([server.Address], client.Servers);
        Assert.Equal(-1, client.Discovery.AppliedVersion);
        Assert.Equal(0, endpoint.Polls); // the handshake failed before anything was asked
        var failure = Assert.Single(_logs.Texts(35).Distinct());
        Assert.Contains(endpoint.Address.ToString(), failure, StringComparison.Ordinal);
        Assert.Contains("certificate", failure, StringComparison.OrdinalIgnoreCase);
        Assert.True((await client.SetAsync("still-served", "yes")).Stored);
    }

    [Fact]
    public async Task An_authenticating_cluster_is_discovered_with_the_clients_credentials()
    {
        var authFile = Path.Combine(_directory, "auth");
        await File.WriteAllTextAsync(authFile, "app:s3cret\n");
        await using var first = await MemcachedServer.StartUnansweringAsync("-Y", authFile);
        await using var second = await MemcachedServer.StartUnansweringAsync("-Y", authFile);
        await using var endpoint = new ConfigEndpoint(username: "app", password: "s3cret");
        endpoint.SetCluster(3, [first.Address, second.Address]);
        var options = Options(first.Address, endpoint);
        options.Username = "app";
        options.Password = "s3cret";
        await using var client = new MemcacheClient(options, _logs);

        await WaitForServersAsync(client, [first.Address, second.Address]);
        Assert.True((await client.SetAsync("auth-discovered", "v")).Stored);
        Assert.Equal("v", (await client.GetAsync("auth-discovered")).AsString());
    }

    [Fact]
    public async Task An_endpoint_that_refuses_the_credentials_is_logged_and_the_list_stays()
    {
        await using var server = await MemcachedServer.StartAsync();
        await using var endpoint = new ConfigEndpoint(username: "app", password: "other");
        endpoint.SetCluster(1, [server.Address, new ServerAddress("127.0.0.1", 1)]);
        var options = Options(server.Address, endpoint);
        options.Username = "app";
        options.Password = "s3cret"; // the data server has no -Y: it never receives them (see AuthenticationTests)
        await using var client = new MemcacheClient(options, _logs);

        Assert.False(await client.Discovery!.PollAsync(CancellationToken.None));
        Assert.Equal([server.Address], client.Servers);
        Assert.Equal(0, endpoint.Polls);
        Assert.Contains(_logs.Texts(35), t => t.Contains(endpoint.Address.ToString(), StringComparison.Ordinal)
            && t.Contains("refused the credentials of user \"app\"", StringComparison.Ordinal));
    }
}
