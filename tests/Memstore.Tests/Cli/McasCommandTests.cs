using System.Text;
using Memstore.Cli;
using Memstore.Mcas;
using Memstore.Tests.Infrastructure;

using static Memstore.Tests.Mcas.McasRequestLines;

namespace Memstore.Tests.Cli;

/// <summary>
/// `memstore mcas KEY` against real memcached, on states the protocol itself produces: an owner held after phase 1
/// (undecided), an owner whose phase 2 release is held by a <see cref="HoldingProxy"/> (succeeded, failed), and
/// markers written in the documented format whose descriptor does not exist.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class McasCommandTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>, IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly List<IAsyncDisposable> _owned = [];

    private string Servers => fixture.Server.ConnectionString;

    [Fact]
    public async Task A_plain_key_and_an_absent_key_hold_no_marker_and_need_nothing()
    {
        var (k1, _) = Keys();
        await (await ClientAsync(Servers)).SetAsync(k1, "plain", flags: 7);

        var plain = await CliRunner.RunAsync("mcas", "-s", Servers, k1);
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.Matches($@"^key {k1} on {Escaped(Servers)}: a plain value \(5 bytes, flags 7, cas \d+\), no MCAS marker\nrepair: nothing to do\n$", plain.Output);

        var absent = await CliRunner.RunAsync("mcas", "-s", Servers, k1 + ":absent");
        Assert.True(absent.ExitCode == 0, absent.ToString());
        Assert.Equal($"key {k1}:absent on {Servers}: no item\nrepair: nothing to do\n", absent.Output);
    }

    [Fact]
    public async Task An_owner_held_after_phase_1_shows_undecided_and_a_roll_forward_without_changing_anything()
    {
        var (k1, k2) = Keys();
        var (mcas, owner, gate) = await OwnerHeldAfterPhase1Async(k1, k2, "new2");
        CasToken before = (await mcas.Client.GetAsync(k1)).Cas;

        var result = await CliRunner.RunAsync("mcas", "-s", Servers, k1);
        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Output.TrimEnd('\n').Split('\n');
        Assert.Matches($@"^key {k1} on .*: MCAS marker \(cas {before.Value}\), installed over a value$", lines[0]);
        Assert.Matches(@"^descriptor memstore:mcas:[0-9a-f]{32} on .*: undecided \(id [0-9a-f]{32}, 2 entries\)$", lines[1]);
        Assert.Matches($@"^  entry {k1}: expects cas \d+, old 2 bytes flags 0, new 2 bytes flags 0, recorded marker none; now this operation's marker \(cas {before.Value}\)$", lines[2]);
        Assert.Matches($@"^  entry {k2}: expects cas \d+, old 2 bytes flags 0, new 4 bytes flags 0, recorded marker none; now this operation's marker", lines[3]);
        Assert.Equal($"repair: roll forward: undecided; every key is held or still as read, so phase 1 completes and the operation is decided succeeded: {k1} gets the new value (2 bytes, flags 0)", lines[4]);
        Assert.Equal(before, (await mcas.Client.GetAsync(k1)).Cas); // read only

        gate.SetResult();
        Assert.True(await owner.WaitAsync(Wait));
        Assert.Equal("n1", Text(await mcas.GetAsync(k1)));
    }

    [Fact]
    public async Task A_succeeded_operation_whose_release_is_held_rolls_forward_and_repair_does_it()
    {
        var (k1, k2) = Keys();
        var proxy = Proxy();
        var owner = await McasAsync(proxy.ConnectionString);
        await owner.Client.SetAsync(k1, "a1");
        await owner.Client.SetAsync(k2, "a2");
        var release = proxy.HoldNext(line => IsRelease(line, k1));
        Assert.True(await owner.CompareAndSwapAsync([McasUpdate.Set(await owner.GetAsync(k1), Utf8("n1")), McasUpdate.Set(await owner.GetAsync(k2), Utf8("n2"))]));
        await release.Reached.WaitAsync(Wait);

        var result = await CliRunner.RunAsync("mcas", "-s", Servers, k1);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(": succeeded (id ", result.Output, StringComparison.Ordinal);
        Assert.Matches($@"\n  entry {k1}: expects cas \d+, old 2 bytes flags 0, new 2 bytes flags 0, recorded marker (\d+); now this operation's marker \(cas \1\)\n", result.Output);
        Assert.EndsWith($"\nrepair: roll forward: the operation succeeded: {k1} gets the new value (2 bytes, flags 0)\n", result.Output, StringComparison.Ordinal);

        var repaired = await CliRunner.RunAsync("mcas", "-s", Servers, "--repair", k1);
        Assert.True(repaired.ExitCode == 0, repaired.ToString());
        Assert.Matches($@"\nafter repair:\nkey {k1} on .*: a plain value \(2 bytes, flags 0, cas \d+\), no MCAS marker\nrepair: nothing to do\n$", repaired.Output);
        var direct = await ClientAsync(Servers);
        Assert.Equal("n1", Encoding.UTF8.GetString((await direct.GetAsync(k1)).Value!));
        Assert.Equal("n2", Encoding.UTF8.GetString((await direct.GetAsync(k2)).Value!));

        release.Release();
        await owner.FlushAsync();
        Assert.Equal("n1", Encoding.UTF8.GetString((await direct.GetAsync(k1)).Value!));
    }

    [Fact]
    public async Task A_failed_operation_whose_release_is_held_rolls_back_and_names_the_changed_key()
    {
        var (k1, k2) = Keys();
        var proxy = Proxy();
        var owner = await McasAsync(proxy.ConnectionString);
        var direct = await ClientAsync(Servers);
        await direct.SetAsync(k1, "a1");
        await direct.SetAsync(k2, "a2");
        var (e1, e2) = (await owner.GetAsync(k1), await owner.GetAsync(k2));
        var install = proxy.HoldNext(line => IsMarkerInstall(line, k2));
        var operation = owner.CompareAndSwapAsync([McasUpdate.Set(e1, Utf8("n1")), McasUpdate.Set(e2, Utf8("n2"))]).AsTask();
        await install.Reached.WaitAsync(Wait);
        await direct.SetAsync(k2, "changed");                   // phase 1 fails at k2
        var release = proxy.HoldNext(line => IsRelease(line, k1));
        install.Release();
        Assert.False(await operation.WaitAsync(Wait));
        await release.Reached.WaitAsync(Wait);

        var result = await CliRunner.RunAsync("mcas", "-s", Servers, k1);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(": failed (id ", result.Output, StringComparison.Ordinal);
        Assert.Matches($@"\n  entry {k2}: expects cas \d+, old 2 bytes flags 0, new 2 bytes flags 0, recorded marker none; now changed \(cas \d+\)\n", result.Output);
        Assert.EndsWith($"\nrepair: roll back: the operation failed: {k1} gets back its old value (2 bytes, flags 0)\n", result.Output, StringComparison.Ordinal);

        release.Release();
        await owner.FlushAsync();
        Assert.Equal("a1", Encoding.UTF8.GetString((await direct.GetAsync(k1)).Value!));
    }

    [Fact]
    public async Task A_marker_whose_descriptor_is_missing_is_corruption_with_exit_1_and_repair_refuses()
    {
        var (k1, _) = Keys();
        string descriptor = $"memstore:mcas:{Guid.NewGuid():N}";
        var direct = await ClientAsync(Servers);
        await direct.SetAsync(k1, StoredRecordCodec.EncodeMarker(descriptor, overAbsent: false), flags: MemstoreWireFormat.ReservedFlag);

        var result = await CliRunner.RunAsync("mcas", "-s", Servers, k1);
        Assert.True(result.ExitCode == ExitCodes.Failure, result.ToString());
        string[] lines = result.Output.TrimEnd('\n').Split('\n');
        Assert.EndsWith("installed over a value", lines[0], StringComparison.Ordinal);
        Assert.Equal($"descriptor {descriptor} on {Servers}: missing", lines[1]);
        Assert.StartsWith("repair: descriptor missing: the value the marker replaced is lost", lines[2], StringComparison.Ordinal);

        var repair = await CliRunner.RunAsync("mcas", "-s", Servers, "--repair", k1);
        Assert.Equal(ExitCodes.Failure, repair.ExitCode);
        Assert.StartsWith($"memstore mcas: not repaired: MCAS corruption: key(s) {k1} point to descriptor {descriptor}", Assert.Single(repair.ErrorLines), StringComparison.Ordinal);
        Assert.NotNull(StoredRecordCodec.TryDecodeMarker(await direct.GetAsync(k1)));   // left as it was
    }

    [Fact]
    public async Task An_orphan_marker_over_an_absent_key_is_deleted_by_repair()
    {
        var (k1, _) = Keys();
        var direct = await ClientAsync(Servers);
        await direct.SetAsync(k1, StoredRecordCodec.EncodeMarker($"memstore:mcas:{Guid.NewGuid():N}", overAbsent: true), flags: MemstoreWireFormat.ReservedFlag);

        var result = await CliRunner.RunAsync("mcas", "-s", Servers, k1);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("installed over an absent key\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("\nrepair: delete the orphan marker: the descriptor is gone", result.Output, StringComparison.Ordinal);
        Assert.True((await direct.GetAsync(k1)).Found);

        var repaired = await CliRunner.RunAsync("mcas", "-s", Servers, "--repair", k1);
        Assert.True(repaired.ExitCode == 0, repaired.ToString());
        Assert.EndsWith($"after repair:\nkey {k1} on {Servers}: no item\nrepair: nothing to do\n", repaired.Output, StringComparison.Ordinal);
        Assert.False((await direct.GetAsync(k1)).Found);
    }

    [Theory]
    [InlineData("memstore mcas: Missing KEY")]
    [InlineData("memstore mcas: Key \"bad key\" is invalid", "bad key")]
    [InlineData("memstore mcas: Option '--repair' takes no value", "--repair=yes", "k")]
    public async Task Bad_arguments_exit_2(string message, params string[] arguments)
    {
        var result = await CliRunner.RunAsync(["mcas", "-s", "127.0.0.1:1", .. arguments]);
        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Empty(result.Output);
        Assert.StartsWith(message, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pending_lists_an_abandoned_operation_and_pending_repair_finishes_it()
    {
        var (k1, k2) = Keys();
        var (mcas, owner, gate) = await OwnerHeldAfterPhase1Async(k1, k2, "n2"); // every marker in: as if the owner died
        string descriptor = (StoredRecordCodec.TryDecodeMarker(await mcas.Client.GetAsync(k1)) ?? throw new InvalidOperationException("no marker")).DescriptorKey;

        var listed = await CliRunner.RunAsync("mcas", "-s", Servers, "--pending");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Matches($@"(?m)^descriptor {descriptor} on {Escaped(Servers)}: undecided, 2 keys \({k1}, {k2}\), ttl=\d+$", listed.Output);
        Assert.Matches(@"(?m)^\d+ descriptor\(s\): [1-9]\d* undecided, \d+ succeeded, \d+ failed; --repair finishes them$", listed.Output);
        Assert.NotNull(StoredRecordCodec.TryDecodeMarker(await mcas.Client.GetAsync(k1))); // listing wrote nothing

        var repaired = await CliRunner.RunAsync("mcas", "-s", Servers, "--pending", "--repair");
        Assert.True(repaired.ExitCode == 0, repaired.ToString());
        Assert.Contains($"descriptor {descriptor} on {Servers}: undecided, 2 keys ({k1}, {k2})", repaired.Output, StringComparison.Ordinal);
        Assert.Contains("  repaired: succeeded, every key released", repaired.Output, StringComparison.Ordinal);
        Assert.Equal("n1", (await mcas.Client.GetAsync(k1)).AsString()); // plain reads: no marker left
        Assert.Equal("n2", (await mcas.Client.GetAsync(k2)).AsString());

        gate.SetResult();                                           // the owner's late decide finds it decided
        Assert.True(await owner.WaitAsync(Wait));
        Assert.Equal("n1", Text(await mcas.GetAsync(k1)));
    }

    [Theory]
    [InlineData("--pending KEY", "--pending lists every descriptor: give it no KEY")]
    [InlineData("--descriptor-prefix app: KEY", "--descriptor-prefix goes with --pending")]
    public async Task Pending_and_a_key_are_either_or(string arguments, string message)
    {
        var result = await CliRunner.RunAsync(["mcas", "-s", Servers, .. arguments.Split(' ')]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
    }

    /// <summary>k1 = "a1", k2 = "a2"; an owner commits k1 := "n1", k2 := <paramref name="second"/> and is held right after phase 1 until the gate opens.</summary>
    private async Task<(McasClient Mcas, Task<bool> Owner, TaskCompletionSource Gate)> OwnerHeldAfterPhase1Async(string k1, string k2, string second)
    {
        var mcas = await McasAsync(Servers);
        await mcas.Client.SetAsync(k1, "a1");
        await mcas.Client.SetAsync(k2, "a2");
        var reached = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        mcas.AfterPhase1ForTesting = async (_, _, _) =>
        {
            reached.TrySetResult();
            await gate.Task;
        };
        var owner = mcas.CompareAndSwapAsync([McasUpdate.Set(await mcas.GetAsync(k1), Utf8("n1")), McasUpdate.Set(await mcas.GetAsync(k2), Utf8(second))]).AsTask();
        await reached.Task.WaitAsync(Wait);
        return (mcas, owner, gate);
    }

    private static (string, string) Keys()
    {
        string id = Guid.NewGuid().ToString("N")[..8];
        return ($"cli-mcas:{id}:a", $"cli-mcas:{id}:b");
    }

    private static string Escaped(string text) => System.Text.RegularExpressions.Regex.Escape(text);

    private HoldingProxy Proxy()
    {
        var proxy = HoldingProxy.Start(fixture.Server);
        _owned.Add(proxy);
        return proxy;
    }

    private Task<MemcacheClient> ClientAsync(string servers)
    {
        var options = MemcacheClientOptions.Parse(servers);
        options.OperationTimeout = Wait;
        var client = new MemcacheClient(options);
        _owned.Add(client);
        return Task.FromResult(client);
    }

    private async Task<McasClient> McasAsync(string servers)
    {
        var mcas = new McasClient(await ClientAsync(servers));
        _owned.Add(mcas);
        return mcas;
    }
}
