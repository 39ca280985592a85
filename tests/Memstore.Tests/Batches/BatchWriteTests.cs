using System.Text;
using Memstore.Tests.Infrastructure;
using static Memstore.Tests.Infrastructure.StreamFactoryOptions;

namespace Memstore.Tests.Batches;

/// <summary>SetManyAsync, DeleteManyAsync, TouchManyAsync and GetAndTouchManyAsync against three real servers.</summary>
[Trait("Category", "Memcached")]
public sealed class BatchWriteTests : IAsyncLifetime
{
    private readonly ThreeServerFixture _cluster = new();

    private List<MemcachedServer> Servers => _cluster.Servers;

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    private MemcacheClientOptions Options()
    {
        var options = MemcacheClientOptions.Parse(_cluster.ConnectionString);
        options.OperationTimeout = TimeSpan.FromSeconds(2);
        options.ReconnectDelay = TimeSpan.FromMilliseconds(20);
        options.MaxReconnectDelay = TimeSpan.FromMilliseconds(200);
        return options;
    }

    private static BatchSetItem Item(string key, string value) => new(key, Encoding.UTF8.GetBytes(value));

    [Fact]
    public async Task Set_many_stores_every_item_and_answers_in_caller_order_across_three_servers()
    {
        await using var client = new MemcacheClient(Options());
        var items = Enumerable.Range(0, 150).Select(i => Item($"sm:{i}", $"v{i}")).ToArray();

        var results = await client.SetManyAsync(items, TimeSpan.FromMinutes(5), flags: 7);

        Assert.Equal(items.Select(i => i.Key), results.Select(r => r.Key));
        Assert.All(results, r => Assert.True(r.Succeeded && r.Value.Stored && r.Value.Cas.HasValue));
        var read = await client.GetManyAsync(items.Select(i => i.Key).ToArray());
        for (var i = 0; i < items.Length; i++)
        {
            Assert.Equal($"v{i}", read[i].AsString());
            Assert.Equal(7u, read[i].Flags);
            Assert.Equal(read[i].Cas, results[i].Value.Cas);
        }
        Assert.Equal(3, items.Select(i => client.Locate(i.Key)).Distinct().Count());
    }

    [Fact]
    public async Task A_key_given_twice_is_applied_in_caller_order()
    {
        await using var client = new MemcacheClient(Options());
        var results = await client.SetManyAsync([Item("dup", "first"), Item("other", "x"), Item("dup", "second")]);
        Assert.All(results, r => Assert.True(r.Value.Stored));
        Assert.Equal("second", (await client.GetAsync("dup")).AsString());

        var deleted = await client.DeleteManyAsync(["dup", "dup"]);
        Assert.Equal([DeleteStatus.Deleted, DeleteStatus.NotFound], deleted.Select(r => r.Value));
    }

    [Fact]
    public async Task Every_batch_kind_costs_one_write_per_server()
    {
        var streams = new CountingStreamFactory();
        await using var client = new MemcacheClient(WithStreams(Options(), streams));
        var keys = Enumerable.Range(0, 300).Select(i => $"wave:{i}").ToArray();
        await client.PingAsync(); // every connection open and probed
        var kinds = new (string Name, Func<Task> Run)[]
        {
            ("set", () => client.SetManyAsync(keys.Select(k => Item(k, k)).ToArray()).AsTask()),
            ("touch", () => client.TouchManyAsync(keys, TimeSpan.FromMinutes(1)).AsTask()),
            ("get-and-touch", () => client.GetAndTouchManyAsync(keys, TimeSpan.FromMinutes(2)).AsTask()),
            ("delete", () => client.DeleteManyAsync(keys).AsTask()),
            ("set quiet", () => client.SetManyQuietAsync(keys.Select(k => Item(k, k)).ToArray()).AsTask()),
            ("delete quiet", () => client.DeleteManyQuietAsync(keys).AsTask()),
        };
        foreach (var (name, run) in kinds)
        {
            var before = Servers.Select(s => streams.Writes(s.Address)).ToArray();
            await run();
            for (var s = 0; s < Servers.Count; s++)
            {
                Assert.True(1 == streams.Writes(Servers[s].Address) - before[s], $"{name}: {streams.Writes(Servers[s].Address) - before[s]} writes to server {s}");
            }
        }
    }

