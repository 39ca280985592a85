using System.Text;
using Memstore.Mcas;
using Memstore.Tests.Infrastructure;

using static Memstore.Tests.Mcas.McasRequestLines;

namespace Memstore.Tests.Mcas;

/// <summary>
/// Forced interleavings (docs/mcas.md, "Why late steps are harmless"): a <see cref="HoldingProxy"/> between one
/// participant and a real memcached holds one chosen request while the others run, then lets it arrive late.
/// Each test names the step held and checks that nothing it does after the operation was decided changes an
/// item, and that no late marker is reported as corruption. All keys live on one server, so every participant
/// places them alike whether it connects directly or through its proxy.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class LateStepTests(MemcachedFixture memcached) : IClassFixture<MemcachedFixture>, IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly List<IAsyncDisposable> _owned = [];

    private MemcachedServer Server => memcached.Server;

    [Fact]
    public async Task A_delayed_owner_install_of_a_created_key_is_undone_after_a_helper_finished_and_a_later_operation_moved_the_value()
    {
        // The defect of MCAS v1: A = [delete k1, create k2]; A's "ms k2 … ME" arrives after a helper finished A
        // and B moved the value from k2 to k3. It must not bring the value back into k2.
        var (k1, k2, k3) = Keys();
        var (proxyA, mcasA) = await ThroughProxyAsync();
        var helper = await DirectAsync();
        var mover = await DirectAsync();
        await mover.Client.SetAsync(k1, "token");
        var e1 = await mcasA.GetAsync(k1);
        var e2 = await mcasA.GetAsync(k2);
        var install = proxyA.HoldNext(line => IsMarkerInstall(line, k2));
        var owner = mcasA.CompareAndSwapAsync([McasUpdate.Delete(e1), McasUpdate.Set(e2, Utf8("token"))]).AsTask();
        await install.Reached.WaitAsync(Wait);
        await UntilMarkedAsync(Server, k1);                      // A's first marker, sent before the held one, is in

        Assert.False((await helper.GetAsync(k1)).Exists);        // meets A's marker on k1, finishes A
        Assert.Equal("token", Text(await helper.GetAsync(k2)));
        Assert.True(await mover.CompareAndSwapAsync([McasUpdate.Delete(await mover.GetAsync(k2)), McasUpdate.Set(await mover.GetAsync(k3), Utf8("token"))]));
        await mover.FlushAsync();                                 // B's phase 2 (after it returned) has deleted k2
        install.Release();                                        // A's install lands on the absent k2 (HD)

        Assert.True(await owner.WaitAsync(Wait));                 // A learns the helper's outcome
        await AssertTokenOnlyAtAsync(k3, k1, k2, k3);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_delayed_helper_install_is_undone_whether_the_descriptor_lingers_or_is_deleted(bool deleteDescriptor)
    {
        var (k1, k2, k3) = Keys();
        var (proxyA, mcasA) = await ThroughProxyAsync();
        var (proxyH, mcasH) = await ThroughProxyAsync();
        var mover = await DirectAsync();
        await mover.Client.SetAsync(k1, "token");
        var e1 = await mcasA.GetAsync(k1);
        var e2 = await mcasA.GetAsync(k2);
        var ownerInstall = proxyA.HoldNext(line => IsMarkerInstall(line, k2));
        var owner = mcasA.CompareAndSwapAsync([McasUpdate.Delete(e1), McasUpdate.Set(e2, Utf8("token"))]).AsTask();
        await ownerInstall.Reached.WaitAsync(Wait);
        await UntilMarkedAsync(Server, k1);
        var helperInstall = proxyH.HoldNext(line => IsMarkerInstall(line, k2));
        var helping = mcasH.GetAsync(k1).AsTask();                // the helper reaches k2 and is held there
        await helperInstall.Reached.WaitAsync(Wait);

        ownerInstall.Release();
        Assert.True(await owner.WaitAsync(Wait));
        if (deleteDescriptor)
        {
            await mcasA.FlushAsync();                              // the owner deletes its descriptor now
        }
        Assert.True(await mover.CompareAndSwapAsync([McasUpdate.Delete(await mover.GetAsync(k2)), McasUpdate.Set(await mover.GetAsync(k3), Utf8("token"))]));
        await mover.FlushAsync();                                 // its phase 2 has deleted k2
        helperInstall.Release();                                  // lands on the absent k2, then finds A decided or gone

        Assert.False((await helping.WaitAsync(Wait)).Exists);
        await AssertTokenOnlyAtAsync(k3, k1, k2, k3);
    }

    [Fact]
    public async Task A_late_marker_left_by_a_participant_that_died_is_undone_by_a_reader_without_reporting_corruption()
    {
        var (k1, k2, k3) = Keys();
        var (proxyA, mcasA) = await ThroughProxyAsync();
        var (proxyH, mcasH) = await ThroughProxyAsync();
        var reader = await DirectAsync();
        await reader.Client.SetAsync(k1, "token");
        var e1 = await mcasA.GetAsync(k1);
        var e2 = await mcasA.GetAsync(k2);
        var ownerInstall = proxyA.HoldNext(line => IsMarkerInstall(line, k2));
        var owner = mcasA.CompareAndSwapAsync([McasUpdate.Delete(e1), McasUpdate.Set(e2, Utf8("token"))]).AsTask();
        await ownerInstall.Reached.WaitAsync(Wait);
        await UntilMarkedAsync(Server, k1);
        var helperInstall = proxyH.HoldNext(line => IsMarkerInstall(line, k2), cutAfterForwarding: true);
        var helping = mcasH.GetAsync(k1).AsTask();
        await helperInstall.Reached.WaitAsync(Wait);
        ownerInstall.Release();
        Assert.True(await owner.WaitAsync(Wait));
        await mcasA.FlushAsync();                                  // descriptor deleted
        Assert.True(await reader.CompareAndSwapAsync([McasUpdate.Delete(await reader.GetAsync(k2)), McasUpdate.Set(await reader.GetAsync(k3), Utf8("token"))]));
        await reader.FlushAsync();                                // its phase 2 (after it returned) has deleted k2

        helperInstall.Release();                                  // lands, and the helper's connection dies with the reply
        await Assert.ThrowsAnyAsync<MemcacheException>(async () => await helping.WaitAsync(Wait));
        Assert.Contains(ReservedFlag[1..], await RawFlagsAsync(k2)); // the orphan is there, its descriptor gone

        Assert.False((await reader.GetAsync(k2)).Exists);         // undone, not "corruption"
        await AssertTokenOnlyAtAsync(k3, k1, k2, k3);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_helper_stalled_between_phase_1_and_the_decide_changes_nothing_when_it_wakes(bool deleteDescriptor)
    {
        var (k1, k2, _) = Keys();
        var owner = await DirectAsync();
        var (proxyH, mcasH) = await ThroughProxyAsync();
        var writer = await DirectAsync();
        await owner.Client.SetAsync(k1, "a0");
        await owner.Client.SetAsync(k2, "b0");
        var gate = new TaskCompletionSource();
        var reached = new TaskCompletionSource();
        owner.AfterPhase1ForTesting = async (_, _, _) => { reached.TrySetResult(); await gate.Task; };
        var running = owner.CompareAndSwapAsync([McasUpdate.Set(await owner.GetAsync(k1), Utf8("a1")), McasUpdate.Set(await owner.GetAsync(k2), Utf8("b1"))]).AsTask();
        await reached.Task.WaitAsync(Wait);
        owner.AfterPhase1ForTesting = null;
        var decide = proxyH.HoldNext(IsDecide);
        var helping = mcasH.GetAsync(k1).AsTask();
        await decide.Reached.WaitAsync(Wait);                     // the helper acquired both keys and waits to decide

        gate.SetResult();
        Assert.True(await running.WaitAsync(Wait));
        if (deleteDescriptor)
        {
            await owner.FlushAsync();
        }
        Assert.True(await writer.CompareAndSwapAsync([McasUpdate.Set(await writer.GetAsync(k1), Utf8("a2"))]));
        decide.Release();

        Assert.Equal("a2", Text(await helping.WaitAsync(Wait)));
        Assert.Equal("b1", Text(await writer.GetAsync(k2)));
        await AssertNoMarkerAsync(k1, k2);
    }

    [Fact]
    public async Task An_owner_stalled_after_the_decide_cannot_overwrite_what_came_after()
    {
        var (k1, k2, _) = Keys();
        var (proxyA, mcasA) = await ThroughProxyAsync();
        var helper = await DirectAsync();
        await helper.Client.SetAsync(k1, "a0");
        await helper.Client.SetAsync(k2, "b0");
        var e1 = await mcasA.GetAsync(k1);
        var e2 = await mcasA.GetAsync(k2);
        var release = proxyA.HoldNext(line => IsRelease(line, k1) || IsRelease(line, k2));
        var owner = mcasA.CompareAndSwapAsync([McasUpdate.Set(e1, Utf8("a1")), McasUpdate.Set(e2, Utf8("b1"))]).AsTask();
        await release.Reached.WaitAsync(Wait);                     // decided; phase 2 held

        Assert.Equal("a1", Text(await helper.GetAsync(k1)));         // a reader finishes phase 2 itself
        Assert.True(await helper.CompareAndSwapAsync([McasUpdate.Set(await helper.GetAsync(k1), Utf8("a2")), McasUpdate.Delete(await helper.GetAsync(k2))]));
        release.Release();

        Assert.True(await owner.WaitAsync(Wait));
        Assert.Equal("a2", Text(await helper.GetAsync(k1)));
        Assert.False((await helper.GetAsync(k2)).Exists);
        await AssertNoMarkerAsync(k1, k2);
    }

    [Fact]
    public async Task After_a_failure_at_a_key_expected_absent_no_late_install_can_take_the_keys_behind_it()
    {
        // A = [k1 := n1 (present), k2 := n2 (create), k3 := n3 (present)] fails at k2, which someone created.
        // Phase 1 attempts every key before the decide, so A's own marker on k3 spent the token A read there and
        // was recorded and put back. A helper held at k2 installs there late once k2 is gone again and also tries k3,
        // whose token is spent; it dies right after. No marker may stay, and k3 keeps its value.
        var (k1, k2, k3) = Keys();
        var (proxyA, mcasA) = await ThroughProxyAsync();
        var (proxyH, mcasH) = await ThroughProxyAsync();
        var other = await DirectAsync();
        await other.Client.SetAsync(k1, "x1");
        await other.Client.SetAsync(k3, "x3");
        var (e1, e2, e3) = (await mcasA.GetAsync(k1), await mcasA.GetAsync(k2), await mcasA.GetAsync(k3));
        var ownerInstall = proxyA.HoldNext(line => IsMarkerInstall(line, k2));
        var owner = mcasA.CompareAndSwapAsync([McasUpdate.Set(e1, Utf8("n1")), McasUpdate.Set(e2, Utf8("n2")), McasUpdate.Set(e3, Utf8("n3"))]).AsTask();
        await ownerInstall.Reached.WaitAsync(Wait);
        await UntilMarkedAsync(Server, k1);
        var helperInstall = proxyH.HoldNext(line => IsMarkerInstall(line, k2));
        var helping = mcasH.GetAsync(k1).AsTask();
        await helperInstall.Reached.WaitAsync(Wait);

        Assert.True(await other.CompareAndSwapAsync([McasUpdate.Set(McasEntry.Absent(k2), Utf8("w"))]));
        ownerInstall.Release();
        Assert.False(await owner.WaitAsync(Wait));                 // conflict at k2
        await mcasA.FlushAsync();
        var restoredK3 = await other.GetAsync(k3);
        Assert.Equal("x3", Text(restoredK3));
        Assert.NotEqual(e3.Cas, restoredK3.Cas);                   // A's recorded marker was put back: its expected token is spent
        Assert.True(await other.CompareAndSwapAsync([McasUpdate.Delete(await other.GetAsync(k2))]));

        var dies = proxyH.DieAfterSending(line => IsMarkerInstall(line, k3));
        helperInstall.Release();                                  // k2: late HD; k3: refused by the server; the helper dies
        await Assert.ThrowsAnyAsync<MemcacheException>(async () => await helping.WaitAsync(Wait));
        Assert.True(dies.Reached.IsCompleted);

        Assert.Equal("x1", Text(await other.GetAsync(k1)));
        Assert.False((await other.GetAsync(k2)).Exists);           // the late marker over the absent k2 is undone
        Assert.Equal("x3", Text(await other.GetAsync(k3)));
        await AssertNoMarkerAsync(k1, k2, k3);
    }

    private static (string, string, string) Keys()
    {
        var prefix = TestKeys.Unique("late");
        return ($"{prefix}:1", $"{prefix}:2", $"{prefix}:3"); // ordinal order k1 < k2 < k3 = phase 1's order
    }

    private async Task<(HoldingProxy, McasClient)> ThroughProxyAsync()
    {
        var proxy = HoldingProxy.Start(Server);
        _owned.Add(proxy);
        return (proxy, await NewMcasAsync(proxy.ConnectionString));
    }

    private Task<McasClient> DirectAsync() => NewMcasAsync(Server.ConnectionString);

    private Task<McasClient> NewMcasAsync(string servers)
    {
        var options = MemcacheClientOptions.Parse(servers);
        options.OperationTimeout = Wait;
        var client = new MemcacheClient(options);
        _owned.Add(client);
        return Task.FromResult(new McasClient(client));
    }

    private async Task<string> RawFlagsAsync(string key) => await Server.RawAsync($"mg {key} f\r\n");

    private async Task AssertTokenOnlyAtAsync(string holder, params string[] keys)
    {
        await using var raw = MemcacheClient.Create(Server.ConnectionString);
        foreach (var key in keys)
        {
            var value = await raw.GetAsync(key);   // a plain read: what is really stored, marker or not
            if (key == holder)
            {
                Assert.Equal("token", value.AsString());
                Assert.Equal(0u, value.Flags);
            }
            else
            {
                Assert.False(value.Found, $"{key} should be absent but holds {value.Value?.Length} bytes with flags {value.Flags}");
            }
        }
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
