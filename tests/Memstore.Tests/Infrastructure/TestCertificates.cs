using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Memstore.Tests.Infrastructure;

/// <summary>A certificate and its key as PEM files, for memcached's -o ssl_chain_cert=…,ssl_key=… or the client.</summary>
public sealed record PemPair(string CertificatePath, string KeyPath)
{
    /// <summary>memcached's TLS arguments serving this certificate, plus any extra -o settings.</summary>
    public string[] MemcachedArguments(string extra = "") =>
        ["-Z", "-o", $"ssl_chain_cert={CertificatePath},ssl_key={KeyPath}" + (extra.Length > 0 ? "," + extra : "")];
}

/// <summary>
/// Certificates made at test time with .NET's <see cref="CertificateRequest"/> (ECDSA P-256, fast to make), written
/// as PEM files into a temporary directory that <see cref="Dispose"/> deletes: a trusted CA, a server certificate for
/// localhost / 127.0.0.1, and the variants the failure tests need.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("memstore-certs-").FullName;

    public TestCertificates()
    {
        using var ca = MakeCa("Memstore Test CA");
        using var otherCa = MakeCa("Unknown Test CA");
        CaPath = Write("ca.pem", ca.Certificate, null).CertificatePath;
        var now = DateTimeOffset.UtcNow;
        Server = Issue("server", ca, "localhost", [IPAddress.Loopback], now.AddDays(-1), now.AddDays(1), serverAuth: true);
        WrongName = Issue("wrong-name", ca, "other.example", [], now.AddDays(-1), now.AddDays(1), serverAuth: true);
        NameOnly = Issue("name-only", ca, "cache.internal", [], now.AddDays(-1), now.AddDays(1), serverAuth: true);
        Expired = Issue("expired", ca, "localhost", [IPAddress.Loopback], now.AddDays(-3), now.AddDays(-1), serverAuth: true);
        UnknownCa = Issue("unknown-ca", otherCa, "localhost", [IPAddress.Loopback], now.AddDays(-1), now.AddDays(1), serverAuth: true);
        Client = Issue("client", ca, "memstore-client", [], now.AddDays(-1), now.AddDays(1), serverAuth: false);
    }

    /// <summary>The trusted CA's certificate (PEM).</summary>
    public string CaPath { get; }

    /// <summary>For localhost and 127.0.0.1, issued by the CA.</summary>
    public PemPair Server { get; }

    /// <summary>For other.example only.</summary>
    public PemPair WrongName { get; }

    /// <summary>For cache.internal only (connect by IP with a target host override).</summary>
    public PemPair NameOnly { get; }

    /// <summary>For localhost and 127.0.0.1, expired yesterday.</summary>
    public PemPair Expired { get; }

    /// <summary>For localhost and 127.0.0.1, issued by a CA the client does not know.</summary>
    public PemPair UnknownCa { get; }

    /// <summary>A client certificate issued by the CA (mutual TLS).</summary>
    public PemPair Client { get; }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed record Authority(X509Certificate2 Certificate, ECDsa Key) : IDisposable
    {
        public void Dispose()
        {
            Certificate.Dispose();
            Key.Dispose();
        }
    }

    private static Authority MakeCa(string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return new Authority(request.CreateSelfSigned(now.AddDays(-7), now.AddDays(7)), key);
    }

    private PemPair Issue(string file, Authority ca, string dnsName, IPAddress[] addresses, DateTimeOffset notBefore, DateTimeOffset notAfter, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        foreach (var address in addresses)
        {
            names.AddIpAddress(address);
        }
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca.Certificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var certificate = request.Create(ca.Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(ca.Key), notBefore, notAfter, serial);
        return Write(file + ".pem", certificate, key);
    }

    private PemPair Write(string file, X509Certificate2 certificate, ECDsa? key)
    {
        var certificatePath = Path.Combine(_directory, file);
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
        var keyPath = Path.ChangeExtension(certificatePath, ".key");
        if (key is not null)
        {
            File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        }
        return new PemPair(certificatePath, keyPath);
    }
}
