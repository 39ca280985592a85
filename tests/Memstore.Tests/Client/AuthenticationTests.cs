using System.Diagnostics;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Client;

/// <summary>
/// memcached's ASCII authentication against real memcached -Y: the right credentials work on every connect and
/// reconnect, a wrong password is a <see cref="MemcacheAuthenticationException"/> naming the server and retried at the
/// dead-server pace, and a server without -Y never receives the credentials.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class AuthenticationTests(CertificatesFixture fixture) : IClassFixture<CertificatesFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("memstore-auth-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<string> AuthFileAsync()
    {
        var file = Path.Combine(_directory, "auth");
        await File.WriteAllTextAsync(file, "app:s3cret\nother:x\n");
        return file;
    }

    private static MemcacheClientOptions Options(MemcachedServer server, string password)
    {
        var options = MemcacheClientOptions.Parse(server.ConnectionString);
        options.Username = "app";
        options.Password = password;
        options.ConnectTimeout = TimeSpan.FromSeconds(1);
        options.ServerFailureLimit = 100; // only a refusal marks the server dead at once
        options.ReconnectDelay = TimeSpan.FromMilliseconds(10);
        options.MaxReconnectDelay = TimeSpan.FromMilliseconds(20);
        return options;
    }

    [Fact]
    public async Task The_right_password_authenticates_every_connect_and_reconnect()
    {
        await using var server = await MemcachedServer.StartUnansweringAsync("-Y", await AuthFileAsync());
        await using var client = new MemcacheClient(Options(server, "s3cret"));
        Assert.True((await client.SetAsync("auth:k", "v1")).Stored);

        await server.KillAsync();
        await server.RestartAsync();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                Assert.Equal("v2", (await client.SetAsync("auth:k", "v2")).Stored ? (await client.GetAsync("auth:k")).AsString() : null);
                break;
            }
            catch (MemcacheException) when (deadline.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(20); // reconnecting
            }
        }
    }

    [Fact]
    public async Task A_password_file_gives_the_password_from_its_first_line()
    {
        await using var server = await MemcachedServer.StartUnansweringAsync("-Y", await AuthFileAsync());
        var passwordFile = Path.Combine(_directory, "password");
        await File.WriteAllTextAsync(passwordFile, "s3cret\nignored\n");
        var options = Options(server, "unused");
        options.Password = null;
        options.PasswordFile = passwordFile;
        await using var client = new MemcacheClient(options);
        Assert.True((await client.SetAsync("auth:file", "v")).Stored);
    }

    [Fact]
    public async Task A_wrong_password_is_an_authentication_error_retried_at_the_dead_server_pace()
    {
        await using var server = await MemcachedServer.StartUnansweringAsync("-Y", await AuthFileAsync());
        var connects = new ConnectCountingFactory();
        var options = Options(server, "wrong");
        options.DeadTime = TimeSpan.FromMilliseconds(400);
        options.ConnectionStreamFactory = connects;
        await using var client = new MemcacheClient(options);

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAnyAsync<MemcacheException>(async () => await client.GetAsync("auth:k"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed.TotalMilliseconds:0} ms");
        // The call that waited for the connect gets the refusal; one made after it, the dead server's refusal with it inside.
        Assert.True(error is MemcacheAuthenticationException or ServerUnavailableException, error.ToString());
        Assert.Equal(server.Address.ToString(), error.Server);
        var cause = Assert.IsType<MemcacheAuthenticationException>(error.InnerException);
        Assert.Contains($"{server.Address} refused the credentials of user \"app\"", cause.Message, StringComparison.Ordinal);
        Assert.Contains("CLIENT_ERROR authentication failure", cause.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", cause.Message, StringComparison.Ordinal); // the password is never shown

        await Task.Delay(TimeSpan.FromMilliseconds(1300));
        // Reconnect backoff alone (10-20 ms, failure limit 100) would make some 60 attempts in this window.
        Assert.InRange(connects.Count, 1, 6);
        Assert.False(client.ServerHealth[server.Address]);
    }

    [Fact]
    public async Task A_server_without_authentication_never_receives_the_credentials()
    {
        await using var server = await MemcachedServer.StartAsync();
        await using var client = new MemcacheClient(Options(server, "s3cret"));
        Assert.True((await client.SetAsync("auth:plain", "v")).Stored);
        Assert.Equal("END\r\n", await server.RawAsync("get memstore-auth\r\n"));
    }

    [Fact]
    public async Task Authentication_runs_inside_tls()
    {
        var certs = fixture.Certificates;
        await using var server = await MemcachedServer.StartUnansweringAsync([.. certs.Server.MemcachedArguments(), "-Y", await AuthFileAsync()]);
        var options = Options(server, "s3cret");
        options.Tls.Enabled = true;
        options.Tls.CaCertificatesPath = certs.CaPath;
        await using var client = new MemcacheClient(options);
        Assert.True((await client.SetAsync("auth:tls", "v")).Stored);
        Assert.Equal("v", (await client.GetAsync("auth:tls")).AsString());
    }
}