    [Fact]
    public async Task Touch_many_and_get_and_touch_many_answer_hits_and_misses_in_order()
    {
        await using var client = new MemcacheClient(Options());
        await client.SetManyAsync([Item("t:0", "zero"), Item("t:2", "two")]);
        string[] keys = ["t:0", "t:1", "t:2"];

        var touched = await client.TouchManyAsync(keys, TimeSpan.FromMinutes(1));
        Assert.Equal([true, false, true], touched.Select(r => r.Value));

        var read = await client.GetAndTouchManyAsync(keys, TimeSpan.FromMinutes(3));
        Assert.Equal(["zero", null, "two"], read.Select(r => r.Value.AsString()));
        var raw = await Servers[Servers.FindIndex(s => s.Address == client.Locate("t:0"))].RawAsync("mg t:0 t\r\n");
        Assert.Matches(@"^HD t1(7\d|80)\r\n", raw); // the TTL set by the last touch, 180 s
    }

    [Fact]
    public async Task A_dead_server_fails_only_its_own_keys_and_reports_each_of_them()
    {
        await using var client = new MemcacheClient(Options());
        var failures = new WriteFailureRecorder(client);
        await client.PingAsync();
        var items = Enumerable.Range(0, 90).Select(i => Item($"dead:{i}", "v")).ToArray();
        var victim = Servers[1];
        await victim.KillAsync();

        var results = await client.SetManyAsync(items);

        var onVictim = items.Where(i => client.Locate(i.Key) == victim.Address).Select(i => i.Key).ToHashSet();
        Assert.NotEmpty(onVictim);
        foreach (var result in results)
        {
            Assert.Equal(!onVictim.Contains(result.Key), result.Succeeded);
            if (!result.Succeeded)
            {
                Assert.IsAssignableFrom<MemcacheException>(result.Error);
                Assert.ThrowsAny<MemcacheException>(() => result.Value);
            }
        }
        var events = await failures.WaitForAsync(onVictim.Count);
        Assert.Equal(onVictim.OrderBy(k => k), events.Select(e => e.Key).OrderBy(k => k));
        Assert.All(events, e => Assert.True(e.Server == victim.Address && e.Operation == "set" && e.IsCertain && e.Error is MemcacheException));

        // The quiet variant reports the same keys and counts them.
        var quietFailed = await client.SetManyQuietAsync(items);
        Assert.Equal(onVictim.Count, quietFailed);
        var all = await failures.WaitForAsync(2 * onVictim.Count);
        Assert.Equal(onVictim.OrderBy(k => k), all.Skip(onVictim.Count).Select(e => e.Key).OrderBy(k => k));
    }

    [Fact]
    public async Task Single_key_writes_report_server_failures_but_not_results()
    {
        await using var client = new MemcacheClient(Options());
        var failures = new WriteFailureRecorder(client);
        var stored = await client.SetAsync("cas:key", "v1");
        var victim = Servers.First(s => s.Address != client.Locate("cas:key"));
        var deadKey = Enumerable.Range(0, 1000).Select(i => $"marker:{i}").First(k => client.Locate(k) == victim.Address);
        var deadKeys = Enumerable.Range(0, 1000).Select(i => $"on-dead:{i}").Where(k => client.Locate(k) == victim.Address).Take(4).ToArray();
        await client.SetAsync("cas:key", "v2");

        Assert.Equal(StoreStatus.Exists, (await client.CompareAndSetAsync("cas:key", "v3"u8, stored.Cas)).Status);
        Assert.Equal(StoreStatus.NotStored, (await client.AddAsync("cas:key", "x"u8)).Status);
        Assert.Equal(DeleteStatus.NotFound, await client.DeleteAsync("cas:missing"));
        Assert.Equal(DeleteStatus.Exists, (await client.DeleteAsync("cas:key", stored.Cas)));
        Assert.False(await client.TouchAsync("cas:missing", TimeSpan.FromMinutes(1)));

        await victim.KillAsync();
        var before = await failures.EventsBeforeAsync(async () =>
            await Assert.ThrowsAnyAsync<MemcacheException>(() => client.SetAsync(deadKey, "x").AsTask()), deadKey);
        Assert.Empty(before); // no CAS conflict, NotStored or NotFound was reported

        await Assert.ThrowsAnyAsync<MemcacheException>(() => client.DeleteAsync(deadKeys[0]).AsTask());
        await Assert.ThrowsAnyAsync<MemcacheException>(() => client.InvalidateAsync(deadKeys[1], TimeSpan.FromSeconds(30)).AsTask());
        await Assert.ThrowsAnyAsync<MemcacheException>(() => client.TouchAsync(deadKeys[2], TimeSpan.FromSeconds(30)).AsTask());
        await Assert.ThrowsAnyAsync<MemcacheException>(() => client.IncrementAsync(deadKeys[3]).AsTask());
        await Assert.ThrowsAnyAsync<MemcacheException>(() => client.GetAsync(deadKeys[0]).AsTask()); // a read: not reported
        var events = await failures.WaitForAsync(5);
        Assert.Equal([(deadKey, "set"), (deadKeys[0], "delete"), (deadKeys[1], "invalidate"), (deadKeys[2], "touch"), (deadKeys[3], "increment")],
            events.Select(e => (e.Key, e.Operation)));
    }

