using System.CommandLine;

namespace Memstore.Cli.Options;

/// <summary>
/// The TLS and authentication options every connecting command takes (<c>--tls</c>, <c>--tls-ca FILE</c>,
/// <c>--tls-host NAME</c>, <c>--tls-cert FILE --tls-key FILE</c>, <c>--tls-insecure</c>, <c>--username NAME</c>,
/// <c>--password-file FILE</c>) and how they set <see cref="MemcacheClientOptions"/>. A password is never an argument
/// (other users of the machine can read a process's command line): it comes from a file or MEMSTORE_PASSWORD.
/// </summary>
internal sealed class SecurityOptions
{
    /// <summary>The environment variable read for the password when <c>--username</c> is given without <c>--password-file</c>.</summary>
    public const string PasswordVariable = "MEMSTORE_PASSWORD";

    private readonly Option<bool> _tls = OptionFactory.Flag("--tls", null, "connect with TLS (memcached -Z); any --tls-* option turns it on");
    private readonly Option<string> _tlsCa = OptionFactory.Text("--tls-ca", null, "FILE", "trust the CA certificates in this PEM file instead of the system's");
    private readonly Option<string> _tlsHost = OptionFactory.Text("--tls-host", null, "NAME", "the name the server certificate must carry (default: the server's host)");
    private readonly Option<string> _tlsCert = OptionFactory.Text("--tls-cert", null, "FILE", "client certificate (PEM), for servers that require one");
    private readonly Option<string> _tlsKey = OptionFactory.Text("--tls-key", null, "FILE", "the client certificate's private key (PEM), if not in --tls-cert");
    private readonly Option<bool> _tlsInsecure = OptionFactory.Flag("--tls-insecure", null, "accept any server certificate (insecure: for tests only)");
    private readonly Option<string> _username = OptionFactory.Text(
        "--username", null, "NAME", $"authenticate (memcached -Y); the password from --password-file or the {PasswordVariable} environment variable");
    private readonly Option<string> _passwordFile = OptionFactory.Text("--password-file", null, "FILE", "file whose first line is the password");

    /// <summary>The options that turn TLS on.</summary>
    private Option[] TlsOptions => [_tls, _tlsCa, _tlsHost, _tlsCert, _tlsKey, _tlsInsecure];

    /// <summary>Adds the options, and the checks between them, to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option option in (Option[])[.. TlsOptions, _username, _passwordFile])
        {
            command.Add(option);
        }

        command.Validators.Add(result =>
        {
            if (result.IsGiven(_tlsKey) && !result.IsGiven(_tlsCert))
            {
                result.AddError("--tls-key needs --tls-cert FILE, the certificate it belongs to.");
            }
            else if (result.IsGiven(_passwordFile) && !result.IsGiven(_username))
            {
                result.AddError("--password-file needs --username NAME.");
            }
            else if (result.IsGiven(_username) && !result.IsGiven(_passwordFile)
                && Environment.GetEnvironmentVariable(PasswordVariable) is not { Length: > 0 })
            {
                result.AddError($"--username needs a password: --password-file FILE, or the {PasswordVariable} environment variable.");
            }
        });
    }

    /// <summary>Applies the options to <paramref name="options"/>; warns on <paramref name="warnings"/> about --tls-insecure.</summary>
    public void Apply(ParseResult parsed, MemcacheClientOptions options, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(warnings);
        var tls = options.Tls;
        tls.Enabled = TlsOptions.Any(o => parsed.GetResult(o) is { Implicit: false });
        tls.CaCertificatesPath = parsed.GetValue(_tlsCa);
        tls.TargetHost = parsed.GetValue(_tlsHost);
        tls.ClientCertificatePath = parsed.GetValue(_tlsCert);
        tls.ClientKeyPath = parsed.GetValue(_tlsKey);
        tls.AllowUntrustedCertificates = parsed.GetValue(_tlsInsecure);
        if (tls.AllowUntrustedCertificates)
        {
            warnings.WriteLine("memstore: warning: --tls-insecure accepts any server certificate; the connection can be read and changed by anyone in between.");
        }

        options.Username = parsed.GetValue(_username);
        options.PasswordFile = parsed.GetValue(_passwordFile);
        if (options.Username is not null && options.PasswordFile is null)
        {
            // The validator made sure it is there.
            options.Password = Environment.GetEnvironmentVariable(PasswordVariable);
        }
    }

    /// <summary>Copies what <see cref="Apply"/> set from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static void Copy(MemcacheClientOptions from, MemcacheClientOptions to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        to.Username = from.Username;
        to.Password = from.Password;
        to.PasswordFile = from.PasswordFile;
        to.Tls.Enabled = from.Tls.Enabled;
        to.Tls.CaCertificatesPath = from.Tls.CaCertificatesPath;
        to.Tls.TargetHost = from.Tls.TargetHost;
        to.Tls.ClientCertificatePath = from.Tls.ClientCertificatePath;
        to.Tls.ClientKeyPath = from.Tls.ClientKeyPath;
        to.Tls.AllowUntrustedCertificates = from.Tls.AllowUntrustedCertificates;
    }
}
