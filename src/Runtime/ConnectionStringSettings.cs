namespace Memstore;

/// <summary>
/// The <c>;name=value</c> settings a connection string may carry after its server list
/// (<see cref="MemcacheClientOptions.Parse"/>): the one list of their names and what each sets.
/// </summary>
internal static class ConnectionStringSettings
{
    private static readonly (string Name, Action<MemcacheClientOptions, string> Apply)[] Known =
    [
        ("tls", static (o, v) => o.Tls.Enabled = Flag("tls", v)),
        ("tls-ca", static (o, v) => Tls(o).CaCertificatesPath = v),
        ("tls-host", static (o, v) => Tls(o).TargetHost = v),
        ("tls-cert", static (o, v) => Tls(o).ClientCertificatePath = v),
        ("tls-key", static (o, v) => Tls(o).ClientKeyPath = v),
        ("tls-insecure", static (o, v) => Tls(o).AllowUntrustedCertificates = Flag("tls-insecure", v)),
        ("username", static (o, v) => o.Username = v),
        ("password", static (o, v) => o.Password = v),
        ("password-file", static (o, v) => o.PasswordFile = v),
    ];

    /// <summary>Applies one <c>name=value</c> setting.</summary>
    /// <exception cref="FormatException">The setting is malformed or unknown.</exception>
    public static void Apply(MemcacheClientOptions options, string setting)
    {
        var equals = setting.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new FormatException($"Connection string setting \"{Shown(setting)}\" is not name=value. Known settings: {Names}.");
        }
        var name = setting[..equals].Trim();
        var value = setting[(equals + 1)..].Trim();
        var known = Array.Find(Known, k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase));
        if (known.Apply is null)
        {
            throw new FormatException($"\"{name}\" is not a connection string setting. Known settings: {Names}.");
        }
        if (value.Length == 0)
        {
            throw new FormatException($"Connection string setting \"{name}\" has no value.");
        }
        known.Apply(options, value);
    }

    private static string Names => string.Join(", ", Known.Select(static k => k.Name));

    // A password is never echoed in an error.
    private static string Shown(string setting) =>
        setting.StartsWith("password", StringComparison.OrdinalIgnoreCase) ? "password…" : setting;

    /// <summary>Any tls- setting turns TLS on: naming a CA file for a plaintext connection makes no sense.</summary>
    private static MemcacheTlsOptions Tls(MemcacheClientOptions options)
    {
        options.Tls.Enabled = true;
        return options.Tls;
    }

    private static bool Flag(string name, string value) => bool.TryParse(value, out var flag)
        ? flag
        : throw new FormatException($"Connection string setting \"{name}\" is \"{value}\"; expected true or false.");
}
