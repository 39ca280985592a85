using System.Buffers;
using Memstore.Transport;
using Microsoft.Extensions.Logging;

namespace Memstore.Cluster;

/// <summary>
/// Auto-discovery: asks the configuration endpoint <c>config get cluster</c> every poll interval (sooner after a
/// failure), on a connection of its own opened for each poll (with the client's TLS and authentication settings,
/// as every server connection), and hands a newer version's server list to
/// <see cref="MemcacheClient.UpdateServersAsync"/>. A reply that does not parse, or an endpoint that cannot be
/// reached, is logged and leaves the last good list in place.
/// </summary>
internal sealed class DiscoveryPoller : IAsyncDisposable
{
    private static ReadOnlySpan<byte> Request => "config get cluster\r\n"u8;

    private readonly MemcacheClient _client;
    private readonly AutoDiscoveryOptions _options;
    private readonly ConnectionOpener _opener;
    private readonly TimeSpan _replyTimeout;
    private readonly ILogger _logger;
    private readonly string _endpoint;
    private readonly SemaphoreSlim _polling = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _appliedVersion = -1;

    public DiscoveryPoller(MemcacheClient client, AutoDiscoveryOptions options, ConnectionOpener opener, TimeSpan replyTimeout, ILogger logger)
    {
        _client = client;
        _options = options;
        _opener = opener;
        _replyTimeout = replyTimeout;
        _logger = logger;
        _endpoint = options.Endpoint.ToString();
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The version of the last list applied; -1 before the first good reply.</summary>
    public long AppliedVersion => Interlocked.Read(ref _appliedVersion);

    private async Task RunAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            bool ok;
            try
            {
                ok = await PollAsync(stop).ConfigureAwait(false);
                await Task.Delay(ok ? _options.PollInterval : _options.RetryInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// One poll: true when the endpoint answered with a good reply (applied, or not newer than the list in use);
    /// false when it failed or was ignored (logged, counted, and retried sooner).
    /// </summary>
    public async Task<bool> PollAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        var token = linked.Token;
        await _polling.WaitAsync(token).ConfigureAwait(false);
        try
        {
            ClusterConfigReply? reply;
            string? reason;
            try
            {
                (reply, reason) = await ReadConfigurationAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // Any failure to read the endpoint is logged and retried; the last good list stays.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                MembershipLog.DiscoveryFailed(_logger, _endpoint, _options.RetryInterval.TotalMilliseconds, ex);
                Telemetry.MemstoreInstruments.MembershipEvent(_client.TelemetryName, "discovery_failed");
                return false;
            }
            if (reply is null)
            {
                MembershipLog.DiscoveryIgnored(_logger, _endpoint, reason!, _options.RetryInterval.TotalMilliseconds);
                Telemetry.MemstoreInstruments.MembershipEvent(_client.TelemetryName, "discovery_failed");
                return false;
            }
            var applied = AppliedVersion;
            if (reply.Version <= applied)
            {
                MembershipLog.DiscoveryUnchanged(_logger, _endpoint, reply.Version, applied);
                return true;
            }
            MembershipLog.DiscoveredVersion(_logger, _endpoint, reply.Version, reply.Servers.Length);
            try
            {
                _opener.HostNames.Replace(reply.HostNames); // before the new servers' first connect
                await _client.UpdateServersAsync(reply.Servers, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // The client is being disposed, or the update failed: logged; the next poll tries again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                MembershipLog.DiscoveryFailed(_logger, _endpoint, _options.RetryInterval.TotalMilliseconds, ex);
                Telemetry.MemstoreInstruments.MembershipEvent(_client.TelemetryName, "discovery_failed");
                return false;
            }
            Interlocked.Exchange(ref _appliedVersion, reply.Version);
            return true;
        }
        finally
        {
            _polling.Release();
        }
    }

    /// <summary>Connects, asks, and reads one whole reply (bounded by the connect timeout, then the reply timeout).</summary>
    private async Task<(ClusterConfigReply? Reply, string? Reason)> ReadConfigurationAsync(CancellationToken token)
    {
        var stream = await _opener.OpenForDiscoveryAsync(_options.Endpoint, _endpoint, token).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
            deadline.CancelAfter(_replyTimeout);
            var buffer = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                await stream.WriteAsync(Request.ToArray(), deadline.Token).ConfigureAwait(false);
                await stream.FlushAsync(deadline.Token).ConfigureAwait(false);
                var received = 0;
                while (true)
                {
                    var expected = ClusterConfigReply.ExpectedLength(buffer.AsSpan(0, received));
                    if (expected < 0 || (expected > 0 && received >= expected))
                    {
                        break; // a bad header (Parse says why) or the whole reply
                    }
                    if (received == buffer.Length)
                    {
                        if (buffer.Length >= ClusterConfigReply.MaxLength * 2)
                        {
                            break;
                        }
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, received).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    int read;
                    try
                    {
                        read = await stream.ReadAsync(buffer.AsMemory(received), deadline.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!token.IsCancellationRequested)
                    {
                        throw new TimeoutException($"{_endpoint} did not send a whole reply to config get cluster within {_replyTimeout.TotalMilliseconds:0} ms ({received} byte(s) arrived).");
                    }
                    if (read == 0)
                    {
                        break; // closed early: Parse reports the truncation
                    }
                    received += read;
                }
                var reply = ClusterConfigReply.Parse(buffer.AsSpan(0, received), out var reason);
                return (reply, reason);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
