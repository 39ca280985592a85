using System.Diagnostics;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Client;

/// <summary>
/// A server that refuses the connect probe is named with what it answered and what to configure, not
/// "is it a memcached server?". Real memcached with TLS (-Z) and ASCII authentication (-Y).
/// </summary>
[Trait("Category", "Memcached")]
public sealed class ProbeErrorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("memstore-probe-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static MemcacheClientOptions Options(MemcachedServer server)
    {
        var options = MemcacheClientOptions.Parse(server.ConnectionString);
        options.ServerFailureLimit = 100; // stays "unreachable" with its connect error, not marked dead
        options.ReconnectDelay = TimeSpan.FromSeconds(10);
        options.MaxReconnectDelay = TimeSpan.FromSeconds(10);
        options.ConnectTimeout = TimeSpan.FromSeconds(2);
        return options;
    }

    /// <summary>The connect error as callers see it: the first call fails with it.</summary>
    /// <remarks>
    /// Both failures mark the server dead at once, so a call made after the connect failed gets the dead server's
    /// <see cref="ServerUnavailableException"/>, with the same connect error inside.
    /// </remarks>
    private static async Task<MemcacheException> ConnectErrorAsync<T>(MemcacheClient client)
        where T : MemcacheException
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var error = await Record.ExceptionAsync(async () => await client.GetAsync("k"));
            if (error is MemcacheException { InnerException: not null } || deadline.Elapsed > TimeSpan.FromSeconds(5))
            {
                Assert.True(error is T or ServerUnavailableException, error?.ToString());
                return (MemcacheException)error!;
            }
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task An_authenticating_server_is_named_with_its_answer_and_the_setting()
    {
        var authFile = Path.Combine(_directory, "auth");
        await File.WriteAllTextAsync(authFile, "user:password\n");
        await using var server = await MemcachedServer.StartUnansweringAsync("-Y", authFile);
        await using var client = new MemcacheClient(Options(server));
        var error = await ConnectErrorAsync<MemcacheAuthenticationException>(client);
        var cause = Assert.IsType<MemcacheAuthenticationException>(error.InnerException);
        Assert.Contains("CLIENT_ERROR unauthenticated", cause.Message, StringComparison.Ordinal);
        Assert.Contains("-Y", cause.Message, StringComparison.Ordinal);
        Assert.Contains("Username", cause.Message, StringComparison.Ordinal);
        Assert.Contains(server.Address.ToString(), cause.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("is it a memcached server", cause.Message, StringComparison.Ordinal);
        Assert.Contains("CLIENT_ERROR unauthenticated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tls_port_is_named_as_one()
    {
        var cert = Path.Combine(_directory, "cert.pem");
        var key = Path.Combine(_directory, "key.pem");
        var openssl = Process.Start(new ProcessStartInfo("openssl",
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        await openssl.WaitForExitAsync();
        Assert.Equal(0, openssl.ExitCode);
        await using var server = await MemcachedServer.StartUnansweringAsync("-Z", "-o", $"ssl_chain_cert={cert},ssl_key={key}");
        await using var client = new MemcacheClient(Options(server));
        var error = await ConnectErrorAsync<MemcacheConnectionException>(client);
        var cause = Assert.IsType<MemcacheConnectionException>(error.InnerException);
        Assert.Contains("may require TLS", cause.Message, StringComparison.Ordinal);
        Assert.Contains("-Z", cause.Message, StringComparison.Ordinal);
        Assert.Contains("Tls.Enabled", cause.Message, StringComparison.Ordinal);
        Assert.Contains(server.Address.ToString(), cause.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("is it a memcached server", cause.Message, StringComparison.Ordinal);
    }
}
