using System.Collections.Concurrent;
using System.Text;
using Memstore.Collections;
using Memstore.Tests.Infrastructure;
using Memstore.Tests.Mcas;

namespace Memstore.Tests.Collections;

/// <summary>The deque (MCAS.md §2) against three real memcached servers.</summary>
[Trait("Category", "Memcached")]
public sealed class DequeTests(ThreeServerFixture cluster) : IClassFixture<ThreeServerFixture>
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string? S(DequePopResult r) => r.Success ? Encoding.UTF8.GetString(r.Value!) : null;

    [Fact]
    public async Task Order_matches_the_original_test()
    {
        await using var client = cluster.NewClient();
        var deque = await MemcacheDeque.CreateAsync(client, TestKeys.Unique("dq"));
        await deque.PushLeftAsync(B("5"));
        await deque.PushLeftAsync(B("10"));
        Assert.Equal("5", S(await deque.TryPopRightAsync()));
        await deque.PushRightAsync(B("7"));
        Assert.Equal("10", S(await deque.TryPopLeftAsync()));
        Assert.Equal("7", S(await deque.TryPopLeftAsync()));
        Assert.False((await deque.TryPopLeftAsync()).Success);
        Assert.False((await deque.TryPopRightAsync()).Success);
    }

    [Fact]
    public async Task Create_and_bind_across_handles_and_clients()
    {
        await using var one = cluster.NewClient();
        await using var two = cluster.NewClient();
        var name = TestKeys.Unique("dq");
        var created = await MemcacheDeque.CreateAsync(one, name);
        var bound = await MemcacheDeque.BindAsync(two, name);
        await created.PushRightAsync(B("a"));
        await bound.PushRightAsync(B("b"));
        await created.PushLeftAsync(B("z"));
        Assert.Equal("z", S(await bound.TryPopLeftAsync()));
        Assert.Equal("b", S(await created.TryPopRightAsync()));
        Assert.Equal("a", S(await bound.TryPopRightAsync()));
        Assert.True(await created.IsEmptyAsync());
    }

    [Fact]
    public async Task Create_of_an_existing_name_fails_and_bind_of_a_missing_one_fails()
    {
        await using var client = cluster.NewClient();
        var name = TestKeys.Unique("dq");
        await MemcacheDeque.CreateAsync(client, name);
        var exists = await Assert.ThrowsAsync<DequeNameException>(async () => await MemcacheDeque.CreateAsync(client, name));
        Assert.Equal(name, exists.Name);
        await Assert.ThrowsAsync<DequeNameException>(async () => await MemcacheDeque.BindAsync(client, TestKeys.Unique("nope")));
    }

    [Fact]
    public async Task A_node_missing_twice_is_corruption_naming_the_deque()
    {
        await using var client = cluster.NewClient();
        var name = TestKeys.Unique("dq");
        var deque = await MemcacheDeque.CreateAsync(client, name);
        await deque.PushRightAsync(B("1"));
        await deque.PushRightAsync(B("2"));
        var anchor = DequeCodec.DecodeAnchor(name, await client.GetAsync(name));
        await client.DeleteAsync(anchor.Right!); // "eviction" of the right end
        var other = await MemcacheDeque.BindAsync(client, name);
        var error = await Assert.ThrowsAsync<DequeCorruptionException>(async () => await other.TryPopRightAsync());
        Assert.Equal(name, error.Name);
        Assert.Contains(name, error.Message);
    }

    [Fact]
    public async Task A_half_done_push_is_stabilized_by_another_handle()
    {
        await using var client = cluster.NewClient();
        var name = TestKeys.Unique("dq");
        var deque = await MemcacheDeque.CreateAsync(client, name);
        await deque.PushRightAsync(B("1"));
        // Leave a right push half done: node written, anchor R_PUSH, old end not linked.
        var read = await client.GetAsync(name);
        var anchor = DequeCodec.DecodeAnchor(name, read);
        var nodeKey = name + ":n:manual";
        await client.SetAsync(nodeKey, DequeCodec.EncodeNode(new Node(B("2"), anchor.Right, null)), flags: Memstore.Mcas.MemstoreWireFormat.ReservedFlag);
        await client.CompareAndSetAsync(name, DequeCodec.EncodeAnchor(new Anchor(AnchorStatus.RightPush, anchor.Left, nodeKey)), read.Cas, flags: Memstore.Mcas.MemstoreWireFormat.ReservedFlag);
        var other = await MemcacheDeque.BindAsync(client, name);
        await other.StabilizeAsync();
        Assert.Equal(AnchorStatus.Stable, DequeCodec.DecodeAnchor(name, await client.GetAsync(name)).Status);
        Assert.Equal("1", S(await other.TryPopLeftAsync()));
        Assert.Equal("2", S(await other.TryPopLeftAsync()));
    }

    [Fact]
    public async Task Concurrent_producers_and_consumers_move_every_item_exactly_once()
    {
        await using var client = cluster.NewClient();
        var name = TestKeys.Unique("dq");
        await MemcacheDeque.CreateAsync(client, name);
        const int producers = 4, perProducer = 100;
        var seen = new ConcurrentDictionary<string, int>();
        var done = 0;
        var produce = Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            var deque = await MemcacheDeque.BindAsync(client, name);
            for (var i = 0; i < perProducer; i++)
            {
                if (i % 2 == 0) { await deque.PushRightAsync(B($"{p}:{i}")); } else { await deque.PushLeftAsync(B($"{p}:{i}")); }
            }
            Interlocked.Increment(ref done);
        })).ToArray();
        var consume = Enumerable.Range(0, 3).Select(c => Task.Run(async () =>
        {
            var deque = await MemcacheDeque.BindAsync(client, name);
            while (true)
            {
                var popped = c % 2 == 0 ? await deque.TryPopLeftAsync() : await deque.TryPopRightAsync();
                if (popped.Success)
                {
                    seen.AddOrUpdate(Encoding.UTF8.GetString(popped.Value!), 1, (_, n) => n + 1);
                }
                else if (Volatile.Read(ref done) == producers)
                {
                    if (!(await deque.TryPopLeftAsync()).Success) { return; }
                }
            }
        })).ToArray();
        await Task.WhenAll(produce.Concat(consume));
        Assert.Equal(producers * perProducer, seen.Count);
        Assert.All(seen.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task Sharded_deque_moves_every_item_and_binds_by_name()
    {
        await using var client = cluster.NewClient();
        var name = TestKeys.Unique("sdq");
        var sharded = await ShardedMemcacheDeque.CreateAsync(client, name, 4);
        var bound = await ShardedMemcacheDeque.BindAsync(client, name);
        Assert.Equal(4, bound.Shards.Count);
        for (var i = 0; i < 40; i++)
        {
            await sharded.PushRightAsync(B(i.ToString()));
        }
        var got = new List<int>();
        while (await bound.TryPopLeftAsync() is { Success: true } popped)
        {
            got.Add(int.Parse(Encoding.UTF8.GetString(popped.Value!)));
        }
        Assert.Equal(Enumerable.Range(0, 40), got.Order());
        await Assert.ThrowsAsync<DequeNameException>(async () => await ShardedMemcacheDeque.CreateAsync(client, name, 2));
    }
}