    [Fact]
#pragma warning disable CA2012 // The calls throw before returning a task.
    public async Task Invalid_items_are_refused_naming_their_index_and_nothing_is_sent()
    {
        var streams = new CountingStreamFactory();
        await using var client = new MemcacheClient(WithStreams(Options(), streams));
        await client.PingAsync();
        var before = Servers.Sum(s => streams.Writes(s.Address));

        var badKey = Assert.Throws<ArgumentException>(() => client.SetManyAsync([Item("ok:1", "v"), Item("bad key", "v")]));
        Assert.Contains("index 1", badKey.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidKeyException>(badKey.InnerException);
        Assert.Equal("items", badKey.ParamName);

        var tooLarge = Assert.Throws<ArgumentException>(() => client.SetManyQuietAsync([Item("ok:2", "v"), new BatchSetItem("big", new byte[2 * 1024 * 1024])]));
        Assert.Contains("index 1", tooLarge.Message, StringComparison.Ordinal);
        Assert.IsType<ValueTooLargeException>(tooLarge.InnerException);

        var nullKey = Assert.Throws<ArgumentException>(() => client.DeleteManyAsync(["ok:3", null!]));
        Assert.Contains("index 1", nullKey.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => client.DeleteManyQuietAsync([new string('k', 251)]));
        Assert.Throws<ArgumentNullException>(() => client.TouchManyAsync(null!, null));

        Assert.Equal(before, Servers.Sum(s => streams.Writes(s.Address)));
        Assert.False((await client.GetAsync("ok:1")).Found);
        Assert.Empty(await client.SetManyAsync([]));
        Assert.Equal(0, await client.SetManyQuietAsync([]));
    }
#pragma warning restore CA2012

    [Fact]
    public async Task Cancellation_fails_the_unanswered_keys_without_reporting_them()
    {
        await using var client = new MemcacheClient(Options());
        var failures = new WriteFailureRecorder(client);
        await client.PingAsync();
        using (var canceled = new CancellationTokenSource())
        {
            await canceled.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SetManyAsync([Item("c:0", "v")], cancellationToken: canceled.Token).AsTask());
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.DeleteManyQuietAsync(["c:0"], canceled.Token).AsTask());
        }

        var paused = Servers[0];
        var items = Enumerable.Range(0, 60).Select(i => Item($"c:{i}", "v")).ToArray();
        paused.Pause();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            var results = await client.SetManyAsync(items, cancellationToken: cts.Token);
            foreach (var result in results)
            {
                var onPaused = client.Locate(result.Key) == paused.Address;
                Assert.Equal(!onPaused, result.Succeeded);
                Assert.True(onPaused == result.Error is OperationCanceledException, result.ToString());
            }
            using var quietCts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SetManyQuietAsync(items, cancellationToken: quietCts.Token).AsTask());
        }
        finally
        {
            paused.Resume();
        }
        var marker = Enumerable.Range(0, 1000).Select(i => $"cm:{i}").First(k => client.Locate(k) == Servers[2].Address);
        await Servers[2].KillAsync();
        var before = await failures.EventsBeforeAsync(async () => await client.SetManyAsync([Item(marker, "v")]), marker);
        Assert.Empty(before);
    }

    [Fact]
    public async Task A_throwing_WriteFailed_handler_is_logged_and_does_not_stop_later_events()
    {
        var logs = new LogCapture();
        await using var client = new MemcacheClient(Options(), logs);
        client.WriteFailed += (_, _) => throw new InvalidOperationException("handler bug");
        var failures = new WriteFailureRecorder(client);
        var victim = Servers[0];
        var keys = Enumerable.Range(0, 1000).Select(i => $"h:{i}").Where(k => client.Locate(k) == victim.Address).Take(3).ToArray();
        await victim.KillAsync();

        var results = await client.DeleteManyAsync(keys);

        Assert.All(results, r => Assert.False(r.Succeeded));
        Assert.Equal(keys, (await failures.WaitForAsync(3)).Select(e => e.Key));
        for (var i = 0; i < 500 && logs.Messages.Count(m => m.EventId == 50) < 3; i++)
        {
            await Task.Delay(10);
        }
        Assert.Equal(3, logs.Messages.Count(m => m.EventId == 50));
        Assert.True((await client.SetAsync(Enumerable.Range(0, 1000).Select(i => $"ok:{i}").First(k => client.Locate(k) != victim.Address), "v")).Stored);
    }
}
