using System.Text;
using Memstore.Mcas;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Mcas;

/// <summary>MCAS behaviour against three real memcached servers (MCAS.md §1 and its closing list).</summary>
[Trait("Category", "Memcached")]
public sealed class McasTests(ThreeServerFixture cluster) : IClassFixture<ThreeServerFixture>
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(McasEntry e) => Encoding.UTF8.GetString(e.Value!);

    [Fact]
    public async Task McasGet_token_changes_after_a_set()
    {
        await using var client = cluster.NewClient();
        var mcas = new McasClient(client);
        var key = TestKeys.Unique("tok");
        await client.SetAsync(key, "a");
        var first = await mcas.GetAsync(key);
        await client.SetAsync(key, "b");
        var second = await mcas.GetAsync(key);
        Assert.True(first.Exists);
        Assert.NotEqual(first.Cas, second.Cas);
        Assert.Equal("b", S(second));
    }

    [Fact]
    public async Task Missing_key_reads_as_an_explicit_absent_entry()
    {
        await using var client = cluster.NewClient();
        var entry = await new McasClient(client).GetAsync(TestKeys.Unique("none"));
        Assert.False(entry.Exists);
        Assert.Null(entry.Value);
        Assert.False(entry.Cas.HasValue);
    }

    [Fact]
    public async Task Two_key_mcas_stores_both_values_across_servers()
    {
        await using var client = cluster.NewClient();
        var mcas = new McasClient(client);
        var (a, b) = await TwoKeysOnDifferentServers(client, "two");
        await client.SetAsync(a, "a0");
        await client.SetAsync(b, "b0");
        var ea = await mcas.GetAsync(a);
        var eb = await mcas.GetAsync(b);
        Assert.True(await mcas.CompareAndSwapAsync([McasUpdate.Set(ea, B("a1")), McasUpdate.Set(eb, B("b1"))]));
        Assert.Equal("a1", (await client.GetAsync(a)).AsString());
        Assert.Equal("b1", (await client.GetAsync(b)).AsString());
    }

    [Fact]
    public async Task Mcas_after_a_plain_set_fails_and_leaves_the_other_key_alone()
    {
        await using var client = cluster.NewClient();
        var mcas = new McasClient(client);
        var (a, b) = await TwoKeysOnDifferentServers(client, "conflict");
        await client.SetAsync(a, "a0");
        await client.SetAsync(b, "b0");
        var ea = await mcas.GetAsync(a);
        var eb = await mcas.GetAsync(b);
        await client.SetAsync(b, "b-plain");
        Assert.False(await mcas.CompareAndSwapAsync([McasUpdate.Set(ea, B("a1")), McasUpdate.Set(eb, B("b1"))]));
        Assert.Equal("a0", S(await mcas.GetAsync(a)));
        Assert.Equal("b-plain", S(await mcas.GetAsync(b)));
        Assert.Equal("a0", (await client.GetAsync(a)).AsString()); // released, not a marker
    }

    [Fact]
    public async Task Empty_call_is_true_and_duplicates_are_refused()
    {
        await using var client = cluster.NewClient();
        var mcas = new McasClient(client);
        Assert.True(await mcas.CompareAndSwapAsync([]));
        var key = TestKeys.Unique("dup");
        var entry = await mcas.GetAsync(key);
        var error = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await mcas.CompareAndSwapAsync([McasUpdate.Set(entry, B("1")), McasUpdate.Set(entry, B("2"))]));
        Assert.Contains(key, error.Message);
        Assert.False((await client.GetAsync(key)).Found);
        Assert.Throws<ArgumentException>(() => McasUpdate.Set(entry, B("x"), flags: MemstoreWireFormat.ReservedFlag));
    }

    [Fact]
    public async Task Expected_absent_creates_and_delete_removes()
    {
        await using var client = cluster.NewClient();
        var mcas = new McasClient(client);
        var (a, b) = await TwoKeysOnDifferentServers(client, "absent");
        var ea = await mcas.GetAsync(a);
        var eb = await mcas.GetAsync(b);
        Assert.True(await mcas.CompareAndSwapAsync([McasUpdate.Set(ea, B("new-a")), McasUpdate.Set(eb, B("new-b"))]));
        // A second create from the same stale "absent" entries must fail.
        Assert.False(await mcas.CompareAndSwapAsync([McasUpdate.Set(ea, B("x")), McasUpdate.Set(eb, B("y"))]));
        Assert.Equal("new-a", S(await mcas.GetAsync(a)));
        ea = await mcas.GetAsync(a);
        eb = await mcas.GetAsync(b);
        Assert.True(await mcas.CompareAndSwapAsync([McasUpdate.Delete(ea), McasUpdate.Set(eb, B("b2"))]));
        Assert.False((await mcas.GetAsync(a)).Exists);
        Assert.False((await client.GetAsync(a)).Found);
        Assert.Equal("b2", S(await mcas.GetAsync(b)));
    }

    [Fact]
    public async Task Ttls_are_kept_per_item()
    {
        await using var client = cluster.NewClient();
        var mcas = new McasClient(client);
        var (a, b) = await TwoKeysOnDifferentServers(client, "ttl");
        await client.SetAsync(a, "a0", TimeSpan.FromSeconds(500));
        await client.SetAsync(b, "b0");
        var ea = await mcas.GetAsync(a);
        var eb = await mcas.GetAsync(b);
        Assert.NotNull(ea.ExpiresAt);
        Assert.Null(eb.ExpiresAt);
        Assert.True(await mcas.CompareAndSwapAsync([McasUpdate.Set(ea, B("a1")), McasUpdate.Set(eb, B("b1"), expiry: TimeSpan.FromSeconds(900))]));
        var ta = (await client.GetWithTtlAsync(a, default)).Ttl;
        var tb = (await client.GetWithTtlAsync(b, default)).Ttl;
        Assert.InRange(ta, 490, 500); // kept, not reset to "never"
        Assert.InRange(tb, 890, 900);
    }

    [Fact]
    public async Task Descriptor_is_deleted_once_finished_and_failed_ones_too()
    {
        await using var client = cluster.NewClient();
        var prefix = "t" + Guid.NewGuid().ToString("N")[..8] + ":";
        var mcas = new McasClient(client, new McasOptions { KeyPrefix = prefix });
        var seen = new List<string>();
        mcas.AfterPhase1ForTesting = (descriptor, _, _) => { seen.Add(descriptor); return ValueTask.CompletedTask; };
        var (a, b) = await TwoKeysOnDifferentServers(client, "clean");
        var ea = await mcas.GetAsync(a);
        var eb = await mcas.GetAsync(b);
        Assert.True(await mcas.CompareAndSwapAsync([McasUpdate.Set(ea, B("1")), McasUpdate.Set(eb, B("1"))]));
        Assert.False(await mcas.CompareAndSwapAsync([McasUpdate.Set(ea, B("2")), McasUpdate.Set(eb, B("2"))]));
        await mcas.FlushAsync();
        Assert.Single(seen);
        Assert.StartsWith(prefix + "mcas:", seen[0]);
        Assert.False((await client.GetAsync(seen[0])).Found);
    }

    [Fact]
    public async Task A_user_value_that_looks_like_a_marker_is_returned_as_data()
    {
        await using var client = cluster.NewClient();
        var mcas = new McasClient(client);
        var key = TestKeys.Unique("forged");
        var forged = StoredRecordCodec.EncodeMarker("memstore:mcas:deadbeef", overAbsent: false);
        await client.SetAsync(key, forged); // no reserved flag: data, however it looks
        var entry = await mcas.GetAsync(key);
        Assert.Equal(forged, entry.Value);
        Assert.True(await mcas.CompareAndSwapAsync([McasUpdate.Set(entry, B("ok"))]));
        Assert.Equal("ok", S(await mcas.GetAsync(key)));
    }

    [Fact]
    public async Task A_stalled_operation_left_after_phase_1_is_finished_by_a_reader()
    {
        await using var client = cluster.NewClient();
        await using var readerClient = cluster.NewClient();
        var owner = new McasClient(client);
        var reader = new McasClient(readerClient);
        var (a, b) = await TwoKeysOnDifferentServers(client, "stall");
        await client.SetAsync(a, "a0");
        await client.SetAsync(b, "b0");
        var ea = await owner.GetAsync(a);
        var eb = await owner.GetAsync(b);
        var reached = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        owner.AfterPhase1ForTesting = async (_, _, _) => { reached.SetResult(); await release.Task; };
        var running = owner.CompareAndSwapAsync([McasUpdate.Set(ea, B("a1")), McasUpdate.Set(eb, B("b1"))]).AsTask();
        await reached.Task;
        Assert.True(StoredRecordCodec.TryDecodeMarker(await client.GetAsync(a)) is not null); // a plain get sees the marker
        Assert.Equal("b1", S(await reader.GetAsync(b)));      // the reader helps: decides and releases
        Assert.Equal("a1", (await client.GetAsync(a)).AsString());
        release.SetResult();
        Assert.True(await running); // the owner learns the outcome a helper decided
    }

    [Fact]
    public async Task Vanished_descriptor_is_corruption_and_repair_restores_service()
    {
        await using var client = cluster.NewClient();
        var owner = new McasClient(client);
        var reader = new McasClient(client);
        var (a, b) = await TwoKeysOnDifferentServers(client, "evict");
        await client.SetAsync(a, "a0");
        await client.SetAsync(b, "b0");
        var ea = await owner.GetAsync(a);
        var eb = await owner.GetAsync(b);
        string? descriptor = null;
        var reached = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        owner.AfterPhase1ForTesting = async (d, _, _) => { descriptor = d; reached.SetResult(); await release.Task; };
        var running = owner.CompareAndSwapAsync([McasUpdate.Set(ea, B("a1")), McasUpdate.Set(eb, B("b1"))]).AsTask();
        await reached.Task;
        await client.DeleteAsync(descriptor!); // "eviction"
        var error = await Assert.ThrowsAsync<McasCorruptionException>(async () => await reader.GetAsync(a));
        Assert.Equal(descriptor, error.DescriptorKey);
        Assert.Contains(a, error.Keys);
        Assert.Contains(descriptor!, error.Message);
        release.SetResult();
        await Assert.ThrowsAsync<McasOutcomeUnknownException>(async () => await running); // its descriptor was gone at the decide
        var repaired = await reader.RepairAsync([new McasRepair(a, B("fixed-a")), new McasRepair(b, B("fixed-b"))]);
        var a1 = await reader.GetAsync(a);
        var b1 = await reader.GetAsync(b);
        Assert.True(a1.Exists && b1.Exists);
        Assert.True(await reader.CompareAndSwapAsync([McasUpdate.Set(a1, B("x")), McasUpdate.Set(b1, B("y"))]));
        Assert.Equal("x", S(await reader.GetAsync(a)));
        Assert.NotNull(repaired);
    }

    [Fact]
    public async Task Decide_is_retried_until_the_stored_status_is_final()
    {
        // A helper decides first: the owner's decide CAS then fails, it reloads, sees SUCCEEDED and returns true.
        await using var client = cluster.NewClient();
        var owner = new McasClient(client);
        var helper = new McasClient(client);
        var (a, b) = await TwoKeysOnDifferentServers(client, "decide");
        var ea = await owner.GetAsync(a);
        var eb = await owner.GetAsync(b);
        owner.AfterPhase1ForTesting = async (_, keys, ct) => await helper.GetAsync(keys[0], ct);
        Assert.True(await owner.CompareAndSwapAsync([McasUpdate.Set(ea, B("1")), McasUpdate.Set(eb, B("2"))]));
        Assert.Equal("1", S(await helper.GetAsync(a)));
        Assert.Equal("2", S(await helper.GetAsync(b)));
    }

    internal static async Task<(string, string)> TwoKeysOnDifferentServers(MemcacheClient client, string name)
    {
        var a = TestKeys.Unique(name);
        while (true)
        {
            var b = TestKeys.Unique(name);
            if (client.Locate(a) != client.Locate(b))
            {
                return (a, b);
            }
            await Task.Yield();
        }
    }
}
