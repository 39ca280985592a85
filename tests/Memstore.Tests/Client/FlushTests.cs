using System.Text;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Client;

/// <summary>flush_all on a server of its own, so it cannot wipe other tests' items.</summary>
[Trait("Category", "Memcached")]
public sealed class FlushTests
{
    [Fact]
    public async Task Flush_all_invalidates_every_item()
    {
        await using var server = await MemcachedServer.StartAsync();
        await using var client = MemcacheClient.Create(server.ConnectionString);
        await client.SetAsync("a", Encoding.UTF8.GetBytes("1"));
        await client.SetAsync("b", Encoding.UTF8.GetBytes("2"));
        await client.FlushAllAsync();
        var results = await client.GetManyAsync(["a", "b"]);
        Assert.All(results, r => Assert.False(r.Found));
    }
}
