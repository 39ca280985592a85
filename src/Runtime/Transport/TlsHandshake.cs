using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Memstore.Transport;

/// <summary>
/// The TLS step of a connect: wraps the opened stream in an <see cref="SslStream"/> and authenticates as client
/// (<see cref="MemcacheClientOptions.Tls"/>). Certificates are read once, when the client is created. A failed
/// handshake becomes a <see cref="MemcacheConnectionException"/> that names the server and the cause: the
/// certificate's problem as the check saw it, or what the server did instead of completing the handshake.
/// </summary>
internal sealed class TlsHandshake
{
    private readonly MemcacheTlsOptions _options;
    private readonly X509Certificate2Collection? _trustedRoots;
    private readonly X509Certificate2? _clientCertificate;

    private TlsHandshake(MemcacheTlsOptions options, X509Certificate2Collection? trustedRoots, X509Certificate2? clientCertificate)
    {
        _options = options;
        _trustedRoots = trustedRoots;
        _clientCertificate = clientCertificate;
    }

    /// <summary>The step for validated <paramref name="options"/>, or null when TLS is off. Throws <see cref="ArgumentException"/> for unreadable certificate files.</summary>
    public static TlsHandshake? Create(MemcacheTlsOptions options)
    {
        if (!options.Enabled)
        {
            return null;
        }
        X509Certificate2Collection? roots = null;
        if (options.CaCertificatesPath is { } caPath)
        {
            roots = [];
            try
            {
                roots.ImportFromPemFile(caPath);
            }
            catch (CryptographicException ex)
            {
                throw new ArgumentException($"MemcacheClientOptions.Tls:CaCertificatesPath \"{caPath}\" is not a PEM certificate file: {ex.Message}", nameof(options), ex);
            }
            if (roots.Count == 0)
            {
                throw new ArgumentException($"MemcacheClientOptions.Tls:CaCertificatesPath \"{caPath}\" holds no PEM certificate (-----BEGIN CERTIFICATE-----).", nameof(options));
            }
        }
        var client = options.ClientCertificate;
        if (options.ClientCertificatePath is { } certPath)
        {
            try
            {
                client = X509Certificate2.CreateFromPemFile(certPath, options.ClientKeyPath);
            }
            catch (CryptographicException ex)
            {
                throw new ArgumentException(
                    $"MemcacheClientOptions.Tls:ClientCertificatePath \"{certPath}\" (key: \"{options.ClientKeyPath ?? certPath}\") is not a PEM certificate with its private key: {ex.Message}", nameof(options), ex);
            }
        }
        return new TlsHandshake(options, roots, client);
    }

