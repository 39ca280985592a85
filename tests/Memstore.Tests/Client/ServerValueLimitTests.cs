using System.Text;
using Memstore.Tests.Infrastructure;

// Calls expected to throw before returning are discarded with _ =: there is no ValueTask to await.
#pragma warning disable CA2012

namespace Memstore.Tests.Client;

/// <summary>
/// Values are checked against what the server can really store: its item_size_max (memcached -I, learnt
/// from <c>stats settings</c> when the connection is opened) less 59 bytes of per-item overhead (with CAS)
/// and the key. Checked against the server itself at the exact boundary.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class ServerValueLimitTests
{
    private const int Overhead = 59;

    private static async Task<string> RawStoreAsync(MemcachedServer server, string key, int length) =>
        await server.RawAsync($"ms {key} {length} T0\r\n{new string('x', length)}\r\n", TimeSpan.FromMilliseconds(500));

    private static async Task CheckBoundary(MemcachedServer server, MemcacheClient client, int itemSizeMax)
    {
        await client.PingAsync(); // the probe has run: the server's limit is known
        var key = TestKeys.Unique("vl");
        var limit = itemSizeMax - Overhead - Encoding.UTF8.GetByteCount(key);

        // The server agrees with the computed limit: exactly the limit is stored, one byte more is not.
        Assert.StartsWith("HD", await RawStoreAsync(server, key + "r", limit - 1), StringComparison.Ordinal);
        Assert.StartsWith("SERVER_ERROR object too large", await RawStoreAsync(server, key + "r", limit), StringComparison.Ordinal);

        Assert.True((await client.SetAsync(key, new byte[limit])).Stored);
        Assert.Equal(limit, (await client.GetAsync(key)).Value!.Length);
        await client.DeleteAsync(key);

        var error = Assert.Throws<ValueTooLargeException>(() => { _ = client.SetAsync(key, new byte[limit + 1]); });
        Assert.Equal(limit + 1, error.Length);
        Assert.Equal(limit, error.Limit);
        Assert.Contains(server.Address.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains($"item_size_max of {itemSizeMax} bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was sent", error.Message, StringComparison.Ordinal);
        Assert.Throws<ValueTooLargeException>(() => { _ = client.StoreAsync(StoreMode.Set, Encoding.UTF8.GetBytes(key), new byte[limit + 1]); });
        Assert.False((await client.GetAsync(key)).Found);
    }

    [Fact]
    public async Task A_default_server_refuses_before_sending_the_values_it_could_not_store()
    {
        await using var server = await MemcachedServer.StartAsync();
        await using var client = MemcacheClient.Create(server.ConnectionString);
        await CheckBoundary(server, client, 1024 * 1024);
        // The range of the report: under MaxValueSize (1 MiB) but more than a -I 1m server can hold.
        foreach (var length in new[] { 1_048_511, 1_048_540, 1_048_576 })
        {
            var error = Assert.Throws<ValueTooLargeException>(() => { _ = client.SetAsync(TestKeys.Unique("vl"), new byte[length]); });
            Assert.Contains("memcached -I", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_2m_server_stores_up_to_its_own_limit()
    {
        await using var server = await MemcachedServer.StartAsync("-I", "2m");
        var options = MemcacheClientOptions.Parse(server.ConnectionString);
        options.MaxValueSize = 2 * 1024 * 1024;
        await using var client = new MemcacheClient(options);
        await CheckBoundary(server, client, 2 * 1024 * 1024);
    }

    [Fact]
    public async Task MaxValueSize_still_applies_when_it_is_the_smaller_limit()
    {
        await using var server = await MemcachedServer.StartAsync("-I", "2m");
        await using var client = MemcacheClient.Create(server.ConnectionString);
        await client.PingAsync();
        var error = Assert.Throws<ValueTooLargeException>(() => { _ = client.SetAsync("k", new byte[1024 * 1024 + 1]); });
        Assert.Contains("MaxValueSize", error.Message, StringComparison.Ordinal);
        Assert.True((await client.SetAsync("k", new byte[1024 * 1024])).Stored);
    }
}
