using System.Text;
using Memstore.Cli;
using Memstore.Collections;
using Memstore.Mcas;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Cli;

/// <summary>`memstore deque NAME` against real memcached: deques built by the runtime, then links broken on purpose.</summary>
[Trait("Category", "Memcached")]
public sealed class DequeCommandTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>, IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    private string Servers => fixture.Server.ConnectionString;

    [Fact]
    public async Task A_healthy_deque_of_n_items_reports_n_and_max_nodes_bounds_the_walk()
    {
        string name = Name();
        var deque = await MemcacheDeque.CreateAsync(Client(), name);
        for (int i = 0; i < 20; i++)
        {
            await deque.PushRightAsync(Encoding.UTF8.GetBytes($"r{i}"));
        }

        for (int i = 0; i < 5; i++)
        {
            await deque.PushLeftAsync(Encoding.UTF8.GetBytes($"left{i}"));
        }

        _ = await deque.TryPopRightAsync();

        var result = await CliRunner.RunAsync("deque", "-s", Servers, name);
        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Output.TrimEnd('\n').Split('\n');
        Assert.Matches($@"^deque {name} on .*: anchor stable, left {name}:n:[0-9a-f]{{32}}, right {name}:n:[0-9a-f]{{32}}$", lines[0]);
        Assert.Equal(["length 24", "healthy"], lines[1..]);

        var nodes = await CliRunner.RunAsync("deque", "-s", Servers, "--show-nodes", name);
        Assert.True(nodes.ExitCode == 0, nodes.ToString());
        string[] nodeLines = nodes.Output.Split('\n').Where(l => l.StartsWith("  node ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(24, nodeLines.Length);
        Assert.EndsWith(" (5 bytes)", nodeLines[0], StringComparison.Ordinal);   // "left4" is the left end
        Assert.EndsWith(" (3 bytes)", nodeLines[^1], StringComparison.Ordinal);  // "r18": r19 was popped

        var bounded = await CliRunner.RunAsync("deque", "-s", Servers, "--max-nodes", "10", name);
        Assert.True(bounded.ExitCode == 0, bounded.ToString());
        Assert.EndsWith("\nlength more than 10 (the walk stopped at --max-nodes 10)\nno broken link in the nodes walked\n", bounded.Output, StringComparison.Ordinal);

        string empty = Name();
        await MemcacheDeque.CreateAsync(Client(), empty);
        var none = await CliRunner.RunAsync("deque", "-s", Servers, empty);
        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Equal($"deque {empty} on {Servers}: anchor stable, left none, right none\nlength 0\nhealthy\n", none.Output);
    }

    [Fact]
    public async Task A_missing_node_a_cycle_and_an_anchor_pointing_at_nothing_are_broken_links_with_exit_1()
    {
        string name = Name();
        var client = Client();
        var deque = await MemcacheDeque.CreateAsync(client, name);
        for (int i = 0; i < 6; i++)
        {
            await deque.PushRightAsync(new byte[] { (byte)i });
        }

        string[] keys = await NodeKeysAsync(name);
        Assert.Equal(6, keys.Length);

        // A cycle: node 3 links right back to node 1.
        CacheValue third = await client.GetAsync(keys[3]);
        Node node = DequeCodec.DecodeNode(keys[3], third);
        await client.SetAsync(keys[3], DequeCodec.EncodeNode(node with { Right = keys[1] }), flags: MemstoreWireFormat.ReservedFlag);
        var cycle = await CliRunner.RunAsync("deque", "-s", Servers, name);
        Assert.Equal(ExitCodes.Failure, cycle.ExitCode);
        Assert.EndsWith($"\nlength 4\nbroken: cycle: node {keys[3]} links right to {keys[1]}, which the walk already passed\n", cycle.Output, StringComparison.Ordinal);
        await client.SetAsync(keys[3], third.Value!, flags: third.Flags);

        // A missing node in the middle.
        Assert.Equal(DeleteStatus.Deleted, await client.DeleteAsync(keys[2]));
        var missing = await CliRunner.RunAsync("deque", "-s", Servers, name);
        Assert.Equal(ExitCodes.Failure, missing.ExitCode);
        Assert.EndsWith($"\nlength 2\nbroken: node {keys[2]}, linked from {keys[1]}, is missing\n", missing.Output, StringComparison.Ordinal);

        // The anchor's left end is gone.
        Assert.Equal(DeleteStatus.Deleted, await client.DeleteAsync(keys[0]));
        var anchor = await CliRunner.RunAsync("deque", "-s", Servers, name);
        Assert.Equal(ExitCodes.Failure, anchor.ExitCode);
        Assert.EndsWith($"\nlength 0\nbroken: the anchor's left end {keys[0]} is missing\n", anchor.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_push_caught_before_its_link_is_in_place_is_pending_not_broken(bool right)
    {
        // The state between a push's anchor CAS and its stabilize (docs/stored-format.md, "Protocol"), written
        // with the runtime's codec: the new node points at the old end, the old end does not point back yet.
        string name = Name();
        var client = Client();
        var deque = await MemcacheDeque.CreateAsync(client, name);
        for (int i = 0; i < 3; i++)
        {
            await deque.PushRightAsync(new byte[] { (byte)i });
        }

        CacheValue stored = await client.GetAsync(name);
        Anchor anchor = DequeCodec.DecodeAnchor(name, stored);
        string pushed = $"{name}:n:{Guid.NewGuid():N}";
        AnchorStatus status = right ? AnchorStatus.RightPush : AnchorStatus.LeftPush;
        Node node = right ? new Node([9], anchor.Right, null) : new Node([9], null, anchor.Left);
        await client.SetAsync(pushed, DequeCodec.EncodeNode(node), flags: MemstoreWireFormat.ReservedFlag);
        Anchor pushing = right ? anchor with { Status = status, Right = pushed } : anchor with { Status = status, Left = pushed };
        Assert.True((await client.CompareAndSetAsync(name, DequeCodec.EncodeAnchor(pushing), stored.Cas, flags: MemstoreWireFormat.ReservedFlag)).Stored);

        var result = await CliRunner.RunAsync("deque", "-s", Servers, name);
        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Output.TrimEnd('\n').Split('\n');
        Assert.Contains(right ? "anchor R_PUSH (a right push is being linked)" : "anchor L_PUSH (a left push is being linked)", lines[0], StringComparison.Ordinal);
        Assert.Equal("length 4", lines[1]);
        Assert.StartsWith(right ? "pending: right push in progress: " : "pending: left push in progress: ", lines[2], StringComparison.Ordinal);
        Assert.Contains(pushed, lines[2], StringComparison.Ordinal);
        Assert.Equal("healthy", lines[3]);
    }

    [Fact]
    public async Task A_sharded_deque_walks_every_shard()
    {
        string name = Name();
        var sharded = await ShardedMemcacheDeque.CreateAsync(Client(), name, 3);
        for (int i = 0; i < 7; i++)
        {
            await sharded.PushRightAsync(new byte[] { (byte)i });
        }

        var result = await CliRunner.RunAsync("deque", "-s", Servers, name);
        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Output.TrimEnd('\n').Split('\n');
        Assert.Equal($"sharded deque {name} on {Servers}: 3 shards", lines[0]);
        Assert.Equal(3, lines.Count(l => l.StartsWith($"deque {name}:s", StringComparison.Ordinal)));
        Assert.Equal(7, lines.Where(l => l.StartsWith("length ", StringComparison.Ordinal)).Sum(l => int.Parse(l["length ".Length..])));
        Assert.Equal(3, lines.Count(l => l == "healthy"));
    }

    [Fact]
    public async Task A_name_that_is_missing_or_not_a_deque_exits_1_and_bad_arguments_exit_2()
    {
        string name = Name();
        var missing = await CliRunner.RunAsync("deque", "-s", Servers, name);
        Assert.Equal(ExitCodes.Failure, missing.ExitCode);
        Assert.Equal([$"memstore deque: no deque named {name}: the key does not exist on {Servers}."], missing.ErrorLines);

        await Client().SetAsync(name, "plain");
        var plain = await CliRunner.RunAsync("deque", "-s", Servers, name);
        Assert.Equal(ExitCodes.Failure, plain.ExitCode);
        Assert.StartsWith($"memstore deque: The key {name} does not hold a Memstore deque anchor", Assert.Single(plain.ErrorLines), StringComparison.Ordinal);

        var noName = await CliRunner.RunAsync("deque", "-s", Servers);
        Assert.Equal(ExitCodes.Usage, noName.ExitCode);
        Assert.StartsWith("memstore deque: Missing NAME", Assert.Single(noName.ErrorLines), StringComparison.Ordinal);
        var bound = await CliRunner.RunAsync("deque", "-s", Servers, "--max-nodes", "0", name);
        Assert.Equal(ExitCodes.Usage, bound.ExitCode);
        Assert.StartsWith("memstore deque: Option '--max-nodes' needs a whole number from 1", Assert.Single(bound.ErrorLines), StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (IAsyncDisposable owned in _owned)
        {
            await owned.DisposeAsync();
        }
    }

    private static string Name() => $"cli-deque:{Guid.NewGuid().ToString("N")[..8]}";

    private MemcacheClient Client()
    {
        var client = MemcacheClient.Create(Servers);
        _owned.Add(client);
        return client;
    }

    /// <summary>The node keys in order, as `deque --show-nodes` lists them.</summary>
    private async Task<string[]> NodeKeysAsync(string name)
    {
        var result = await CliRunner.RunAsync("deque", "-s", Servers, "--show-nodes", name);
        Assert.True(result.ExitCode == 0, result.ToString());
        return [.. result.Output.Split('\n').Where(l => l.StartsWith("  node ", StringComparison.Ordinal)).Select(l => l.Split(' ')[3])];
    }
}
