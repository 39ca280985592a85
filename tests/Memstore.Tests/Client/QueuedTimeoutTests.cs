using System.Text;
using Memstore.Mcas;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Client;

/// <summary>
/// A request that times out while still queued is failed as not sent and never goes out afterwards; one that timed
/// out after it was written is reported as possibly executed. Forced with a <see cref="HoldingProxy"/> in front of real
/// memcached: holding the connection's authentication keeps every request queued in the client, holding one request
/// keeps it in flight.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class QueuedTimeoutTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("memstore-queued-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static MemcacheClientOptions Options(HoldingProxy proxy)
    {
        var options = MemcacheClientOptions.Parse(proxy.ConnectionString);
        options.OperationTimeout = TimeSpan.FromMilliseconds(300);
        options.ConnectTimeout = TimeSpan.FromSeconds(10); // the held handshake must outlast the request, not the connect
        return options;
    }

    private static int SetsSent(HoldingProxy proxy, string key) =>
        proxy.Transcript.Count(part => part.Request && Encoding.ASCII.GetString(part.Bytes).Contains($"ms {key} ", StringComparison.Ordinal));

    private static bool SetWentOut(HoldingProxy proxy, string key) => SetsSent(proxy, key) > 0;

    private static bool IsAuthentication(string line) => line.StartsWith("set memstore-auth ", StringComparison.Ordinal);

    /// <summary>memcached -Y behind a proxy, and a client of it that authenticates on every connect.</summary>
    private async Task<(MemcachedServer Server, HoldingProxy Proxy, MemcacheClientOptions Options)> AuthenticatingAsync()
    {
        var authFile = Path.Combine(_directory, "auth");
        await File.WriteAllTextAsync(authFile, "app:s3cret\n");
        var server = await MemcachedServer.StartUnansweringAsync("-Y", authFile);
        var proxy = HoldingProxy.Start(server);
        var options = Options(proxy);
        options.Username = "app";
        options.Password = "s3cret";
        return (server, proxy, options);
    }

    [Fact]
    public async Task A_request_that_times_out_while_queued_is_not_sent_and_never_goes_out()
    {
        var (server, proxy, options) = await AuthenticatingAsync();
        await using var _ = server;
        await using var __ = proxy;
        var handshake = proxy.HoldNext(IsAuthentication);
        await using var client = new MemcacheClient(options);

        var set = client.SetAsync("queued:k", "v").AsTask();
        await handshake.Reached.WaitAsync(Bound);
        var error = await Assert.ThrowsAsync<MemcacheTimeoutException>(() => set.WaitAsync(Bound));
        Assert.True(error.NotSent, error.Message);
        Assert.Contains("before 'set' of key", error.Message, StringComparison.Ordinal);
        Assert.Contains("was not sent, so the server did not execute it", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.QueuedRequests);
        Assert.Equal(0, error.InFlightRequests);

        // Once the connection is up, the timed-out request is dropped, not written late behind the caller's back.
        handshake.Release();
        Assert.True((await client.SetAsync("queued:after", "w").AsTask().WaitAsync(Bound)).Stored);
        Assert.False((await client.GetAsync("queued:k")).Found);
        Assert.False(SetWentOut(proxy, "queued:k"));
        Assert.True(SetWentOut(proxy, "queued:after"));
    }

    [Fact]
    public async Task A_request_that_times_out_in_flight_is_reported_as_possibly_executed()
    {
        await using var server = await MemcachedServer.StartAsync();
        await using var proxy = HoldingProxy.Start(server);
        await using var client = new MemcacheClient(Options(proxy));
        Assert.True((await client.SetAsync("flight:warm", "x")).Stored); // connected, so the next set goes out at once

        var held = proxy.HoldNext(line => line.StartsWith("ms flight:k ", StringComparison.Ordinal));
        var error = await Assert.ThrowsAsync<MemcacheTimeoutException>(() => client.SetAsync("flight:k", "v").AsTask().WaitAsync(Bound));
        Assert.False(error.NotSent, error.Message);
        Assert.Contains("waiting for 'set' of key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not sent", error.Message, StringComparison.Ordinal);

        // It had gone out: released, the server executes it although the caller was told it timed out. Read past the
        // proxy: the first client's connection is judged silent by now and may be reset.
        held.Release();
        await using var direct = new MemcacheClient(MemcacheClientOptions.Parse(server.ConnectionString));
        var deadline = DateTime.UtcNow + Bound;
        CacheValue read;
        while (!(read = await direct.GetAsync("flight:k")).Found && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.True(SetWentOut(proxy, "flight:k"));
        Assert.Equal("v", read.AsString());
    }

    [Fact]
    public async Task An_mcas_commit_that_times_out_while_queued_fails_with_that_error_not_as_unknown()
    {
        var (server, proxy, options) = await AuthenticatingAsync();
        await using var _ = server;
        await using var __ = proxy;
        options.ReconnectDelay = TimeSpan.FromMilliseconds(10);
        await using var client = new MemcacheClient(options);
        Assert.True((await client.SetAsync("qmcas:1", "a0")).Stored);
        Assert.True((await client.SetAsync("qmcas:2", "b0")).Stored);
        await using var mcas = new McasClient(client);
        var entries = await mcas.GetManyAsync(["qmcas:1", "qmcas:2"]);

        // The connection drops and its reconnection is held in authentication: the commit's descriptor add and
        // markers wait in the client's queue until they time out.
        var handshake = proxy.HoldNext(IsAuthentication);
        proxy.CloseInstead(line => line.Contains("qmcas:drop", StringComparison.Ordinal)).Release();
        await Assert.ThrowsAnyAsync<MemcacheException>(() => client.GetAsync("qmcas:drop").AsTask().WaitAsync(Bound));
        await handshake.Reached.WaitAsync(Bound);

        var failure = await Assert.ThrowsAsync<MemcacheTimeoutException>(() => mcas.CompareAndSwapAsync(
            [McasUpdate.Set(entries[0], Encoding.UTF8.GetBytes("a1")), McasUpdate.Set(entries[1], Encoding.UTF8.GetBytes("b1"))]).AsTask().WaitAsync(Bound));
        Assert.True(failure.NotSent, failure.Message);

        handshake.Release();
        var after = await mcas.GetManyAsync(["qmcas:1", "qmcas:2"]).AsTask().WaitAsync(Bound);
        Assert.Equal(["a0", "b0"], after.Select(e => Encoding.UTF8.GetString(e.Value!)));
        Assert.Equal(1, SetsSent(proxy, "qmcas:1"));                 // the seeding only: no marker ever went out
        Assert.Equal("a0", (await client.GetAsync("qmcas:1")).AsString());
    }
}
