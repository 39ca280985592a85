using System.Text;
using Memstore.Generators.Tests.Stores;
using Memstore.Tests.Infrastructure;

namespace Memstore.Generators.Tests;

/// <summary>
/// Generated keyspaces build keys as UTF-8 in a stack buffer and hand them to the client as bytes: the same
/// keys as the string form, the same rules, errors that name the key, and nothing sent when input is bad.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class TypedKeyInputTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>, IAsyncLifetime
{
    private MemcacheClient _client = null!;
    private TestStore _store = null!;

    public Task InitializeAsync()
    {
        _client = MemcacheClient.Create(fixture.Server.ConnectionString);
        _store = new TestStore(_client);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task Keys_with_non_ascii_parts_are_the_utf8_of_the_formatted_key()
    {
        var tenant = "tënant-" + Guid.NewGuid().ToString("N")[..8];
        var key = (tenant, Region.Eu, Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"), 7);
        await _store.Texts.SetAsync(key, "grüße");

        var formatted = _store.Texts.FormatKey(key);
        Assert.Equal($"gt:text:{tenant}/-1/00112233445566778899aabbccddeeff/7", formatted);
        Assert.Equal("grüße", (await _client.GetAsync(formatted)).AsString());
        Assert.Equal("grüße", (await _client.GetAsync(Encoding.UTF8.GetBytes(formatted))).AsString());
        Assert.Equal("grüße", await _store.Texts.GetAsync(key));
        Assert.True(await _store.Texts.TouchAsync(key, TimeSpan.FromMinutes(5)));
        Assert.Equal("grüße", (await _store.Texts.GetAndTouchAsync(key, TimeSpan.FromMinutes(5))).Value);
    }

    [Fact]
    public async Task A_key_part_with_a_space_or_line_break_is_refused_and_nothing_is_sent()
    {
        var before = Assert.Single(await _client.GetStatsAsync()).Value;

        var injected = await Assert.ThrowsAsync<InvalidKeyException>(async () => await _store.Everything.GetAsync("a\r\nflush_all"));
        Assert.Contains("\"gt:all:a\\r\\nflush_all\"", injected.Message);
        Assert.Equal("gt:all:a\r\nflush_all", injected.Key);
        await Assert.ThrowsAsync<InvalidKeyException>(async () => await _store.Everything.DeleteAsync("has space"));
        await Assert.ThrowsAsync<InvalidKeyException>(async () => await _store.Hits.IncrementAsync("tab\there"));

        var after = Assert.Single(await _client.GetStatsAsync()).Value;
        Assert.Equal("0", after["cmd_flush"]);
        Assert.Equal(before["cmd_get"], after["cmd_get"]);
        Assert.Equal(before["cmd_set"], after["cmd_set"]);
    }

    [Fact]
    public async Task Keys_over_250_bytes_are_refused_whether_they_fit_the_buffer_or_not()
    {
        // "gt:all:" is 7 bytes: 243 more make 250 (allowed), 244 make 251; 400 overflow the 256-byte buffer.
        Assert.Equal(250, Encoding.UTF8.GetByteCount(_store.Everything.FormatKey(new string('k', 243))));
        var justOver = await Assert.ThrowsAsync<InvalidKeyException>(async () => await _store.Everything.GetAsync(new string('k', 244)));
        Assert.Contains("251 UTF-8 bytes", justOver.Message);
        var overflow = await Assert.ThrowsAsync<InvalidKeyException>(async () => await _store.Everything.GetAsync(new string('é', 200)));
        Assert.Contains("longer than 256 bytes; the limit is 250 bytes", overflow.Message);
        Assert.Contains("186 bytes in base64 key mode", overflow.Message);
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await _store.Everything.GetAsync(null!));
    }

    [Fact]
    public async Task Compare_and_set_without_a_token_is_refused_instead_of_storing_unconditionally()
    {
        await _store.Texts.SetAsync(("cas-none", Region.Us, Guid.Empty, 1), "original");
        await Assert.ThrowsAsync<ArgumentException>(async () => await _store.Texts.CompareAndSetAsync(("cas-none", Region.Us, Guid.Empty, 1), "overwritten", CasToken.None));
        Assert.Equal("original", await _store.Texts.GetAsync(("cas-none", Region.Us, Guid.Empty, 1)));
    }

    [Fact]
    public async Task Byte_values_read_back_as_their_own_arrays_at_every_pool_size()
    {
        // Typed reads decode from a pooled buffer; sizes at and around the pool's buckets must still come back
        // as exact, private copies.
        foreach (var size in new[] { 0, 1, 255, 256, 257, 1024, 4096 })
        {
            var value = Enumerable.Range(0, size).Select(i => (byte)(i * 7 + size)).ToArray();
            await _store.Blobs.SetAsync(size, value);
            var first = await _store.Blobs.GetAsync(size);
            Assert.Equal(value, first);
            Array.Clear(first!);
            Assert.Equal(value, await _store.Blobs.GetAsync(size));
        }
    }

    [Fact]
    public async Task Get_many_sends_keys_built_as_bytes_long_and_short_in_caller_order()
    {
        // Long keys overflow the key list's first buffer, so it has to grow mid-way.
        var id = Guid.NewGuid();
        var keys = Enumerable.Range(0, 60)
            .Select(i => (Tenant: $"t{i}-" + new string(i % 2 == 0 ? 'ü' : 'x', i % 3 == 0 ? 80 : 3), Region: Region.Eu, Id: id, Slot: i))
            .ToList();
        for (var i = 0; i < keys.Count; i += 2)
        {
            await _store.Texts.SetAsync(keys[i], $"v{i}");
        }

        var items = await _store.Texts.GetManyAsync(keys);

        Assert.Equal(keys.Count, items.Length);
        for (var i = 0; i < keys.Count; i++)
        {
            Assert.Equal(i % 2 == 0, items[i].Found);
            Assert.Equal(i % 2 == 0 ? $"v{i}" : null, items[i].Value);
        }
        Assert.Empty(await _store.Everything.GetManyAsync([]));
    }

    [Fact]
    public async Task Get_many_with_one_bad_key_refuses_the_whole_call_and_sends_nothing()
    {
        var before = Assert.Single(await _client.GetStatsAsync()).Value["cmd_get"];
        var error = await Assert.ThrowsAsync<InvalidKeyException>(async () => await _store.Everything.GetManyAsync(["fine", "not fine", "also-fine"]));
        Assert.Equal("gt:all:not fine", error.Key);
        Assert.Equal(before, Assert.Single(await _client.GetStatsAsync()).Value["cmd_get"]);
    }

    [Fact]
    public async Task A_counter_holding_something_else_is_a_format_error_naming_the_key()
    {
        var page = "bad-" + Guid.NewGuid().ToString("N");
        await _client.SetAsync(_store.Hits.FormatKey(page), "not a number");

        var error = await Assert.ThrowsAsync<MemcacheFormatException>(async () => await _store.Hits.GetAsync(page));
        Assert.Contains($"gt:hits:{page}", error.Message);
        Assert.Contains("not a decimal number", error.Message);

        // memcached pads a counter that shrank with spaces; that is still a number.
        await _client.SetAsync(_store.Hits.FormatKey(page), "42   ");
        Assert.Equal(42ul, await _store.Hits.GetAsync(page));
        Assert.Null(await _store.Hits.GetAsync("absent-" + page));
    }
}
