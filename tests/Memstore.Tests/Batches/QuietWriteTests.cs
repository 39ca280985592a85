using System.Text;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Batches;

/// <summary>
/// Quiet batches against a real memcached that runs out of memory (<c>-M -m 2</c>: it answers SERVER_ERROR out of memory
/// instead of evicting), so that a chosen value in the middle of a wave fails while the others are stored.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class QuietWriteTests
{
    private const int BigValue = 100_000;

    /// <summary>A server whose memory for 100 KB values is used up, with room left for small ones.</summary>
    private static async Task<(MemcachedServer Server, MemcacheClient Client)> FullServerAsync()
    {
        var server = await MemcachedServer.StartAsync("-M", "-m", "2");
        var client = MemcacheClient.Create(server.ConnectionString);
        Assert.True((await client.SetAsync("small:seed", "s")).Stored); // a page for small values
        var big = new byte[BigValue];
        for (var i = 0; i < 100; i++)
        {
            try
            {
                await client.SetAsync($"fill:{i}", big);
            }
            catch (MemcacheServerErrorException)
            {
                return (server, client);
            }
        }
        throw new InvalidOperationException("memcached -M -m 2 stored 10 MB of values; the test needs it to run out of memory");
    }

    private static BatchSetItem Small(string key) => new(key, Encoding.UTF8.GetBytes("v:" + key));

    [Fact]
    public async Task A_server_error_in_a_quiet_wave_is_reported_for_the_keys_it_may_belong_to_and_the_others_are_stored()
    {
        var (server, client) = await FullServerAsync();
        await using var _ = server;
        await using var __ = client;
        var failures = new WriteFailureRecorder(client);

        var failed = await client.SetManyQuietAsync([Small("q:a"), new BatchSetItem("q:big", new byte[BigValue]), Small("q:c")]);

        // memcached's error line names no key: it is one of the three silent requests, so all three are candidates.
        Assert.Equal(3, failed);
        var events = await failures.WaitForAsync(3);
        Assert.Equal(["q:a", "q:big", "q:c"], events.Select(e => e.Key));
        Assert.All(events, e => Assert.False(e.IsCertain));
        Assert.All(events, e => Assert.Contains("out of memory", Assert.IsType<MemcacheServerErrorException>(e.Error).Message, StringComparison.Ordinal));
        var read = await client.GetManyAsync(["q:a", "q:big", "q:c"]);
        Assert.Equal(["v:q:a", null, "v:q:c"], read.Select(r => r.AsString()));

        // Alone in its wave, the failing key is pinned exactly.
        Assert.Equal(1, await client.SetManyQuietAsync([new BatchSetItem("q:alone", new byte[BigValue])]));
        var alone = (await failures.WaitForAsync(4))[3];
        Assert.True(alone.IsCertain && alone.Key == "q:alone" && alone.Operation == "set");
        Assert.Contains("q:alone", alone.Error.Message, StringComparison.Ordinal);

        // As many errors as silent requests: each is pinned.
        Assert.Equal(2, await client.SetManyQuietAsync([new BatchSetItem("q:b1", new byte[BigValue]), new BatchSetItem("q:b2", new byte[BigValue])]));
        Assert.All((await failures.WaitForAsync(6)).Skip(4), e => Assert.True(e.IsCertain));
    }

    [Fact]
    public async Task A_quiet_wave_without_errors_reports_nothing_and_the_connection_stays_in_step()
    {
        await using var server = await MemcachedServer.StartAsync();
        await using var client = MemcacheClient.Create(server.ConnectionString);
        var failures = new WriteFailureRecorder(client);
        var items = Enumerable.Range(0, 200).Select(i => Small($"qs:{i}")).ToArray();

        Assert.Equal(0, await client.SetManyQuietAsync(items, TimeSpan.FromMinutes(5), flags: 3));
        var read = await client.GetManyAsync(items.Select(i => i.Key).ToArray());
        Assert.All(read.Zip(items), p => Assert.Equal("v:" + p.Second.Key, p.First.AsString()));
        Assert.All(read, r => Assert.Equal(3u, r.Flags));

        // Deletes of present and missing keys: a missing key is no failure (memcached still answers NF, tagged).
        Assert.Equal(0, await client.DeleteManyQuietAsync(items.Take(100).Select(i => i.Key).Append("qs:missing").Append("qs:0").ToArray()));
        Assert.Equal(100, (await client.GetManyAsync(items.Select(i => i.Key).ToArray())).Count(r => r.Found));
        Assert.Empty(failures.Events);
        Assert.True((await client.SetAsync("qs:after", "x")).Stored); // the stream is in step
    }
}
