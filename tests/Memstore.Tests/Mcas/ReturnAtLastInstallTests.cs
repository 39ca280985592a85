using System.Text;
using Memstore.Mcas;
using Memstore.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

using static Memstore.Tests.Infrastructure.StreamFactoryOptions;
using static Memstore.Tests.Mcas.McasRequestLines;

namespace Memstore.Tests.Mcas;

/// <summary>
/// docs/mcas.md 4.3, "Return at the last install": an owner that acquired every key, none expected absent, all on one
/// connection, returns true before its decide is answered; the decide, the releases and the descriptor's delete follow
/// as one ordered group. Each test holds or drops that group with a <see cref="HoldingProxy"/> and checks that every
/// reader reaches the outcome the owner returned; and that a key expected absent keeps the owner waiting for the stored
/// decide, because there a helper can decide FAILED while the owner's own installs all succeed.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class ReturnAtLastInstallTests(MemcachedFixture memcached) : IClassFixture<MemcachedFixture>, IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly List<IAsyncDisposable> _owned = [];

    private MemcachedServer Server => memcached.Server;

    [Fact]
    public async Task The_owner_returns_while_its_decide_is_held_and_a_reader_decides_the_same_outcome()
    {
        var (k1, k2, _) = Keys();
        var (proxyA, mcasA) = await ThroughProxyAsync();
        var reader = await DirectAsync();
        await reader.Client.SetAsync(k1, "a0");
        await reader.Client.SetAsync(k2, "b0");
        var (e1, e2) = (await mcasA.GetAsync(k1), await mcasA.GetAsync(k2));
        var decide = proxyA.HoldNext(IsDecide);

        Assert.True(await mcasA.CompareAndSwapAsync([McasUpdate.Set(e1, Utf8("a1")), McasUpdate.Set(e2, Utf8("b1"))]).AsTask().WaitAsync(Wait));
        var descriptor = DescriptorKeyOf(await decide.Reached.WaitAsync(Wait)); // returned; decide and releases held

        Assert.Equal("a1", Text(await reader.GetAsync(k1)));       // meets a marker, decides SUCCEEDED itself, releases
        Assert.Equal("b1", Text(await reader.GetAsync(k2)));
        Assert.True(await reader.CompareAndSwapAsync([McasUpdate.Set(await reader.GetAsync(k1), Utf8("a2")), McasUpdate.Delete(await reader.GetAsync(k2))]));
        await reader.FlushAsync();
        decide.Release();                                          // the owner's decide, releases and delete arrive late
        await mcasA.FlushAsync();                                  // and are all answered

        Assert.Equal("a2", Text(await reader.GetAsync(k1)));       // the late releases' tokens were spent
        Assert.False((await reader.GetAsync(k2)).Exists);
        await AssertNoMarkerAsync(k1, k2);
        Assert.DoesNotContain("VA", await Server.RawAsync($"mg {descriptor} v\r\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_owner_whose_decide_is_never_sent_finishes_the_operation_itself_once_the_server_answers()
    {
        var (k1, k2, k3) = Keys();
        var (proxyA, mcasA) = await ThroughProxyAsync();
        foreach (var key in new[] { k1, k2, k3 })
        {
            await mcasA.Client.SetAsync(key, "v0");
        }
        var entries = await mcasA.GetManyAsync([k1, k2, k3]);
        var dropped = proxyA.CloseInstead(IsDecide);      // the group is lost with the owner's connection

        Assert.True(await mcasA.CompareAndSwapAsync([McasUpdate.Set(entries[0], Utf8("n1")), McasUpdate.Delete(entries[1]), McasUpdate.Set(entries[2], Utf8("n3"))]).AsTask().WaitAsync(Wait));
        await dropped.Reached.WaitAsync(Wait);
        dropped.Release();
        await mcasA.FlushAsync().AsTask().WaitAsync(Wait);         // the group fails; the client decides and releases it anew

        await AssertNoMarkerAsync(k1, k2, k3);                     // nobody read the keys through MCAS: plain reads see them
        await using var plain = MemcacheClient.Create(Server.ConnectionString);
        Assert.Equal("n1", (await plain.GetAsync(k1)).AsString());
        Assert.False((await plain.GetAsync(k2)).Found);
        Assert.Equal("n3", (await plain.GetAsync(k3)).AsString());
    }

    [Fact]
    public async Task While_the_owners_finishing_is_held_a_reader_decides_the_outcome_the_owner_returned()
    {
        var (k1, k2, k3) = Keys();
        var (proxyA, mcasA) = await ThroughProxyAsync();
        var reader = await DirectAsync();
        foreach (var key in new[] { k1, k2, k3 })
        {
            await reader.Client.SetAsync(key, "v0");
        }
        var entries = await mcasA.GetManyAsync([k1, k2, k3]);
        var dropped = proxyA.CloseInstead(IsDecide);

        Assert.True(await mcasA.CompareAndSwapAsync([McasUpdate.Set(entries[0], Utf8("n1")), McasUpdate.Delete(entries[1]), McasUpdate.Set(entries[2], Utf8("n3"))]).AsTask().WaitAsync(Wait));
        var descriptor = DescriptorKeyOf(await dropped.Reached.WaitAsync(Wait));
        var finishing = proxyA.HoldNext(line => line.StartsWith($"mg {descriptor} ", StringComparison.Ordinal));
        dropped.Release();
        await finishing.Reached.WaitAsync(Wait);                   // the owner's client is about to load the descriptor
        await UntilMarkedAsync(Server, k2);                        // undecided, every key holds a marker

        var read = await reader.GetManyAsync([k1, k2, k3]);        // the reader decides it SUCCEEDED and releases it
        Assert.Equal("n1", Text(read[0]));
        Assert.False(read[1].Exists);
        Assert.Equal("n3", Text(read[2]));
        Assert.True(await reader.CompareAndSwapAsync([McasUpdate.Set(read[0], Utf8("r1")), McasUpdate.Set(read[1], Utf8("r2"))]));
        await reader.FlushAsync();
        finishing.Release();                                       // the late finishing finds it decided and done
        await mcasA.FlushAsync().AsTask().WaitAsync(Wait);

        Assert.Equal(["r1", "r2", "n3"], (await reader.GetManyAsync([k1, k2, k3])).Select(Text));
        await AssertNoMarkerAsync(k1, k2, k3);
    }

    [Fact]
    public async Task A_finishing_attempt_that_fails_is_retried()
    {
        var (k1, k2, _) = Keys();
        var log = new LogCapture();
        var (proxyA, mcasA) = await ThroughProxyAsync(log);
        await mcasA.Client.SetAsync(k1, "v0");
        await mcasA.Client.SetAsync(k2, "v0");
        var entries = await mcasA.GetManyAsync([k1, k2]);
        proxyA.CloseInstead(IsDecide).Release();
        proxyA.CloseInstead(IsDescriptorRead).Release(); // attempt 1

        Assert.True(await mcasA.CompareAndSwapAsync([McasUpdate.Set(entries[0], Utf8("n1")), McasUpdate.Set(entries[1], Utf8("n2"))]));
        await mcasA.FlushAsync().AsTask().WaitAsync(Wait);

        Assert.Contains(log.Messages, m => m.Text.Contains("attempt 1 failed; retrying", StringComparison.Ordinal));
        Assert.Contains(log.Messages, m => m.Text.Contains("finished by its owner's client in the background (attempt 2)", StringComparison.Ordinal));
        await AssertNoMarkerAsync(k1, k2);
        Assert.Equal("n2", (await mcasA.Client.GetAsync(k2)).AsString());
    }

    [Fact]
    public async Task Finishing_gives_up_after_half_the_descriptor_ttl_and_leaves_the_operation_to_readers()
    {
        var (k1, k2, _) = Keys();
        var log = new LogCapture();
        var (proxyA, mcasA) = await ThroughProxyAsync(log, new McasOptions { DescriptorTtl = TimeSpan.FromSeconds(4) });
        var reader = await DirectAsync();
        await reader.Client.SetAsync(k1, "v0");
        await reader.Client.SetAsync(k2, "v0");
        var entries = await mcasA.GetManyAsync([k1, k2]);
        proxyA.CloseInstead(IsDecide).Release();
        for (var i = 0; i < 8; i++)                                 // more failures than fit in the 2 s window
        {
            proxyA.CloseInstead(IsDescriptorRead).Release();
        }

        Assert.True(await mcasA.CompareAndSwapAsync([McasUpdate.Set(entries[0], Utf8("n1")), McasUpdate.Set(entries[1], Utf8("n2"))]));
        await mcasA.FlushAsync().AsTask().WaitAsync(Wait);         // bounded: it gives up

        Assert.Contains(log.Messages, m => m.Level == LogLevel.Warning && m.Text.Contains("gave up finishing", StringComparison.Ordinal));
        await UntilMarkedAsync(Server, k1);                        // still undecided, markers in place
        Assert.Equal(["n1", "n2"], (await reader.GetManyAsync([k1, k2])).Select(Text)); // within the descriptor's TTL
        await AssertNoMarkerAsync(k1, k2);
    }

    [Fact]
    public async Task With_a_key_expected_absent_the_owner_waits_for_the_stored_decide_and_returns_the_helpers_failure()
    {
        // A = [k1 := a1 (present), k2 := created]. A's install at k2 is held; meanwhile k2 is created, a helper meets
        // A's marker on k1, finds a value at k2 and decides A FAILED; then k2 is deleted again. A's held "ms k2 … ME"
        // now succeeds, so A's owner sees every install succeed — yet the stored outcome is FAILED.
        var (k1, k2, _) = Keys();
        var (proxyA, mcasA) = await ThroughProxyAsync();
        var helper = await DirectAsync();
        await helper.Client.SetAsync(k1, "a0");
        var (e1, e2) = (await mcasA.GetAsync(k1), await mcasA.GetAsync(k2));
        var install = proxyA.HoldNext(line => IsMarkerInstall(line, k2));
        var owner = mcasA.CompareAndSwapAsync([McasUpdate.Set(e1, Utf8("a1")), McasUpdate.Set(e2, Utf8("created"))]).AsTask();
        await install.Reached.WaitAsync(Wait);
        await UntilMarkedAsync(Server, k1);

        Assert.True(await helper.CompareAndSwapAsync([McasUpdate.Set(McasEntry.Absent(k2), Utf8("w"))]));
        Assert.Equal("a0", Text(await helper.GetAsync(k1)));       // the helper fails A and puts k1 back
        Assert.True(await helper.CompareAndSwapAsync([McasUpdate.Delete(await helper.GetAsync(k2))]));
        install.Release();                                         // "ms k2 … ME" on the absent k2: HD

        Assert.False(await owner.WaitAsync(Wait));                 // the stored FAILED, not "every install succeeded"
        await mcasA.FlushAsync();
        Assert.Equal("a0", Text(await helper.GetAsync(k1)));
        Assert.False((await helper.GetAsync(k2)).Exists);          // A's late marker there is undone
        await AssertNoMarkerAsync(k1, k2);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_owner_does_not_return_before_its_decide_is_answered_when_a_key_is_expected_absent_or_a_marker_can_expire_first(bool createKey)
    {
        var (k1, k2, _) = Keys();
        var (proxyA, mcasA) = await ThroughProxyAsync();
        var shortLived = TimeSpan.FromMinutes(10);                 // under the descriptor's hour: so would the markers be
        await mcasA.Client.SetAsync(k1, "a0", createKey ? null : shortLived);
        if (!createKey)
        {
            await mcasA.Client.SetAsync(k2, "b0", shortLived);
        }
        var (e1, e2) = (await mcasA.GetAsync(k1), await mcasA.GetAsync(k2));
        var decide = proxyA.HoldNext(IsDecide);
        var owner = mcasA.CompareAndSwapAsync([McasUpdate.Set(e1, Utf8("a1")), McasUpdate.Set(e2, Utf8("b1"))]).AsTask();
        await decide.Reached.WaitAsync(Wait);
        await Task.Delay(200);
        Assert.False(owner.IsCompleted);                           // it waits for the stored outcome
        decide.Release();
        Assert.True(await owner.WaitAsync(Wait));
        Assert.Equal("a1", Text(await mcasA.GetAsync(k1)));
        Assert.Equal("b1", Text(await mcasA.GetAsync(k2)));
    }

    [Fact]
    public async Task A_commit_on_one_server_is_one_write_for_the_add_and_markers_and_one_for_decide_releases_and_delete()
    {
        var streams = new CountingStreamFactory();
        await using var client = new MemcacheClient(WithStreams(MemcacheClientOptions.Parse(Server.ConnectionString), streams));
        await client.PingAsync();
        var server = client.Servers[0];
        var mcas = new McasClient(client);
        var keys = new[] { TestKeys.Unique("last"), TestKeys.Unique("last"), TestKeys.Unique("last") };
        foreach (var key in keys)
        {
            await client.SetAsync(key, "v0");
        }
        var entries = await mcas.GetManyAsync(keys);

        var before = streams.Writes(server);
        Assert.True(await mcas.CompareAndSwapAsync([.. entries.Select(e => McasUpdate.Set(e, Utf8("v1")))]));
        await mcas.FlushAsync();
        Assert.Equal(2, streams.Writes(server) - before);
        foreach (var key in keys)
        {
            Assert.Equal("v1", (await client.GetAsync(key)).AsString()); // released, and no marker left
        }
    }

    private static (string, string, string) Keys()
    {
        var prefix = TestKeys.Unique("last");
        return ($"{prefix}:1", $"{prefix}:2", $"{prefix}:3");
    }

    private static string DescriptorKeyOf(string line) => line.Split(' ')[1];

    private async Task<(HoldingProxy, McasClient)> ThroughProxyAsync(LogCapture? log = null, McasOptions? mcasOptions = null)
    {
        var proxy = HoldingProxy.Start(Server);
        _owned.Add(proxy);
        return (proxy, await NewMcasAsync(proxy.ConnectionString, log, mcasOptions));
    }

    private Task<McasClient> DirectAsync() => NewMcasAsync(Server.ConnectionString);

    private Task<McasClient> NewMcasAsync(string servers, LogCapture? log = null, McasOptions? mcasOptions = null)
    {
        var options = MemcacheClientOptions.Parse(servers);
        options.OperationTimeout = Wait;
        var client = new MemcacheClient(options, log);
        _owned.Add(client);
        return Task.FromResult(new McasClient(client, mcasOptions));
    }

    private async Task AssertNoMarkerAsync(params string[] keys)
    {
        await using var raw = MemcacheClient.Create(Server.ConnectionString);
        foreach (var key in keys)
        {
            var value = await raw.GetAsync(key);
            Assert.False(value.Found && (value.Flags & MemstoreWireFormat.ReservedFlag) != 0, $"{key} still holds a marker");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }
    }
}
