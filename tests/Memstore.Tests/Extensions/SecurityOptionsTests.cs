using System.Security.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Memstore.Tests.Extensions;

/// <summary>TLS and authentication settings: configuration, the connection string and validation, each mistake named.</summary>
[Trait("Category", "Unit")]
public sealed class SecurityOptionsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("memstore-options-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string File(string name)
    {
        var path = Path.Combine(_directory, name);
        System.IO.File.WriteAllText(path, "x\n");
        return path;
    }

    private static MemcacheClientOptions Bind(string json)
    {
        var services = new ServiceCollection().AddSingleton(OptionsBindingTests.Json(json)).AddMemstore();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsMonitor<MemcacheClientOptions>>().Get(Options.DefaultName);
    }

    private static string Escaped(string path) => path.Replace("\\", "\\\\", StringComparison.Ordinal);

    [Fact]
    public void Configuration_binds_the_tls_section_and_the_credentials()
    {
        var (ca, cert, key, password) = (File("ca.pem"), File("cert.pem"), File("key.pem"), File("password"));
        var options = Bind($$"""
            { "Memstore": { "Servers": "127.0.0.1:11211", "Username": "app", "PasswordFile": "{{Escaped(password)}}",
              "Tls": { "Enabled": true, "CaCertificatesPath": "{{Escaped(ca)}}", "TargetHost": "cache.internal",
                       "ClientCertificatePath": "{{Escaped(cert)}}", "ClientKeyPath": "{{Escaped(key)}}",
                       "EnabledSslProtocols": "Tls13", "AllowUntrustedCertificates": false } } }
            """);
        Assert.True(options.Tls.Enabled);
        Assert.Equal(ca, options.Tls.CaCertificatesPath);
        Assert.Equal("cache.internal", options.Tls.TargetHost);
        Assert.Equal(cert, options.Tls.ClientCertificatePath);
        Assert.Equal(key, options.Tls.ClientKeyPath);
        Assert.Equal(SslProtocols.Tls13, options.Tls.EnabledSslProtocols);
        Assert.Equal("app", options.Username);
        Assert.Equal(password, options.PasswordFile);
    }

    [Fact]
    public void Configuration_mistakes_in_the_tls_section_are_named_by_path()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind("""
            { "Memstore": { "Servers": "127.0.0.1", "Tls": { "Enabled": "yes", "CaFile": "x", "EnabledSslProtocols": "Ssl3" } } }
            """));
        Assert.Contains("Memstore:Tls:Enabled is \"yes\"; expected true or false.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Memstore:Tls:CaFile is not a Memstore setting. Known Tls settings: AllowUntrustedCertificates, CaCertificatesPath", error.Message, StringComparison.Ordinal);
        Assert.Contains("Memstore:Tls:EnabledSslProtocols is \"Ssl3\"", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<OptionsValidationException>(() => Bind("""{ "Memstore": { "Servers": "127.0.0.1", "Tls": "true" } }"""));
        Assert.Contains("Memstore:Tls must be a section (for example Memstore:Tls:Enabled)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_names_the_configuration_path_of_a_missing_file()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind("""
            { "Memstore": { "Servers": "127.0.0.1", "Tls": { "Enabled": true, "CaCertificatesPath": "/no/such/ca.pem" } } }
            """));
        Assert.Contains("Memstore:Tls:CaCertificatesPath names \"/no/such/ca.pem\", which does not exist.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_string_carries_tls_and_credentials_after_the_servers()
    {
        var ca = File("ca.pem");
        var options = MemcacheClientOptions.Parse($"10.0.0.1:11211,10.0.0.2;tls-ca={ca};tls-host=cache.internal;username=app;password=s3cret");
        Assert.Equal(2, options.Servers.Count);
        Assert.True(options.Tls.Enabled); // any tls- setting turns TLS on
        Assert.Equal(ca, options.Tls.CaCertificatesPath);
        Assert.Equal("cache.internal", options.Tls.TargetHost);
        Assert.Equal("app", options.Username);
        Assert.Equal("s3cret", options.Password);
        options.Validate();

        Assert.True(MemcacheClientOptions.Parse("10.0.0.1;tls=true").Tls.Enabled);
        Assert.True(MemcacheClientOptions.Parse("10.0.0.1; TLS-Insecure=true ;").Tls.AllowUntrustedCertificates);
    }

    [Fact]
    public void A_connection_string_mistake_says_what_is_known_and_never_echoes_a_password()
    {
        var error = Assert.Throws<FormatException>(() => MemcacheClientOptions.Parse("10.0.0.1;tls-cafile=x"));
        Assert.Contains("\"tls-cafile\" is not a connection string setting. Known settings: tls, tls-ca, tls-host", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<FormatException>(() => MemcacheClientOptions.Parse("10.0.0.1;tls=maybe"));
        Assert.Contains("\"tls\" is \"maybe\"; expected true or false", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<FormatException>(() => MemcacheClientOptions.Parse("10.0.0.1;passwordhunter2"));
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<FormatException>(() => MemcacheClientOptions.Parse("10.0.0.1;username="));
        Assert.Contains("\"username\" has no value", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "p", null, "Password or PasswordFile is set without Username")]
    [InlineData("app", null, null, "neither Password nor PasswordFile")]
    [InlineData("app", "p", "file", "Password and PasswordFile are both set")]
    [InlineData("a pp", "p", null, "Username must be non-empty, without spaces")]
    [InlineData("app", "p w", null, "Password must be non-empty, without spaces")]
    public void Credentials_are_validated(string? username, string? password, string? passwordFile, string expected)
    {
        var options = MemcacheClientOptions.Parse("127.0.0.1");
        options.Username = username;
        options.Password = password;
        options.PasswordFile = passwordFile is null ? null : File(passwordFile);
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tls_settings_are_validated()
    {
        var options = MemcacheClientOptions.Parse("127.0.0.1;tls=true");
        options.Tls.ClientKeyPath = File("key.pem");
        Assert.Contains("Tls:ClientKeyPath is set without Tls:ClientCertificatePath", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);

        options = MemcacheClientOptions.Parse("127.0.0.1;tls=true");
#pragma warning disable CA5397, SYSLIB0039 // an obsolete version, to see it refused
        options.Tls.EnabledSslProtocols = SslProtocols.Tls11;
#pragma warning restore CA5397, SYSLIB0039
        Assert.Contains("EnabledSslProtocols must be Tls12, Tls13 or both", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);

        options = MemcacheClientOptions.Parse("127.0.0.1");
        options.Tls.CaCertificatesPath = File("ca.pem");
        Assert.Contains("Tls:CaCertificatesPath is set but Tls:Enabled is false", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);

        options = MemcacheClientOptions.Parse("127.0.0.1;tls=true");
        options.Tls.TargetHost = "two words";
        Assert.Contains("Tls:TargetHost \"two words\" is not a host name", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_password_file_is_refused_when_the_client_is_created()
    {
        var options = MemcacheClientOptions.Parse("127.0.0.1");
        options.Username = "app";
        options.PasswordFile = Path.Combine(_directory, "empty");
        System.IO.File.WriteAllText(options.PasswordFile, "");
        var error = Assert.Throws<ArgumentException>(() => new MemcacheClient(options));
        Assert.Contains("is empty: its first line is the password", error.Message, StringComparison.Ordinal);
    }
}
