using System.Diagnostics;

namespace Memstore.Transport;

/// <summary>
/// How a connection is opened, step by step, all within <see cref="MemcacheClientOptions.ConnectTimeout"/>: the
/// stream from the <see cref="IConnectionStreamFactory"/> (plain TCP unless configured), the TLS handshake when
/// <see cref="MemcacheClientOptions.Tls"/> is on, memcached's ASCII authentication when a
/// <see cref="MemcacheClientOptions.Username"/> is set, then the no-op probe. One per client: certificates and
/// the password file are read once, when it is made. A factory of your own composes with TLS and authentication.
/// </summary>
internal sealed class ConnectionOpener
{
    private readonly IConnectionStreamFactory _streams;
    private readonly TlsHandshake? _tls;
    private readonly AsciiAuthentication? _authentication;
    private readonly TimeSpan _timeout;

    private ConnectionOpener(IConnectionStreamFactory streams, TlsHandshake? tls, AsciiAuthentication? authentication, TimeSpan timeout)
    {
        _streams = streams;
        _tls = tls;
        _authentication = authentication;
        _timeout = timeout;
    }

    /// <summary>Names to verify discovered servers' certificates against (see <see cref="DiscoveredHostNames"/>).</summary>
    public DiscoveredHostNames HostNames { get; } = new();

    /// <summary>The steps <paramref name="options"/> (validated) ask for. Throws <see cref="ArgumentException"/> for unreadable files.</summary>
    public static ConnectionOpener Create(MemcacheClientOptions options) => new(
        options.ConnectionStreamFactory ?? TcpConnectionStreamFactory.Instance,
        TlsHandshake.Create(options.Tls),
        AsciiAuthentication.Create(options),
        options.ConnectTimeout);

    /// <summary>Plain TCP and the probe only (tests that build a connection by hand).</summary>
    public static ConnectionOpener Plain(IConnectionStreamFactory streams, TimeSpan timeout) => new(streams, null, null, timeout);

    /// <summary>
    /// Opens a stream to <paramref name="server"/> and runs every step on it; returns the stream, ready for a
    /// session, and what the probe learned. Disposes the stream when a step fails.
    /// </summary>
    public async Task<(Stream Stream, ServerSettings Settings)> OpenAsync(ServerAddress server, string name, CancellationToken shutdown)
    {
        var (stream, settings) = await RunStepsAsync(server, name, probe: true, shutdown).ConfigureAwait(false);
        return (stream, settings!);
    }

    /// <summary>
    /// Opens a stream to an auto-discovery configuration endpoint with the same steps as a server connection
    /// except the probe: TLS when configured (a TLS cluster's configuration endpoint speaks TLS too), then
    /// authentication when configured (the endpoint is a cluster node). All within the connect timeout.
    /// </summary>
    public async Task<Stream> OpenForDiscoveryAsync(ServerAddress endpoint, string name, CancellationToken cancellationToken) =>
        (await RunStepsAsync(endpoint, name, probe: false, cancellationToken).ConfigureAwait(false)).Stream;

    private async Task<(Stream Stream, ServerSettings? Settings)> RunStepsAsync(ServerAddress server, string name, bool probe, CancellationToken shutdown)
    {
        var started = Stopwatch.GetTimestamp();
        var stream = await _streams.ConnectAsync(server, _timeout, shutdown).ConfigureAwait(false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        var left = _timeout - Stopwatch.GetElapsedTime(started);
        deadline.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1));
        var step = Step.Tls;
        try
        {
            if (_tls is not null)
            {
                // A discovered server is checked against the name discovery gave it; the endpoint by its own name.
                var discoveredName = probe ? HostNames.For(server) : null;
                stream = await _tls.AuthenticateAsync(stream, server, discoveredName, name, deadline.Token).ConfigureAwait(false);
            }
            step = Step.Authentication;
            if (_authentication is not null)
            {
                await _authentication.RunAsync(stream, name, deadline.Token).ConfigureAwait(false);
            }
            if (!probe)
            {
                return (stream, null);
            }
            step = Step.Probe;
            var settings = await ServerProbe.RunAsync(stream, name, _tls is not null, deadline.Token).ConfigureAwait(false);
            return (stream, settings);
        }
        catch (OperationCanceledException) when (!shutdown.IsCancellationRequested)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw TimedOut(name, step);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The step a connect was at, for the timeout message.</summary>
    private enum Step
    {
        Tls,
        Authentication,
        Probe,
    }

    private TimeoutException TimedOut(string name, Step step)
    {
        var ms = $"{_timeout.TotalMilliseconds:0} ms";
        return new TimeoutException(step switch
        {
            Step.Tls => $"{name} accepted the connection but did not answer the TLS handshake within {ms}: it may not have TLS enabled (memcached -Z); connect without TLS or to its TLS port.",
            Step.Authentication => $"{name} accepted the connection but did not answer the authentication exchange within {ms}.",
            _ when _tls is null => $"{name} accepted the connection but did not answer a no-op probe within {ms}. If it is a TLS port (memcached -Z), set MemcacheClientOptions.Tls.Enabled (memstore --tls).",
            _ => $"{name} accepted the connection but did not answer a no-op probe within {ms}.",
        });
    }
}
