using Memstore.Tests.Client;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Cli;

/// <summary>The CLI's TLS and authentication options against real memcached -Z and -Y.</summary>
[Trait("Category", "Memcached")]
public sealed class SecurityCommandTests(CertificatesFixture fixture) : IClassFixture<CertificatesFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("memstore-cli-auth-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private TestCertificates Certs => fixture.Certificates;

    [Fact]
    public async Task Ping_over_tls_exits_0_with_a_trusted_ca_and_1_with_the_reason_for_an_unknown_one()
    {
        await using var trusted = await MemcachedServer.StartUnansweringAsync(Certs.Server.MemcachedArguments());
        var ok = await CliRunner.RunAsync("ping", "--servers", trusted.ConnectionString, "--tls", "--tls-ca", Certs.CaPath);
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.StartsWith($"{trusted.ConnectionString}  version=", ok.Output, StringComparison.Ordinal);

        await using var unknown = await MemcachedServer.StartUnansweringAsync(Certs.UnknownCa.MemcachedArguments());
        var refused = await CliRunner.RunAsync("ping", "--servers", unknown.ConnectionString, "--tls", "--tls-ca", Certs.CaPath, "--timeout", "1000");
        Assert.True(refused.ExitCode == 1, refused.ToString());
        var line = Assert.Single(refused.ErrorLines);
        Assert.StartsWith($"memstore ping: {unknown.ConnectionString}", line, StringComparison.Ordinal);
        Assert.Contains("certificate not trusted", line, StringComparison.Ordinal);
        Assert.Contains("--tls-ca", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_insecure_warns_on_standard_error_and_connects()
    {
        await using var server = await MemcachedServer.StartUnansweringAsync(Certs.UnknownCa.MemcachedArguments());
        var result = await CliRunner.RunAsync("set", "--servers", server.ConnectionString, "--tls-insecure", "cli:insecure", "v");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("warning: --tls-insecure accepts any server certificate", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Username_and_password_file_authenticate_every_command_over_tls()
    {
        var authFile = Path.Combine(_directory, "auth");
        await File.WriteAllTextAsync(authFile, "app:s3cret\n");
        var passwordFile = Path.Combine(_directory, "password");
        await File.WriteAllTextAsync(passwordFile, "s3cret\n");
        await using var server = await MemcachedServer.StartUnansweringAsync([.. Certs.NameOnly.MemcachedArguments(), "-Y", authFile]);
        string[] common = ["--servers", server.ConnectionString, "--tls-ca", Certs.CaPath, "--tls-host", "cache.internal", "--username", "app", "--password-file", passwordFile];

        var set = await CliRunner.RunAsync(["set", .. common, "cli:auth", "hello"]);
        Assert.True(set.ExitCode == 0, set.ToString());
        var get = await CliRunner.RunAsync(["get", .. common, "cli:auth"]);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal("hello", get.Output);
        var stats = await CliRunner.RunAsync(["stats", .. common]);
        Assert.True(stats.ExitCode == 0, stats.ToString());
        // keys dumps on a connection of its own: opened with the same TLS and authentication steps.
        var keys = await CliRunner.RunAsync(["keys", .. common]);
        Assert.True(keys.ExitCode == 0, keys.ToString());
        Assert.StartsWith($"cli:auth\tttl=never\tsize=", keys.Output, StringComparison.Ordinal);
        var mcas = await CliRunner.RunAsync(["mcas", .. common, "cli:auth"]);
        Assert.True(mcas.ExitCode == 0, mcas.ToString());
        Assert.Contains("a plain value (5 bytes", mcas.Output, StringComparison.Ordinal);
        var deque = await CliRunner.RunAsync(["deque", .. common, "cli:auth"]);
        Assert.True(deque.ExitCode == 1, deque.ToString());
        Assert.Contains("does not hold a Memstore deque anchor", deque.Error, StringComparison.Ordinal);

        var wrong = Path.Combine(_directory, "wrong");
        await File.WriteAllTextAsync(wrong, "nope\n");
        var refused = await CliRunner.RunAsync(["get", .. common[..^1], wrong, "cli:auth"]);
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains("refused the credentials of user \"app\"", refused.Error, StringComparison.Ordinal);
        var keysRefused = await CliRunner.RunAsync(["keys", .. common[..^1], wrong]);
        Assert.True(keysRefused.ExitCode == 1, keysRefused.ToString());
        Assert.Empty(keysRefused.Output);
        Assert.Contains("refused the credentials of user \"app\"", Assert.Single(keysRefused.ErrorLines), StringComparison.Ordinal);
        var plain = await CliRunner.RunAsync("keys", "--servers", server.ConnectionString, "--timeout", "1000");
        Assert.True(plain.ExitCode == 1, plain.ToString());
        Assert.Contains("--tls", Assert.Single(plain.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Security_option_mistakes_are_usage_errors()
    {
        var result = await CliRunner.RunAsync("ping", "--servers", "127.0.0.1:1", "--password-file", "x");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--password-file needs --username NAME", result.Error, StringComparison.Ordinal);

        result = await CliRunner.RunAsync("ping", "--servers", "127.0.0.1:1", "--tls-key", "x");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--tls-key needs --tls-cert FILE", result.Error, StringComparison.Ordinal);

        result = await CliRunner.RunAsync("ping", "--servers", "127.0.0.1:1", "--tls-ca", "/no/such/ca.pem");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("\"/no/such/ca.pem\", which does not exist", result.Error, StringComparison.Ordinal);

        result = await CliRunner.RunAsync("ping", "--servers", "127.0.0.1:1", "--tls-ca", Certs.Server.KeyPath);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("holds no PEM certificate", result.Error, StringComparison.Ordinal);

        result = await CliRunner.RunAsync("ping", "--servers", "127.0.0.1:1", "--password", "x");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Unknown option '--password'", result.Error, StringComparison.Ordinal);
    }
}
