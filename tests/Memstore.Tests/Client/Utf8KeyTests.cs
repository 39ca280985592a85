using System.Buffers;
using System.Text;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Client;

/// <summary>
/// Keys given as UTF-8 bytes: the same item, server, rules and error messages as the equal string key.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class Utf8KeyTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>, IAsyncLifetime
{
    private MemcacheClient _client = null!;

    public Task InitializeAsync()
    {
        _client = MemcacheClient.Create(fixture.Server.ConnectionString);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Reads_and_writes_by_bytes_address_the_same_item_as_the_string()
    {
        var key = TestKeys.Unique("bytes-é");
        var keyBytes = Utf8(key);

        var stored = await _client.SetAsync(keyBytes, "one"u8, flags: 7);
        Assert.True(stored.Stored);
        var byString = await _client.GetAsync(key);
        Assert.Equal("one", byString.AsString());
        Assert.Equal(7u, byString.Flags);
        Assert.Equal(stored.Cas, byString.Cas);

        await _client.SetAsync(key, "two");
        Assert.Equal("two", (await _client.GetAsync(keyBytes)).AsString());

        var writer = new ArrayBufferWriter<byte>();
        var info = await _client.GetAsync(keyBytes, writer);
        Assert.True(info.Found);
        Assert.Equal("two", Encoding.UTF8.GetString(writer.WrittenSpan));

        using (var lease = await _client.GetLeaseAsync(keyBytes))
        {
            Assert.NotNull(lease);
            Assert.Equal("two", Encoding.UTF8.GetString(lease.Span));
        }

        Assert.Equal(StoreStatus.NotStored, (await _client.AddAsync(keyBytes, "x"u8)).Status);
        Assert.True((await _client.ReplaceAsync(keyBytes, "three"u8)).Stored);
        Assert.True((await _client.AppendAsync(keyBytes, "-end"u8)).Stored);
        Assert.True((await _client.PrependAsync(keyBytes, "start-"u8)).Stored);
        Assert.Equal("start-three-end", (await _client.GetAsync(key)).AsString());

        Assert.Equal(DeleteStatus.Deleted, await _client.DeleteAsync(keyBytes));
        Assert.False((await _client.GetAsync(key)).Found);
        Assert.Equal(DeleteStatus.NotFound, await _client.DeleteAsync(keyBytes));
        Assert.True((await _client.AddAsync(keyBytes, "again"u8)).Stored);
    }

    [Fact]
    public async Task Compare_and_set_by_bytes_refuses_a_stale_token()
    {
        var keyBytes = Utf8(TestKeys.Unique());
        await _client.SetAsync(keyBytes, "v1"u8);
        var read = await _client.GetAsync(keyBytes);
        Assert.True((await _client.CompareAndSetAsync(keyBytes, "v2"u8, read.Cas)).Stored);
        Assert.Equal(StoreStatus.Exists, (await _client.CompareAndSetAsync(keyBytes, "v3"u8, read.Cas)).Status);
        Assert.Equal("v2", (await _client.GetAsync(keyBytes)).AsString());
        await Assert.ThrowsAsync<ArgumentException>(async () => await _client.CompareAndSetAsync(keyBytes, "v4"u8, CasToken.None));

        var current = await _client.GetAsync(keyBytes);
        Assert.Equal(DeleteStatus.Exists, await _client.DeleteAsync(keyBytes, read.Cas));
        Assert.Equal(DeleteStatus.Deleted, await _client.DeleteAsync(keyBytes, current.Cas));
    }

    [Fact]
    public async Task Counters_touch_and_get_and_touch_by_bytes()
    {
        var keyBytes = Utf8(TestKeys.Unique());
        Assert.False((await _client.IncrementAsync(keyBytes)).Found);
        Assert.Equal(10ul, (await _client.IncrementAsync(keyBytes, 5, initialValue: 10)).Value);
        Assert.Equal(15ul, (await _client.IncrementAsync(keyBytes, 5)).Value);
        Assert.Equal(12ul, (await _client.DecrementAsync(keyBytes, 3)).Value);
        Assert.Equal("12", (await _client.GetAsync(Encoding.UTF8.GetString(keyBytes))).AsString());

        Assert.True(await _client.TouchAsync(keyBytes, TimeSpan.FromSeconds(100)));
        Assert.False(await _client.TouchAsync(Utf8(TestKeys.Unique()), TimeSpan.FromSeconds(100)));
        var touched = await _client.GetAndTouchAsync(keyBytes, TimeSpan.FromSeconds(200));
        Assert.Equal("12", touched.AsString());
    }

    [Fact]
    public async Task Byte_keys_follow_the_text_rules_and_errors_show_the_key_as_text()
    {
        var survivor = TestKeys.Unique();
        await _client.SetAsync(survivor, "still here");

        var injection = await Assert.ThrowsAsync<InvalidKeyException>(async () => await _client.GetAsync("a\r\nflush_all"u8.ToArray()));
        Assert.Contains("\"a\\r\\nflush_all\"", injection.Message);
        Assert.Equal("a\r\nflush_all", injection.Key);
        await Assert.ThrowsAsync<InvalidKeyException>(async () => await _client.SetAsync("a\r\nflush_all"u8, "x"u8));
        await Assert.ThrowsAsync<InvalidKeyException>(async () => await _client.DeleteAsync("has space"u8));
        await Assert.ThrowsAsync<InvalidKeyException>(async () => await _client.IncrementAsync("del\u007f"u8));
        Assert.Contains("empty", (await Assert.ThrowsAsync<InvalidKeyException>(async () => await _client.GetAsync(ReadOnlySpan<byte>.Empty))).Message);

        Assert.True((await _client.SetAsync(Utf8(new string('k', 250)), "ok"u8)).Stored);
        var tooLong = await Assert.ThrowsAsync<InvalidKeyException>(async () => await _client.GetAsync(Utf8(new string('é', 126))));
        Assert.Contains("252 UTF-8 bytes", tooLong.Message);

        Assert.Equal("still here", (await _client.GetAsync(survivor)).AsString());
        Assert.Equal("0", Assert.Single(await _client.GetStatsAsync()).Value["cmd_flush"]);
    }

    [Fact]
    public async Task Binary_key_mode_takes_any_bytes_up_to_186()
    {
        var options = MemcacheClientOptions.Parse(fixture.Server.ConnectionString);
        options.KeyMode = KeyMode.Base64;
        await using var client = new MemcacheClient(options);
        var key = Utf8("line\r\nbreak and space " + Guid.NewGuid());
        await client.SetAsync(key, "binary-safe"u8);
        Assert.Equal("binary-safe", (await client.GetAsync(Encoding.UTF8.GetString(key))).AsString());
        await Assert.ThrowsAsync<InvalidKeyException>(async () => await client.GetAsync(new byte[187]));
        Assert.False((await client.GetAsync(new byte[186])).Found);
    }

    [Fact]
    public async Task Oversized_values_and_server_errors_name_the_byte_key()
    {
        var options = MemcacheClientOptions.Parse(fixture.Server.ConnectionString);
        options.MaxValueSize = 2 * 1024 * 1024;
        await using var client = new MemcacheClient(options);
        var key = TestKeys.Unique();

        var tooLarge = await Assert.ThrowsAsync<ValueTooLargeException>(async () => await client.SetAsync(Utf8(key), new byte[2 * 1024 * 1024 + 1]));
        Assert.Contains(key, tooLarge.Message);

        // 1.5 MiB passes the client's limit but not the server's default 1 MiB items: refused before sending,
        // once the connection has learnt the server's limit.
        await client.PingAsync();
        var refused = await Assert.ThrowsAsync<ValueTooLargeException>(async () => await client.SetAsync(Utf8(key), new byte[1536 * 1024]));
        Assert.Contains(key, refused.Message);
        Assert.Contains("item_size_max", refused.Message);
        Assert.True((await client.SetAsync(Utf8(key), "fine"u8)).Stored);
    }

    [Fact]
    public async Task Byte_and_string_keys_locate_the_same_server()
    {
        // Locate does no I/O, so nothing needs to listen on these ports.
        await using var client = MemcacheClient.Create("127.0.0.1:11311,127.0.0.1:11312,127.0.0.1:11313:2,[::1]:11314");
        for (var i = 0; i < 2000; i++)
        {
            var key = i % 3 == 0 ? $"user:{i}:é" : $"k{i}";
            Assert.Equal(client.Locate(key), client.Locate(Utf8(key)));
        }
        Assert.Throws<InvalidKeyException>(() => client.Locate("a b"u8));
    }

    [Fact]
    public async Task Every_form_of_MemcacheKey_addresses_the_same_item()
    {
        var key = TestKeys.Unique("forms");
        var bytes = Utf8(key);
        await _client.SetAsync(key, "v");

        Assert.Equal("v", (await _client.GetAsync(new MemcacheKey(key))).AsString());
        Assert.Equal("v", (await _client.GetAsync(MemcacheKey.FromUtf8(bytes))).AsString());
        Assert.Equal("v", (await _client.GetAsync(bytes.AsSpan())).AsString()); // Span<byte>
        Assert.Equal("v", (await _client.GetAsync((ReadOnlySpan<byte>)bytes)).AsString());
        Assert.Equal(_client.Locate(key), _client.Locate(bytes));
        Assert.Equal(key, new MemcacheKey(bytes).ToString());
        Assert.True(new MemcacheKey(key).IsText);
        Assert.False(new MemcacheKey(bytes).IsText);
    }

    [Fact]
    public void Missing_keys_are_refused_before_anything_is_sent()
    {
#pragma warning disable CA2012 // Each call throws before it returns a ValueTask: that is what these lines check.
        Assert.Throws<ArgumentNullException>(() => _client.GetAsync((string)null!));
        Assert.Throws<InvalidKeyException>(() => _client.GetAsync((byte[]?)null));
        Assert.Throws<InvalidKeyException>(() => _client.DeleteAsync(default(MemcacheKey)));
#pragma warning restore CA2012
    }
}
