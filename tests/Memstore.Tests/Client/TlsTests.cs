using System.Diagnostics;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Client;

/// <summary>One set of test certificates for the TLS test classes (made once, deleted afterwards).</summary>
public sealed class CertificatesFixture : IDisposable
{
    public TestCertificates Certificates { get; } = new();

    public void Dispose() => Certificates.Dispose();
}

/// <summary>
/// TLS against real memcached -Z with certificates made at test time: a trusted server works (also with a target
/// host override and with mutual TLS), and each way it can go wrong is one clear error naming the server and the
/// cause, within the connect timeout, retried at the dead-server pace.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class TlsTests(CertificatesFixture fixture) : IClassFixture<CertificatesFixture>
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(1);

    private TestCertificates Certs => fixture.Certificates;

    private MemcacheClientOptions Options(MemcachedServer server, bool tls = true)
    {
        var options = MemcacheClientOptions.Parse(server.ConnectionString);
        options.Tls.Enabled = tls;
        options.Tls.CaCertificatesPath = tls ? Certs.CaPath : null;
        options.ConnectTimeout = ConnectTimeout;
        options.ServerFailureLimit = 100; // only failures that mark the server dead at once do so
        options.ReconnectDelay = TimeSpan.FromMilliseconds(10);
        options.MaxReconnectDelay = TimeSpan.FromMilliseconds(20);
        options.DeadTime = TimeSpan.FromSeconds(10);
        return options;
    }

    /// <summary>Why connecting failed, as the first call sees it (the connect error inside the call's error).</summary>
    private static async Task<(MemcacheException Call, Exception Cause, TimeSpan Took)> ConnectFailureAsync(MemcacheClient client)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var error = await Record.ExceptionAsync(async () => await client.GetAsync("k"));
            if (error is MemcacheException { InnerException: { } cause } call)
            {
                return (call, cause, watch.Elapsed);
            }
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"no connect failure within 5 s; last: {error}");
            await Task.Delay(20);
        }
    }

    private static void AssertNamesServerWithin(MemcachedServer server, Exception cause, TimeSpan took)
    {
        Assert.Contains(server.Address.ToString(), cause.Message, StringComparison.Ordinal);
        Assert.True(took < ConnectTimeout + TimeSpan.FromSeconds(1), $"the failure took {took.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task A_trusted_server_serves_requests_over_tls()
    {
        await using var server = await MemcachedServer.StartUnansweringAsync(Certs.Server.MemcachedArguments());
        // Through a stream factory of the test's own: TLS runs on whatever stream it returns.
        var streams = new CountingStreamFactory();
        var options = Options(server);
        options.ConnectionStreamFactory = streams;
        await using var client = new MemcacheClient(options);
        Assert.True((await client.SetAsync("tls:k", "over tls"u8.ToArray())).Stored);
        Assert.True(streams.Writes(server.Address) > 0);
        Assert.Equal("over tls"u8.ToArray(), (await client.GetAsync("tls:k")).Value);
        // A large value crosses many TLS records both ways.
        var large = new byte[300_000];
        Random.Shared.NextBytes(large);
        Assert.True((await client.SetAsync("tls:large", large)).Stored);
        Assert.Equal(large, (await client.GetAsync("tls:large")).Value);
    }

    [Fact]
    public async Task A_silent_tls_server_times_requests_out_without_a_socket_check()
    {
        // Over TLS the sweep cannot ask the kernel for unread bytes (SslStream buffers its own): the reader's state decides.
        await using var server = await MemcachedServer.StartUnansweringAsync(Certs.Server.MemcachedArguments());
        var options = Options(server);
        options.OperationTimeout = TimeSpan.FromMilliseconds(300);
        await using var client = new MemcacheClient(options);
        Assert.True((await client.SetAsync("tls:pause", "v")).Stored);
        server.Pause();
        try
        {
            var watch = Stopwatch.StartNew();
            await Assert.ThrowsAsync<MemcacheTimeoutException>(async () => await client.GetAsync("tls:pause"));
            Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2));
        }
        finally
        {
            server.Resume();
        }
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                Assert.Equal("v", (await client.GetAsync("tls:pause")).AsString());
                break;
            }
            catch (MemcacheException) when (deadline.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(20); // the late reply is discarded, or the connection is reset and reopened
            }
        }
    }

    [Fact]
    public async Task A_target_host_override_verifies_a_name_while_connecting_by_ip()
    {
        await using var server = await MemcachedServer.StartUnansweringAsync(Certs.NameOnly.MemcachedArguments());
        var options = Options(server);
        options.Tls.TargetHost = "cache.internal";
        await using var client = new MemcacheClient(options);
        Assert.True((await client.SetAsync("tls:sni", "1")).Stored);
    }

    [Fact]
    public async Task An_unknown_ca_is_refused_as_not_trusted()
    {
        await using var server = await MemcachedServer.StartUnansweringAsync(Certs.UnknownCa.MemcachedArguments());
        await using var client = new MemcacheClient(Options(server));
        var (call, cause, took) = await ConnectFailureAsync(client);
        // The call that waited for the connect gets the connect error; one made after it, the dead server's refusal with it inside.
        Assert.True(call is MemcacheConnectionException or ServerUnavailableException, call.ToString());
        Assert.Contains("certificate not trusted", cause.Message, StringComparison.Ordinal);
        Assert.Contains("Unknown Test CA", cause.Message, StringComparison.Ordinal);
        AssertNamesServerWithin(server, cause, took);
    }

    [Fact]
    public async Task Allowing_untrusted_certificates_accepts_an_unknown_ca()
    {
        await using var server = await MemcachedServer.StartUnansweringAsync(Certs.UnknownCa.MemcachedArguments());
        var options = Options(server);
        options.Tls.AllowUntrustedCertificates = true;
        await using var client = new MemcacheClient(options);
        Assert.True((await client.SetAsync("tls:insecure", "1")).Stored);
    }

    [Fact]
    public async Task A_wrong_host_name_is_a_name_mismatch_naming_both_names()
    {
        await using var server = await MemcachedServer.StartUnansweringAsync(Certs.WrongName.MemcachedArguments());
        await using var client = new MemcacheClient(Options(server));
        var (_, cause, took) = await ConnectFailureAsync(client);
        Assert.Contains("name mismatch: the certificate is for other.example, connected as 127.0.0.1", cause.Message, StringComparison.Ordinal);
        AssertNamesServerWithin(server, cause, took);
    }

    [Fact]
    public async Task An_expired_certificate_says_when_it_expired()
    {
        await using var server = await MemcachedServer.StartUnansweringAsync(Certs.Expired.MemcachedArguments());
        await using var client = new MemcacheClient(Options(server));
        var (_, cause, took) = await ConnectFailureAsync(client);
        Assert.Contains("the certificate expired on", cause.Message, StringComparison.Ordinal);
        AssertNamesServerWithin(server, cause, took);
    }

    [Fact]
    public async Task A_server_requiring_a_client_certificate_accepts_one_and_explains_its_absence()
    {
        var arguments = Certs.Server.MemcachedArguments($"ssl_ca_cert={Certs.CaPath},ssl_verify_mode=2");
        await using var server = await MemcachedServer.StartUnansweringAsync(arguments);

        await using (var without = new MemcacheClient(Options(server)))
        {
            var (_, cause, took) = await ConnectFailureAsync(without);
            Assert.Contains("client certificate", cause.Message, StringComparison.Ordinal);
            AssertNamesServerWithin(server, cause, took);
        }

        var options = Options(server);
        options.Tls.ClientCertificatePath = Certs.Client.CertificatePath;
        options.Tls.ClientKeyPath = Certs.Client.KeyPath;
        await using var with = new MemcacheClient(options);
        Assert.True((await with.SetAsync("tls:mutual", "1")).Stored);
    }

    [Fact]
    public async Task A_plain_client_on_a_tls_port_is_told_the_server_may_require_tls()
    {
        await using var server = await MemcachedServer.StartUnansweringAsync(Certs.Server.MemcachedArguments());
        await using var client = new MemcacheClient(Options(server, tls: false));
        var (_, cause, took) = await ConnectFailureAsync(client);
        Assert.Contains("may require TLS", cause.Message, StringComparison.Ordinal);
        AssertNamesServerWithin(server, cause, took);
    }

    [Fact]
    public async Task A_tls_client_on_a_plain_port_is_told_the_server_may_not_have_tls()
    {
        await using var server = await MemcachedServer.StartAsync();
        await using var client = new MemcacheClient(Options(server));
        var (_, cause, took) = await ConnectFailureAsync(client);
        Assert.Contains("may not have TLS enabled", cause.Message, StringComparison.Ordinal);
        AssertNamesServerWithin(server, cause, took);
    }

    [Fact]
    public async Task A_refused_certificate_is_retried_at_the_dead_server_pace_through_a_custom_stream_factory()
    {
        await using var server = await MemcachedServer.StartUnansweringAsync(Certs.UnknownCa.MemcachedArguments());
        var connects = new ConnectCountingFactory();
        var options = Options(server);
        options.DeadTime = TimeSpan.FromMilliseconds(400);
        options.ConnectionStreamFactory = connects;
        await using var client = new MemcacheClient(options);
        await Task.Delay(TimeSpan.FromMilliseconds(1300));
        // Reconnect backoff alone (10-20 ms, failure limit 100) would make some 60 attempts in this window.
        Assert.InRange(connects.Count, 1, 5);
        var (_, cause, _) = await ConnectFailureAsync(client);
        Assert.Contains("certificate not trusted", cause.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreadable_certificate_files_are_refused_when_the_client_is_created()
    {
        await using var server = await MemcachedServer.StartAsync();
        var options = Options(server);
        options.Tls.CaCertificatesPath = Certs.Server.KeyPath; // a key, not a certificate
        var error = Assert.Throws<ArgumentException>(() => new MemcacheClient(options));
        Assert.Contains("Tls:CaCertificatesPath", error.Message, StringComparison.Ordinal);

        options = Options(server);
        options.Tls.CaCertificatesPath = Path.Combine(Path.GetTempPath(), "no-such-ca.pem");
        error = Assert.Throws<ArgumentException>(() => new MemcacheClient(options));
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }
}
