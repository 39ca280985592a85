using System.Buffers;
using System.Text;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Client;

/// <summary>Every client operation against a real memcached.</summary>
[Trait("Category", "Memcached")]
public sealed class OperationTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>, IAsyncLifetime
{
    private MemcacheClient _client = null!;

    public Task InitializeAsync()
    {
        _client = MemcacheClient.Create(fixture.Server.ConnectionString);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Set_then_get_returns_value_flags_and_cas()
    {
        var key = TestKeys.Unique();
        var stored = await _client.SetAsync(key, Bytes("hello"), flags: 42);
        Assert.Equal(StoreStatus.Stored, stored.Status);
        Assert.True(stored.Cas.HasValue);

        var value = await _client.GetAsync(key);
        Assert.True(value.Found);
        Assert.Equal("hello", value.AsString());
        Assert.Equal(42u, value.Flags);
        Assert.Equal(stored.Cas, value.Cas);
    }

    [Fact]
    public async Task Get_of_missing_key_is_a_miss_not_an_error()
    {
        var value = await _client.GetAsync(TestKeys.Unique());
        Assert.False(value.Found);
        Assert.Null(value.Value);
        Assert.False(value.Cas.HasValue);
    }

    [Fact]
    public async Task Empty_and_binary_values_round_trip()
    {
        var key = TestKeys.Unique();
        await _client.SetAsync(key, Array.Empty<byte>());
        Assert.Empty((await _client.GetAsync(key)).Value!);

        var binary = Enumerable.Range(0, 256).Select(i => (byte)i).Concat("\r\nEND\r\n"u8.ToArray()).ToArray();
        await _client.SetAsync(key, binary);
        Assert.Equal(binary, (await _client.GetAsync(key)).Value);
    }

    [Fact]
    public async Task Large_value_near_the_item_limit_round_trips()
    {
        var key = TestKeys.Unique();
        var value = new byte[1000 * 1000];
        Random.Shared.NextBytes(value);
        Assert.True((await _client.SetAsync(key, value)).Stored);
        Assert.Equal(value, (await _client.GetAsync(key)).Value);
    }

    [Fact]
    public async Task Get_into_buffer_writer_writes_the_value_and_reports_metadata()
    {
        var key = TestKeys.Unique();
        await _client.SetAsync(key, Bytes("buffered"), flags: 7);
        var buffer = new ArrayBufferWriter<byte>();
        var info = await _client.GetAsync(key, buffer);
        Assert.True(info.Found);
        Assert.Equal(8, info.Length);
        Assert.Equal(7u, info.Flags);
        Assert.Equal("buffered", Encoding.UTF8.GetString(buffer.WrittenSpan));

        var missBuffer = new ArrayBufferWriter<byte>();
        var miss = await _client.GetAsync(TestKeys.Unique(), missBuffer);
        Assert.False(miss.Found);
        Assert.Equal(0, missBuffer.WrittenCount);
    }

    [Fact]
    public async Task Get_lease_returns_pooled_bytes_and_null_on_miss()
    {
        var key = TestKeys.Unique();
        await _client.SetAsync(key, Bytes("leased"));
        using (var lease = await _client.GetLeaseAsync(key))
        {
            Assert.NotNull(lease);
            Assert.Equal("leased", Encoding.UTF8.GetString(lease.Span));
            Assert.Equal(6, lease.Length);
        }
        Assert.Null(await _client.GetLeaseAsync(TestKeys.Unique()));
    }

    [Fact]
    public async Task Add_stores_only_when_absent()
    {
        var key = TestKeys.Unique();
        Assert.Equal(StoreStatus.Stored, (await _client.AddAsync(key, Bytes("first"))).Status);
        Assert.Equal(StoreStatus.NotStored, (await _client.AddAsync(key, Bytes("second"))).Status);
        Assert.Equal("first", (await _client.GetAsync(key)).AsString());
    }

    [Fact]
    public async Task Replace_stores_only_when_present()
    {
        var key = TestKeys.Unique();
        Assert.Equal(StoreStatus.NotStored, (await _client.ReplaceAsync(key, Bytes("x"))).Status);
        Assert.False((await _client.GetAsync(key)).Found);
        await _client.SetAsync(key, Bytes("old"));
        Assert.Equal(StoreStatus.Stored, (await _client.ReplaceAsync(key, Bytes("new"))).Status);
        Assert.Equal("new", (await _client.GetAsync(key)).AsString());
    }

    [Fact]
    public async Task Append_and_prepend_extend_existing_items_and_keep_flags()
    {
        var key = TestKeys.Unique();
        Assert.Equal(StoreStatus.NotStored, (await _client.AppendAsync(key, Bytes("x"))).Status);
        await _client.SetAsync(key, Bytes("middle"), flags: 9);
        Assert.True((await _client.AppendAsync(key, Bytes(">"))).Stored);
        Assert.True((await _client.PrependAsync(key, Bytes("<"))).Stored);
        var value = await _client.GetAsync(key);
        Assert.Equal("<middle>", value.AsString());
        Assert.Equal(9u, value.Flags);
    }

    [Fact]
    public async Task Compare_and_set_succeeds_with_current_token_and_reports_conflicts()
    {
        var key = TestKeys.Unique();
        var first = await _client.SetAsync(key, Bytes("v1"));
        var read = await _client.GetAsync(key);

        var swapped = await _client.CompareAndSetAsync(key, Bytes("v2"), read.Cas);
        Assert.Equal(StoreStatus.Stored, swapped.Status);
        Assert.NotEqual(first.Cas, swapped.Cas);

        var stale = await _client.CompareAndSetAsync(key, Bytes("v3"), read.Cas);
        Assert.Equal(StoreStatus.Exists, stale.Status);
        Assert.Equal("v2", (await _client.GetAsync(key)).AsString());

        await _client.DeleteAsync(key);
        Assert.Equal(StoreStatus.NotFound, (await _client.CompareAndSetAsync(key, Bytes("v4"), swapped.Cas)).Status);
    }

    [Fact]
    public async Task Compare_and_set_without_a_token_is_an_argument_error()
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await _client.CompareAndSetAsync(TestKeys.Unique(), Bytes("x"), CasToken.None));
    }

    [Fact]
    public async Task Delete_reports_deleted_and_not_found()
    {
        var key = TestKeys.Unique();
        await _client.SetAsync(key, Bytes("x"));
        Assert.Equal(DeleteStatus.Deleted, await _client.DeleteAsync(key));
        Assert.Equal(DeleteStatus.NotFound, await _client.DeleteAsync(key));
        Assert.False((await _client.GetAsync(key)).Found);
    }

    [Fact]
    public async Task Delete_with_cas_only_deletes_the_unchanged_item()
    {
        var key = TestKeys.Unique();
        var first = await _client.SetAsync(key, Bytes("1"));
        var second = await _client.SetAsync(key, Bytes("2"));
        Assert.Equal(DeleteStatus.Exists, await _client.DeleteAsync(key, first.Cas));
        Assert.True((await _client.GetAsync(key)).Found);
        Assert.Equal(DeleteStatus.Deleted, await _client.DeleteAsync(key, second.Cas));
    }

    [Fact]
    public async Task Increment_and_decrement_with_initial_value()
    {
        var key = TestKeys.Unique();
        var missing = await _client.IncrementAsync(key, 5);
        Assert.False(missing.Found);

        var created = await _client.IncrementAsync(key, 5, initialValue: 100);
        Assert.True(created.Found);
        Assert.Equal(100ul, created.Value);

        Assert.Equal(107ul, (await _client.IncrementAsync(key, 7)).Value);
        Assert.Equal(100ul, (await _client.DecrementAsync(key, 7)).Value);
        Assert.Equal(0ul, (await _client.DecrementAsync(key, 1000)).Value); // memcached stops at zero
        Assert.Equal("0", (await _client.GetAsync(key)).AsString()!.Trim());
    }

    [Fact]
    public async Task Increment_wraps_at_two_to_the_64()
    {
        var key = TestKeys.Unique();
        await _client.SetAsync(key, Bytes(ulong.MaxValue.ToString()));
        Assert.Equal(1ul, (await _client.IncrementAsync(key, 2)).Value);
    }

    [Fact]
    public async Task Increment_of_a_non_number_is_a_client_error_and_the_connection_keeps_working()
    {
        var key = TestKeys.Unique();
        await _client.SetAsync(key, Bytes("not a number"));
        var error = await Assert.ThrowsAsync<MemcacheClientErrorException>(async () => await _client.IncrementAsync(key));
        Assert.Contains("non-numeric", error.Message);
        Assert.Contains(key, error.Message);
        Assert.Equal("not a number", (await _client.GetAsync(key)).AsString());
    }

    [Fact]
    public async Task Touch_sets_expiry_and_reports_misses()
    {
        var key = TestKeys.Unique();
        Assert.False(await _client.TouchAsync(key, TimeSpan.FromSeconds(10)));
        await _client.SetAsync(key, Bytes("x"));
        Assert.True(await _client.TouchAsync(key, TimeSpan.FromSeconds(1)));
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        Assert.False((await _client.GetAsync(key)).Found);
    }

    [Fact]
    public async Task Get_and_touch_returns_the_value_and_extends_its_life()
    {
        var key = TestKeys.Unique();
        // memcached's clock ticks once a second, so a TTL of N s lives N-1 to N s: 2 s is at least 1 s.
        await _client.SetAsync(key, Bytes("short"), TimeSpan.FromSeconds(2));
        var value = await _client.GetAndTouchAsync(key, TimeSpan.FromSeconds(100));
        Assert.Equal("short", value.AsString());
        await Task.Delay(TimeSpan.FromSeconds(3.2));
        Assert.True((await _client.GetAsync(key)).Found);
        Assert.False((await _client.GetAndTouchAsync(TestKeys.Unique(), TimeSpan.FromSeconds(1))).Found);
    }

    [Fact]
    public async Task Expiry_makes_items_disappear()
    {
        var key = TestKeys.Unique();
        // memcached's clock ticks once a second, so a TTL of N s lives N-1 to N s: 2 s is at least 1 s.
        await _client.SetAsync(key, Bytes("x"), TimeSpan.FromSeconds(2));
        Assert.True((await _client.GetAsync(key)).Found);
        await Task.Delay(TimeSpan.FromSeconds(3.2));
        Assert.False((await _client.GetAsync(key)).Found);
    }

    [Fact]
    public async Task Get_many_returns_hits_and_misses_in_caller_order()
    {
        var keys = Enumerable.Range(0, 50).Select(i => TestKeys.Unique($"m{i}")).ToArray();
        for (var i = 0; i < keys.Length; i += 2)
        {
            await _client.SetAsync(keys[i], Bytes($"value {i}"), flags: (uint)i);
        }
        var results = await _client.GetManyAsync([.. keys, keys[0]]);
        Assert.Equal(51, results.Length);
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(i % 2 == 0, results[i].Found);
            if (i % 2 == 0)
            {
                Assert.Equal($"value {i}", results[i].AsString());
                Assert.Equal((uint)i, results[i].Flags);
                Assert.True(results[i].Cas.HasValue);
            }
        }
        Assert.Equal("value 0", results[50].AsString()); // a repeated key gets its value in both places
        Assert.Empty(await _client.GetManyAsync([]));
    }

    [Fact]
    public async Task Version_stats_and_ping_answer_per_server()
    {
        var versions = await _client.GetVersionsAsync();
        Assert.Matches(@"^1\.\d+\.\d+", Assert.Single(versions).Value);

        var stats = Assert.Single(await _client.GetStatsAsync()).Value;
        Assert.Equal(versions.Single().Value, stats["version"]);
        Assert.True(long.Parse(stats["curr_connections"]) >= 1);

        var settings = Assert.Single(await _client.GetStatsAsync("settings")).Value;
        Assert.Equal(fixture.Server.Port.ToString(), settings["tcpport"]);

        var ping = Assert.Single(await _client.PingAsync());
        Assert.True(ping.Value > TimeSpan.Zero && ping.Value < TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Many_concurrent_callers_share_one_connection()
    {
        var keys = Enumerable.Range(0, 200).Select(i => TestKeys.Unique($"c{i}")).ToArray();
        await _client.PingAsync(); // connected
        var before = long.Parse(Assert.Single(await _client.GetStatsAsync()).Value["total_connections"]);
        await Task.WhenAll(keys.Select(async (key, i) =>
        {
            await _client.SetAsync(key, Bytes(i.ToString()));
            var value = await _client.GetAsync(key);
            Assert.Equal(i.ToString(), value.AsString());
        }));
        var after = long.Parse(Assert.Single(await _client.GetStatsAsync()).Value["total_connections"]);
        Assert.Equal(before, after); // 400 requests from 200 callers opened no new connection
    }

    [Fact]
    public async Task Utf8_keys_and_values_round_trip()
    {
        var key = TestKeys.Unique("clé-ключ-鍵");
        await _client.SetAsync(key, "välue ✓");
        Assert.Equal("välue ✓", (await _client.GetAsync(key)).AsString());
    }
}
