using System.Text;
using Memstore.Cluster;
using Memstore.Tests.Cluster;
using Memstore.Transport;

namespace Memstore.Tests.Membership;

/// <summary>
/// Without any server: after UpdateServersAsync the ring is the one libmemcached builds for the new list, bad
/// lists are refused with nothing changed, and a new server that cannot be reached is published marked dead.
/// Connections go through stream factories that never touch the network.
/// </summary>
[Trait("Category", "Unit")]
public sealed class MembershipPlacementTests
{
    private static MemcacheClientOptions Offline(IEnumerable<ServerAddress> servers, MemcacheDistribution distribution = MemcacheDistribution.Ketama)
    {
        var options = new MemcacheClientOptions
        {
            Distribution = distribution,
            ConnectionStreamFactory = new RefusingStreamFactory(),
            ConnectTimeout = TimeSpan.FromMilliseconds(200),
            ServerFailureLimit = 1000, // the servers of the old list stay "alive": Locate ignores health anyway
        };
        foreach (var server in servers)
        {
            options.Servers.Add(server);
        }
        return options;
    }

    [Theory]
    [InlineData("ketama")]
    [InlineData("ketama-weighted")]
    [InlineData("ketama-pre1010")]
    [InlineData("modula")]
    public async Task After_an_update_every_key_goes_where_libmemcached_puts_it_for_the_new_list(string distributionName)
    {
        var file = VectorFile.Load(distributionName);
        var multi = file.Configs.Where(c => c.Servers.Count > 1).ToList();
        var (first, second) = (multi[0], multi[^1]);
        await using var client = new MemcacheClient(Offline(first.Servers, file.Distribution));
        await client.UpdateServersAsync(second.Servers);
        Assert.Equal(second.Servers, client.Servers);
        var column = file.Configs.ToList().IndexOf(second);
        var mismatches = file.Keys.Where(k => client.Locate(k.Key) != second.Servers[k.Expected[column]]).Take(5)
            .Select(k => Convert.ToHexString(k.Key)).ToList();
        Assert.True(mismatches.Count == 0, $"{distributionName} {first.Name} -> {second.Name}: " + string.Join(", ", mismatches));
    }

    [Fact]
    public async Task Add_remove_and_replace_place_keys_like_a_client_created_with_the_new_list()
    {
        var a = ServerAddress.ParseList("10.9.0.1,10.9.0.2,10.9.0.3");
        var lists = new[]
        {
            ServerAddress.ParseList("10.9.0.1,10.9.0.2,10.9.0.3,10.9.0.4"), // add
            ServerAddress.ParseList("10.9.0.1,10.9.0.3,10.9.0.4"),          // remove
            ServerAddress.ParseList("10.9.1.1:11212,10.9.1.2:11212"),       // replace all
        };
        await using var client = new MemcacheClient(Offline(a));
        foreach (var list in lists)
        {
            await client.UpdateServersAsync(list);
            await using var fresh = new MemcacheClient(Offline(list));
            for (var i = 0; i < 2000; i++)
            {
                Assert.Equal(fresh.Locate($"key:{i}"), client.Locate($"key:{i}"));
            }
        }
    }

    [Fact]
    public async Task Adding_one_server_of_four_moves_about_a_quarter_of_the_keys_and_only_to_it()
    {
        var before = ServerAddress.ParseList("10.9.0.1,10.9.0.2,10.9.0.3");
        var added = new ServerAddress("10.9.0.4");
        await using var client = new MemcacheClient(Offline(before));
        var keys = Enumerable.Range(0, 4000).Select(i => $"spread:{i}").ToArray();
        var old = keys.Select(key => client.Locate(key)).ToArray();
        await client.UpdateServersAsync([.. before, added]);
        var moved = keys.Where((k, i) => client.Locate(k) != old[i]).ToList();
        Assert.All(moved, k => Assert.Equal(added, client.Locate(k)));
        Assert.InRange(moved.Count, 4000 / 4 - 400, 4000 / 4 + 400);
    }

    [Fact]
    public async Task Bad_lists_are_refused_and_the_old_list_stays()
    {
        var servers = ServerAddress.ParseList("10.9.0.1,10.9.0.2");
        await using var client = new MemcacheClient(Offline(servers));
        var empty = await Assert.ThrowsAsync<ArgumentException>(() => client.UpdateServersAsync([]).AsTask());
        Assert.Contains("empty", empty.Message, StringComparison.Ordinal);
        var twice = await Assert.ThrowsAsync<ArgumentException>(() => client.UpdateServersAsync(ServerAddress.ParseList("10.9.0.1,10.9.0.3,10.9.0.1")).AsTask());
        Assert.Contains("10.9.0.1:11211 twice", twice.Message, StringComparison.Ordinal);
        var hostless = await Assert.ThrowsAsync<ArgumentException>(() => client.UpdateServersAsync([default]).AsTask());
        Assert.Contains("no host", hostless.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.UpdateServersAsync(null!).AsTask());
        Assert.Equal(servers, client.Servers);
    }

