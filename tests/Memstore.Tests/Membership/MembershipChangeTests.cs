using System.Collections.Concurrent;
using Memstore.Cluster;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Membership;

/// <summary>
/// Server-list changes under 16 concurrent callers, against real memcached servers: no call fails on a key whose
/// server stayed, the new ring is libmemcached's for the new list (checked on the servers themselves), and a
/// removed server drains: what it holds completes, then its connections close.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class MembershipChangeTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const int Callers = 16;
    private readonly List<MemcachedServer> _servers = [];

    public async Task InitializeAsync() =>
        _servers.AddRange(await MemcachedServer.StartManyAsync(4));

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }

    private ServerAddress[] List(params int[] indexes) => [.. indexes.Select(i => _servers[i].Address)];

    private static MemcacheClient NewClient(ServerAddress[] servers)
    {
        var options = new MemcacheClientOptions();
        foreach (var server in servers)
        {
            options.Servers.Add(server);
        }
        return new MemcacheClient(options);
    }

    [Fact]
    public Task Adding_a_server_fails_no_call_on_keys_whose_server_stayed() => ChangeUnderLoadAsync(List(0, 1, 2), List(0, 1, 2, 3));

    [Fact]
    public Task Removing_a_server_fails_no_call_on_keys_whose_server_stayed() => ChangeUnderLoadAsync(List(0, 1, 2), List(0, 2));

    [Fact]
    public Task Replacing_every_server_fails_no_call() => ChangeUnderLoadAsync(List(0, 1), List(2, 3));

    /// <summary>
    /// 16 callers each set and read back their own keys in a loop; the list changes mid-run. Calls are counted by
    /// key class: keys whose server is the same in both lists, and keys that move. A caller's read of a key whose
    /// server stayed must return what it last wrote.
    /// </summary>
    private async Task ChangeUnderLoadAsync(ServerAddress[] before, ServerAddress[] after)
    {
        await using var client = NewClient(before);
        await client.PingAsync();
        var oldRing = new HashRing(before);
        var newRing = new HashRing(after);
        var keys = Enumerable.Range(0, Callers * 40).Select(i => $"member:{i}").ToArray();
        bool Stays(string key) => oldRing.Servers[oldRing.Locate(key)] == newRing.Servers[newRing.Locate(key)];
        var failures = new ConcurrentDictionary<bool, ConcurrentBag<string>>();
        var calls = new int[2];
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, Callers).Select(c => Task.Run(async () =>
        {
            var mine = keys.Where((_, i) => i % Callers == c).ToArray();
            for (var round = 0; !stop.IsCancellationRequested && round < 100_000; round++)
            {
                foreach (var key in mine)
                {
                    var stays = Stays(key);
                    Interlocked.Increment(ref calls[stays ? 1 : 0]);
                    try
                    {
                        var value = $"{key}#{round}";
                        await client.SetAsync(key, value);
                        var read = (await client.GetAsync(key)).AsString();
                        if (stays && read != value)
                        {
                            failures.GetOrAdd(stays, _ => []).Add($"{key}: read {read ?? "a miss"} after writing {value}");
                        }
                    }
                    catch (Exception ex)
                    {
                        failures.GetOrAdd(stays, _ => []).Add($"{key}: {ex.GetType().Name}: {ex.Message}");
                    }
                }
            }
        })).ToArray();

        await Task.Delay(300);
        await client.UpdateServersAsync(after).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(400);
        await stop.CancelAsync();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(calls[1] + calls[0] > Callers * 40 * 2, $"only {calls[0] + calls[1]} calls ran");
        Assert.True(!failures.TryGetValue(true, out var stayed) || stayed.IsEmpty,
            $"{stayed?.Count} of {calls[1]} calls on keys whose server stayed failed:\n" + string.Join("\n", stayed?.Take(5) ?? []));
        // Keys that move may lose their value (the new server does not have it), but their calls must not fail
        // except, in the rare window of a call routed just before the swap, with the removed server's own message.
        var moved = failures.TryGetValue(false, out var bag) ? bag.ToList() : [];
        output.WriteLine($"{before.Length} -> {after.Length} servers: {calls[1]} calls on keys that stayed (0 failed), {calls[0]} on keys that moved ({moved.Count} failed)");
        Assert.All(moved, failure => Assert.Contains("was removed from the client's server list", failure, StringComparison.Ordinal));

        await Task.WhenAll(client.DrainingServers()).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(after, client.Servers);
        await AssertPlacedOnTheNewRingAsync(client, after);
    }

    /// <summary>Keys written after the change are on the server libmemcached's ring names for the new list, and only there.</summary>
    private static async Task AssertPlacedOnTheNewRingAsync(MemcacheClient client, ServerAddress[] after)
    {
        var ring = new HashRing(after);
        var keys = Enumerable.Range(0, 200).Select(i => $"placed-after:{Guid.NewGuid():N}:{i}").ToArray();
        foreach (var key in keys)
        {
            await client.SetAsync(key, key);
            Assert.Equal(ring.Servers[ring.Locate(key)], client.Locate(key));
        }
        foreach (var server in after)
        {
            await using var single = MemcacheClient.Create(server.ToString());
            var seen = await single.GetManyAsync(keys);
            for (var k = 0; k < keys.Length; k++)
            {
                Assert.Equal(ring.Servers[ring.Locate(keys[k])] == server, seen[k].Found);
            }
        }
    }

    [Fact]
    public async Task Servers_on_both_lists_keep_their_connections()
    {
        await using var client = NewClient(List(0, 1, 2));
        await client.PingAsync();
        var kept = client.Nodes.Where(n => n.Address != _servers[1].Address).SelectMany(n => n.Connections).ToList();
        await client.UpdateServersAsync(List(0, 2, 3));
        Assert.All(kept, connection => Assert.Contains(client.Nodes.SelectMany(n => n.Connections), c => ReferenceEquals(c, connection)));
        var connectionsBefore = await TotalConnectionsAsync(_servers[0]);
        await client.PingAsync();
        // The only new connection is the one the second count itself opens.
        Assert.Equal(connectionsBefore + 1, await TotalConnectionsAsync(_servers[0]));
    }

    private static async Task<long> TotalConnectionsAsync(MemcachedServer server)
    {
        await using var probe = MemcacheClient.Create(server.ConnectionString);
        var stats = await probe.GetStatsAsync();
        return long.Parse(stats.Single().Value["total_connections"], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_removed_server_finishes_a_held_request_then_closes_and_refuses_late_ones_saying_why()
    {
        await using var proxy = HoldingProxy.Start(_servers[0]);
        var proxied = new ServerAddress("127.0.0.1", proxy.Port);
        var remaining = _servers[1].Address;
        await using var client = NewClient([proxied, remaining]);
        await client.PingAsync();
        var key = Enumerable.Range(0, 200).Select(i => $"drain:{i}").First(k => client.Locate(k) == proxied);
        // What a call holds between its Route and its submit: the removed server's connection.
        var routedBefore = client.Nodes[0].NextConnection();

        var held = proxy.HoldNext(line => line.StartsWith("ms " + key, StringComparison.Ordinal));
        var set = client.SetAsync(key, "written while the server was being removed").AsTask();
        await held.Reached.WaitAsync(TimeSpan.FromSeconds(5));
        await client.UpdateServersAsync([remaining]).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(remaining, client.Locate(key)); // new calls go to the new list at once

        // Routed before the change, submitted after it: it queues behind the held request on the draining server.
        var late = Memstore.Transport.ServerCommandOperation.For(new Memstore.Protocol.Commands.NoOpCommand());
        late.Prepare(CancellationToken.None);
        await routedBefore.SubmitAsync(late, CancellationToken.None);
        var lateDone = late.AsValueTask().AsTask();
        await Task.Delay(200);
        Assert.False(set.IsCompleted);
        Assert.True(client.DrainingServers().Length == 1, "the removed server holds a request: it must still be draining");

        held.Release();
        Assert.True((await set.WaitAsync(TimeSpan.FromSeconds(5))).Stored);
        await lateDone.WaitAsync(TimeSpan.FromSeconds(5));
        await Task.WhenAll(client.DrainingServers()).WaitAsync(TimeSpan.FromSeconds(5));
        await using (var direct = MemcacheClient.Create(_servers[0].ConnectionString))
        {
            Assert.Equal("written while the server was being removed", (await direct.GetAsync(key)).AsString());
        }

        // Routed before the change, submitted after the drain closed the connection: refused, saying why.
        var refused = await Assert.ThrowsAsync<MemcacheConnectionException>(async () => await routedBefore.SubmitAsync(Memstore.Transport.ServerCommandOperation.For(new Memstore.Protocol.Commands.NoOpCommand()), CancellationToken.None));
        Assert.Contains($"{proxied} was removed from the client's server list", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Retry", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_server_is_probed_before_the_list_that_holds_it_is_published()
    {
        await using var client = NewClient(List(0));
        await client.PingAsync();
        await client.UpdateServersAsync(List(0, 1));
        var added = client.Nodes.Single(n => n.Address == _servers[1].Address);
        Assert.True(added.Health.FirstOutcome.IsCompletedSuccessfully);
        Assert.Null(await added.Health.FirstOutcome);
        Assert.NotNull(added.Connections[0].Settings); // its probe's stats settings are already known
    }

    [Fact]
    public async Task Health_events_follow_the_node_not_its_index_in_the_list()
    {
        var options = new MemcacheClientOptions { ServerFailureLimit = 1, DeadTime = TimeSpan.FromSeconds(30) };
        foreach (var server in List(0, 1, 2))
        {
            options.Servers.Add(server);
        }
        await using var client = new MemcacheClient(options);
        await client.PingAsync();
        await client.UpdateServersAsync(List(2, 1)); // server 2 moves from index 2 to index 0
        var dead = new TaskCompletionSource<ServerHealthChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ServerHealthChanged += (_, change) => dead.TrySetResult(change);
        await _servers[2].KillAsync();
        var key = Enumerable.Range(0, 200).Select(i => $"health:{i}").First(k => client.Locate(k) == _servers[2].Address);
        await Assert.ThrowsAnyAsync<MemcacheException>(() => client.GetAsync(key).AsTask());
        var change = await dead.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(_servers[2].Address, change.Server);
        Assert.False(client.ServerHealth[_servers[2].Address]);
        Assert.True(client.ServerHealth[_servers[1].Address]);
        var other = Enumerable.Range(0, 200).Select(i => $"health:{i}").First(k => client.Locate(k) == _servers[1].Address);
        Assert.True((await client.SetAsync(other, "still served")).Stored);
    }
}
