using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Memstore;

/// <summary>
/// TLS for every connection of a client (memcached started with <c>-Z</c>): <see cref="MemcacheClientOptions.Tls"/>.
/// Off by default. When on, each connection runs a TLS handshake after the TCP connect and before anything else,
/// within <see cref="MemcacheClientOptions.ConnectTimeout"/>, and the server's certificate is checked: it must chain
/// to a trusted root (the system's, or those of <see cref="CaCertificatesPath"/>), be within its validity period,
/// and carry the name the client connected to (<see cref="TargetHost"/>, else the server's host). See docs/security.md.
/// </summary>
public sealed class MemcacheTlsOptions
{
    /// <summary>Whether connections use TLS. Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// A PEM file with the CA certificates that are trusted for the servers' certificates, in place of the
    /// system's roots. Null (the default): the system's trusted roots. Read when the client is created.
    /// </summary>
    public string? CaCertificatesPath { get; set; }

    /// <summary>
    /// Decides whether a server's certificate is accepted, in place of the built-in check (code only). It is
    /// given the errors the built-in check found (already evaluated against <see cref="CaCertificatesPath"/>
    /// when that is set); return true to accept.
    /// </summary>
    public RemoteCertificateValidationCallback? RemoteCertificateValidation { get; set; }

    /// <summary>
    /// The name the server's certificate must carry and the client sends as SNI; null (the default) is the
    /// server's host as configured. Set it when connecting by IP address to a certificate issued for a name.
    /// </summary>
    public string? TargetHost { get; set; }

    /// <summary>
    /// A PEM file with the client certificate presented to servers that ask for one (memcached
    /// <c>-o ssl_verify_mode=2</c>, mutual TLS); its key is in <see cref="ClientKeyPath"/> or in the same file.
    /// Read when the client is created.
    /// </summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>The PEM file with the private key of <see cref="ClientCertificatePath"/>; null when the certificate file holds it.</summary>
    public string? ClientKeyPath { get; set; }

    /// <summary>A client certificate with its private key, given in code instead of <see cref="ClientCertificatePath"/>.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>The TLS versions offered. Default TLS 1.2 and 1.3.</summary>
    public SslProtocols EnabledSslProtocols { get; set; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>
    /// Accept any server certificate: unknown issuer, wrong name, expired. Insecure (anyone between client and
    /// server can read and change the traffic); for tests only. Default false.
    /// </summary>
    public bool AllowUntrustedCertificates { get; set; }

    internal MemcacheTlsOptions Clone() => (MemcacheTlsOptions)MemberwiseClone();

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> saying what is wrong.</summary>
    internal void Validate()
    {
        if (!Enabled)
        {
            // A CA file or client certificate with TLS off is a configuration that would silently not do what it says.
            var given = new[] { (CaCertificatesPath, nameof(CaCertificatesPath)), (TargetHost, nameof(TargetHost)), (ClientCertificatePath, nameof(ClientCertificatePath)), (ClientKeyPath, nameof(ClientKeyPath)) }
                .Where(static s => s.Item1 is not null).Select(static s => s.Item2)
                .Concat(ClientCertificate is null ? [] : [nameof(ClientCertificate)])
                .Concat(AllowUntrustedCertificates ? [nameof(AllowUntrustedCertificates)] : []).ToList();
            if (given.Count > 0)
            {
                throw new ArgumentException($"MemcacheClientOptions.Tls:{given[0]} is set but Tls:Enabled is false: set Tls:Enabled to true to use TLS, or remove the setting.", "Tls");
            }
            return;
        }
        RequireFile(CaCertificatesPath, nameof(CaCertificatesPath));
        RequireFile(ClientCertificatePath, nameof(ClientCertificatePath));
        RequireFile(ClientKeyPath, nameof(ClientKeyPath));
        if (ClientKeyPath is not null && ClientCertificatePath is null)
        {
            throw new ArgumentException("MemcacheClientOptions.Tls:ClientKeyPath is set without Tls:ClientCertificatePath: give the certificate file too.", "Tls");
        }
        if (ClientCertificatePath is not null && ClientCertificate is not null)
        {
            throw new ArgumentException("MemcacheClientOptions.Tls:ClientCertificatePath and Tls:ClientCertificate are both set: give the client certificate one way.", "Tls");
        }
        if (ClientCertificate is { HasPrivateKey: false })
        {
            throw new ArgumentException("MemcacheClientOptions.Tls:ClientCertificate has no private key: a client certificate needs one to authenticate.", "Tls");
        }
        if (TargetHost is not null && (TargetHost.Length == 0 || TargetHost.Any(char.IsWhiteSpace)))
        {
            throw new ArgumentException($"MemcacheClientOptions.Tls:TargetHost \"{TargetHost}\" is not a host name.", "Tls");
        }
        const SslProtocols allowed = SslProtocols.Tls12 | SslProtocols.Tls13;
        if (EnabledSslProtocols == SslProtocols.None || (EnabledSslProtocols & ~allowed) != 0)
        {
            throw new ArgumentException($"MemcacheClientOptions.Tls:EnabledSslProtocols must be Tls12, Tls13 or both; it is {EnabledSslProtocols}.", "Tls");
        }
    }

    private static void RequireFile(string? path, string name)
    {
        if (path is not null && !File.Exists(path))
        {
            throw new ArgumentException($"MemcacheClientOptions.Tls:{name} names \"{path}\", which does not exist.", name);
        }
    }
}