    [Fact]
    public async Task An_unreachable_new_server_is_published_dead_so_failover_applies_at_once()
    {
        var servers = ServerAddress.ParseList("10.9.0.1");
        var options = Offline(servers);
        options.ServerFailureLimit = 3;
        options.DeadTime = TimeSpan.FromSeconds(30);
        await using var client = new MemcacheClient(options);
        var added = new ServerAddress("10.9.0.2");
        await client.UpdateServersAsync([.. servers, added]);
        Assert.False(client.ServerHealth[added]);
        var key = Enumerable.Range(0, 100).Select(i => $"k{i}").First(k => client.Locate(k) == added);
        var error = await Assert.ThrowsAsync<ServerUnavailableException>(() => client.GetAsync(key).AsTask());
        Assert.Contains("10.9.0.2:11211", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_update_changes_nothing_and_closes_the_servers_it_had_started()
    {
        var servers = ServerAddress.ParseList("10.9.0.1");
        var options = Offline(servers);
        var hanging = new HangingStreamFactory();
        options.ConnectionStreamFactory = hanging;
        options.ConnectTimeout = TimeSpan.FromSeconds(30);
        await using var client = new MemcacheClient(options);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.UpdateServersAsync(ServerAddress.ParseList("10.9.0.1,10.9.0.2"), cancel.Token).AsTask());
        Assert.Equal(servers, client.Servers);
        Assert.Single(client.Nodes);
    }

    [Fact]
    public async Task Concurrent_updates_run_one_after_another_and_leave_one_whole_list()
    {
        await using var client = new MemcacheClient(Offline(ServerAddress.ParseList("10.9.0.1")));
        var lists = Enumerable.Range(2, 8).Select(i => ServerAddress.ParseList($"10.9.0.1,10.9.0.{i}")).ToArray();
        var updates = new List<Task>();
        foreach (var list in lists)
        {
            updates.Add(client.UpdateServersAsync(list).AsTask());
        }
        await Task.WhenAll(updates);
        Assert.Contains(lists, list => list.SequenceEqual(client.Servers));
        Assert.Equal(2, client.Nodes.Count);
    }

    [Fact]
    public async Task Updating_a_disposed_client_throws()
    {
        var client = new MemcacheClient(Offline(ServerAddress.ParseList("10.9.0.1")));
        await client.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.UpdateServersAsync(ServerAddress.ParseList("10.9.0.2")).AsTask());
    }

    [Fact]
    public async Task A_change_is_counted_and_logged_with_what_changed()
    {
        var name = "membership-" + Guid.NewGuid().ToString("N");
        var counted = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MemstoreTelemetry.MeterName && instrument.Name == MemstoreTelemetry.MembershipEvents)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var values = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                values[tag.Key] = tag.Value;
            }
            if (Equals(values.GetValueOrDefault("memstore.client.name"), name))
            {
                counted.Enqueue((string)values["memstore.membership.event"]!);
            }
        });
        listener.Start();
        var logs = new Infrastructure.LogCapture();
        await using var client = new MemcacheClient(Offline(ServerAddress.ParseList("10.9.0.1,10.9.0.2")), logs) { TelemetryName = name };
        await client.UpdateServersAsync(ServerAddress.ParseList("10.9.0.2,10.9.0.3"));
        Assert.Equal(["changed"], counted);
        Assert.Contains(logs.Texts(30), t => t.Contains("from 2 to 2 server(s) (1 added, 1 removed, draining)", StringComparison.Ordinal)
            && t.Contains("10.9.0.2:11211,10.9.0.3:11211", StringComparison.Ordinal));
        Assert.Contains(logs.Texts(31), t => t.Contains("10.9.0.3:11211 failed its first probe", StringComparison.Ordinal));
        await Task.WhenAll(client.DrainingServers()).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains(logs.Texts(32), t => t.Contains("Removed server 10.9.0.1:11211 drained", StringComparison.Ordinal));
    }

    /// <summary>Every connect fails at once: placement needs no server.</summary>
    private sealed class RefusingStreamFactory : IConnectionStreamFactory
    {
        public ValueTask<Stream> ConnectAsync(ServerAddress server, TimeSpan timeout, CancellationToken cancellationToken) =>
            ValueTask.FromException<Stream>(new IOException($"{server}: refused by the test (no network in this test)."));
    }

    /// <summary>Every connect waits until cancelled: a new server whose probe never decides.</summary>
    private sealed class HangingStreamFactory : IConnectionStreamFactory
    {
        public async ValueTask<Stream> ConnectAsync(ServerAddress server, TimeSpan timeout, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