    /// <summary>
    /// Authenticates as client over <paramref name="stream"/>, which the returned stream then owns. The certificate
    /// must carry <see cref="MemcacheTlsOptions.TargetHost"/> when set, else <paramref name="discoveredName"/> (the
    /// host name auto-discovery gave a server listed by IP), else the server's host.
    /// </summary>
    public async Task<Stream> AuthenticateAsync(Stream stream, ServerAddress server, string? discoveredName, string name, CancellationToken cancellationToken)
    {
        var targetHost = _options.TargetHost ?? discoveredName ?? server.Host;
        var observed = new HandshakeObserver(stream);
        var check = new CertificateCheck(_options);
        var tls = new SslStream(observed, leaveInnerStreamOpen: false);
        var authentication = new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            EnabledSslProtocols = _options.EnabledSslProtocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = check.Validate,
        };
        if (_trustedRoots is not null)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(_trustedRoots);
            authentication.CertificateChainPolicy = policy;
        }
        if (_clientCertificate is not null)
        {
            authentication.ClientCertificates = [_clientCertificate];
            authentication.LocalCertificateSelectionCallback = (_, _, _, _, _) => _clientCertificate;
        }
        try
        {
            await tls.AuthenticateAsClientAsync(authentication, cancellationToken).ConfigureAwait(false);
            return tls;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw Explain(ex, name, targetHost, check, observed);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The message for a handshake that failed within the deadline.</summary>
    private MemcacheConnectionException Explain(Exception ex, string name, string targetHost, CertificateCheck check, HandshakeObserver observed)
    {
        string cause;
        if (check.Rejected is { } rejected)
        {
            cause = rejected.Describe(targetHost);
        }
        else if (observed.FirstByte is { } first && first is not (0x16 or 0x15))
        {
            // Not a TLS record (handshake 0x16, alert 0x15): a plaintext server answering the ClientHello as a command.
            cause = $"the server answered in plaintext (\"{ReplyLineReader.Printable(observed.FirstBytes)}\"), not with a TLS handshake: it may not have TLS enabled (memcached -Z); connect without TLS or to its TLS port";
        }
        else if (observed.FirstByte is null)
        {
            cause = "the server closed the connection without answering the TLS handshake: it may not have TLS enabled (memcached -Z)";
        }
        else
        {
            cause = _clientCertificate is null
                ? "the server closed the TLS handshake: it may require a client certificate (MemcacheClientOptions.Tls.ClientCertificatePath, memstore --tls-cert/--tls-key)"
                : "the server closed the TLS handshake: it may not accept this client's certificate, or no TLS version both offer (EnabledSslProtocols " + _options.EnabledSslProtocols + ")";
        }
        // When the check refused the certificate, .NET's own message only says that a callback did.
        var detail = check.Rejected is null ? $" ({ex.Message})" : "";
        return new MemcacheConnectionException($"TLS handshake with {name} failed: {cause}{detail}.", ex)
        { Server = name, MarksServerDead = true };
    }

    /// <summary>The certificate check: the built-in rules (or the user's callback), and what it found when it said no.</summary>
    private sealed class CertificateCheck(MemcacheTlsOptions options)
    {
        public Rejection? Rejected { get; private set; }

        public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            var accepted = options.RemoteCertificateValidation is { } custom
                ? custom(sender, certificate, chain, errors)
                : errors == SslPolicyErrors.None || options.AllowUntrustedCertificates;
            if (!accepted)
            {
                Rejected = new Rejection(certificate is null ? null : new X509Certificate2(certificate), chain?.ChainStatus ?? [], errors,
                    options.RemoteCertificateValidation is not null);
            }
            return accepted;
        }
    }

    private sealed record Rejection(X509Certificate2? Certificate, X509ChainStatus[] Chain, SslPolicyErrors Errors, bool ByCallback)
    {
        public string Describe(string targetHost)
        {
            if (Certificate is null)
            {
                return "the server sent no certificate";
            }
            var problems = new List<string>();
            if (Errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            {
                problems.Add($"name mismatch: the certificate is for {Names(Certificate)}, connected as {targetHost} "
                    + "(set MemcacheClientOptions.Tls.TargetHost, memstore --tls-host, to a name the certificate carries)");
            }
            var statuses = Chain.Select(static s => s.Status).Where(static s => s != X509ChainStatusFlags.NoError).Distinct().ToList();
            if (statuses.Contains(X509ChainStatusFlags.NotTimeValid))
            {
                var now = DateTime.Now;
                problems.Add(Certificate.NotAfter < now
                    ? $"the certificate expired on {Certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC"
                    : $"the certificate is not valid before {Certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC");
                statuses.Remove(X509ChainStatusFlags.NotTimeValid);
            }
            if (statuses.Count > 0 || (Errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors) && problems.Count == 0))
            {
                problems.Add($"certificate not trusted: {string.Join(", ", statuses)} (issued by \"{Certificate.Issuer}\", which is not a trusted CA; "
                    + "give its CA with MemcacheClientOptions.Tls.CaCertificatesPath, memstore --tls-ca)");
            }
            if (problems.Count == 0)
            {
                problems.Add(ByCallback
                    ? $"the RemoteCertificateValidation callback rejected the certificate of \"{Certificate.Subject}\""
                    : $"the certificate of \"{Certificate.Subject}\" was rejected ({Errors})");
            }
            return string.Join("; ", problems);
        }

        private static string Names(X509Certificate2 certificate)
        {
            var names = new List<string>();
            foreach (var extension in certificate.Extensions)
            {
                if (extension is X509SubjectAlternativeNameExtension san)
                {
                    names.AddRange(san.EnumerateDnsNames());
                    names.AddRange(san.EnumerateIPAddresses().Select(static ip => ip.ToString()));
                }
            }
            if (names.Count == 0)
            {
                names.Add(certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
            }
            return string.Join(", ", names);
        }
    }
}
