namespace Memstore.Cli.Commands;

/// <summary>
/// The TLS and authentication options every server command takes (<c>--tls</c>, <c>--tls-ca FILE</c>,
/// <c>--tls-host NAME</c>, <c>--tls-cert FILE --tls-key FILE</c>, <c>--tls-insecure</c>, <c>--username NAME</c>,
/// <c>--password-file FILE</c>) and how they set <see cref="MemcacheClientOptions"/>. A password is never an argument
/// (other users of the machine can read a process's command line): it comes from a file or MEMSTORE_PASSWORD.
/// </summary>
internal static class SecurityOptions
{
    /// <summary>The environment variable read for the password when <c>--username</c> is given without <c>--password-file</c>.</summary>
    public const string PasswordVariable = "MEMSTORE_PASSWORD";

    /// <summary>Help lines for these options, for a command's usage text.</summary>
    public const string UsageLines =
        "      --tls                  connect with TLS (memcached -Z); any --tls-* option turns it on\n"
        + "      --tls-ca FILE          trust the CA certificates in this PEM file instead of the system's\n"
        + "      --tls-host NAME        the name the server certificate must carry (default: the server's host)\n"
        + "      --tls-cert FILE        client certificate (PEM), for servers that require one\n"
        + "      --tls-key FILE         the client certificate's private key (PEM), if not in --tls-cert\n"
        + "      --tls-insecure         accept any server certificate (insecure: for tests only)\n"
        + "      --username NAME        authenticate (memcached -Y); password from --password-file or\n"
        + "                             the MEMSTORE_PASSWORD environment variable\n"
        + "      --password-file FILE   file whose first line is the password\n";

    public static readonly OptionSpec Tls = new("--tls", null, null);
    public static readonly OptionSpec TlsCa = new("--tls-ca", null, "FILE");
    public static readonly OptionSpec TlsHost = new("--tls-host", null, "NAME");
    public static readonly OptionSpec TlsCert = new("--tls-cert", null, "FILE");
    public static readonly OptionSpec TlsKey = new("--tls-key", null, "FILE");
    public static readonly OptionSpec TlsInsecure = new("--tls-insecure", null, null);
    public static readonly OptionSpec Username = new("--username", null, "NAME");
    public static readonly OptionSpec PasswordFile = new("--password-file", null, "FILE");

    /// <summary>The options that turn TLS on.</summary>
    private static readonly OptionSpec[] TlsOptions = [Tls, TlsCa, TlsHost, TlsCert, TlsKey, TlsInsecure];

    /// <summary>All of them, for a command's option list.</summary>
    public static readonly OptionSpec[] All = [.. TlsOptions, Username, PasswordFile];

    /// <summary>Applies the options to <paramref name="options"/>; warns on <paramref name="warnings"/> about --tls-insecure.</summary>
    public static void Apply(ParsedArguments parsed, MemcacheClientOptions options, TextWriter warnings)
    {
        var tls = options.Tls;
        tls.Enabled = TlsOptions.Any(o => parsed.Has(o.Name));
        tls.CaCertificatesPath = parsed.Value(TlsCa.Name);
        tls.TargetHost = parsed.Value(TlsHost.Name);
        tls.ClientCertificatePath = parsed.Value(TlsCert.Name);
        tls.ClientKeyPath = parsed.Value(TlsKey.Name);
        tls.AllowUntrustedCertificates = parsed.Has(TlsInsecure.Name);
        if (tls.AllowUntrustedCertificates)
        {
            warnings.WriteLine("memstore: warning: --tls-insecure accepts any server certificate; the connection can be read and changed by anyone in between.");
        }
        if (parsed.Has(TlsKey.Name) && !parsed.Has(TlsCert.Name))
        {
            throw new UsageException("--tls-key needs --tls-cert FILE, the certificate it belongs to.");
        }

        options.Username = parsed.Value(Username.Name);
        options.PasswordFile = parsed.Value(PasswordFile.Name);
        if (options.PasswordFile is not null && options.Username is null)
        {
            throw new UsageException("--password-file needs --username NAME.");
        }
        if (options.Username is not null && options.PasswordFile is null)
        {
            options.Password = Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } password
                ? password
                : throw new UsageException($"--username needs a password: --password-file FILE, or the {PasswordVariable} environment variable.");
        }
    }

    /// <summary>Copies what <see cref="Apply"/> set from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static void Copy(MemcacheClientOptions from, MemcacheClientOptions to)
    {
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
