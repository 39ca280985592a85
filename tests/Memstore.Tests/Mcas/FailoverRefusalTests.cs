using Memstore.Collections;
using Memstore.Mcas;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Mcas;

/// <summary>
/// MCAS and deques refuse a client whose failover policy moves keys away from a dead server (Redistribute, like
/// Gutter): a moved key has a second home, and the returning server's older copy would undo committed operations.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class FailoverRefusalTests
{
    [Fact]
    public async Task Mcas_and_deques_refuse_a_redistributing_client_saying_why_and_send_nothing()
    {
        await using var server = await MemcachedServer.StartAsync();
        var options = MemcacheClientOptions.Parse(server.ConnectionString);
        options.Failover = FailoverPolicy.Redistribute;
        await using var client = new MemcacheClient(options);

        var mcas = Assert.Throws<NotSupportedException>(() => new McasClient(client));
        Assert.Contains("Failover = Redistribute", mcas.Message, StringComparison.Ordinal);
        Assert.Contains("one home", mcas.Message, StringComparison.Ordinal);
        Assert.Contains("FailFast", mcas.Message, StringComparison.Ordinal);
        var deque = await Assert.ThrowsAsync<NotSupportedException>(() => MemcacheDeque.CreateAsync(client, "rq").AsTask());
        Assert.Contains("Failover = Redistribute", deque.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<NotSupportedException>(() => ShardedMemcacheDeque.CreateAsync(client, "rq2", 2).AsTask());
        Assert.Throws<NotSupportedException>(() => new TypedDeque<string>(client, "rq3", Serialization.Utf8StringCodec.Instance));

        var stats = await client.GetStatsAsync();
        Assert.Equal("0", stats[server.Address]["curr_items"]); // nothing was written
    }
}
