using System.Text;
using Memstore.Tests.Faults;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Batches;

/// <summary>A quiet wave whose server stops answering, or whose connection breaks: every key not confirmed is reported.</summary>
[Trait("Category", "Memcached")]
public sealed class QuietFaultTests
{
    [Theory]
    [InlineData(FaultMode.Stall)]
    [InlineData(FaultMode.CloseAfterBytes)]
    public async Task A_quiet_wave_that_is_never_acknowledged_reports_every_key_of_it(FaultMode fault)
    {
        await using var server = await MemcachedServer.StartAsync();
        await using var proxy = FaultProxy.Start(server.Port);
        var options = new MemcacheClientOptions
        {
            OperationTimeout = TimeSpan.FromMilliseconds(500),
            StallTimeout = TimeSpan.FromSeconds(5),
            ReconnectDelay = TimeSpan.FromMilliseconds(10),
        };
        options.Servers.Add(proxy.Address);
        await using var client = new MemcacheClient(options);
        var failures = new WriteFailureRecorder(client);
        await client.PingAsync(); // the probe passes the proxy unharmed; the fault hits the wave
        var items = Enumerable.Range(0, 50).Select(i => new BatchSetItem($"qf:{i}", Encoding.UTF8.GetBytes("v"))).ToArray();
        proxy.Set(fault, closeAfterBytes: 1); // CloseAfterBytes: the connection breaks inside the wave's MN

        var failed = await client.SetManyQuietAsync(items);

        Assert.Equal(items.Length, failed);
        var events = await failures.WaitForAsync(items.Length);
        Assert.Equal(items.Select(i => i.Key), events.Select(e => e.Key));
        Assert.All(events, e => Assert.True(e.IsCertain && e.Server == proxy.Address));
        // A stall can only end in the timeout. A close is a connection error, unless the proxy itself (a pool work item
        // of this test host) gets no thread for the 500 ms timeout on a busy machine: then the server is silent as far
        // as the client can tell, and the timeout is the right report. Either way every key is reported, which is the
        // point. (A close that did arrive in time is never taken for silence: PoolStarvationTests.)
        Assert.All(events, e => Assert.True(
            fault == FaultMode.Stall
                ? e.Error is MemcacheTimeoutException
                : e.Error is MemcacheConnectionException or MemcacheProtocolException or MemcacheTimeoutException,
            e.Error.GetType().Name));
    }
}
