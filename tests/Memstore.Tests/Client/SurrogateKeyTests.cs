using System.Text;
using Memstore.Caching;
using Memstore.Collections;
using Memstore.Mcas;
using Memstore.Serialization;
using Memstore.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Distributed;

// Calls expected to throw before returning are discarded with _ =: there is no ValueTask to await.
#pragma warning disable CA2012

namespace Memstore.Tests.Client;

/// <summary>
/// Lone UTF-16 surrogates have no UTF-8 form; a lenient encoder makes them all U+FFFD, so distinct keys
/// would collide. Every path that encodes keys refuses them with InvalidKeyException before sending.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class SurrogateKeyTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>, IAsyncLifetime
{
    private MemcacheClient _client = null!;

    public Task InitializeAsync()
    {
        _client = MemcacheClient.Create(fixture.Server.ConnectionString);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    // Passed to the theory by index: xunit's serialization of theory data would turn the surrogates into U+FFFD.
    private static readonly string[] Invalid =
    [
        "sur:\uD800",          // lone high surrogate at the end
        "sur:\uDC00",          // lone low surrogate
        "sur:\uDC00\uD800x",   // a pair in the wrong order
        "\uD83D",              // nothing but a high surrogate
        "a\uD800b",            // high surrogate followed by a non-surrogate
    ];

    public static TheoryData<int> InvalidKeys() => [.. Enumerable.Range(0, Invalid.Length)];

    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public async Task The_client_refuses_invalid_utf16_on_every_operation(int index)
    {
        var key = Invalid[index];
        var error = Assert.Throws<InvalidKeyException>(() => { _ = _client.SetAsync(key, "v"); });
        Assert.Equal(key, error.Key);
        Assert.Contains("lone surrogate", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidKeyException>(() => { _ = _client.GetAsync(key); });
        Assert.Throws<InvalidKeyException>(() => { _ = _client.DeleteAsync(key); });
        Assert.Throws<InvalidKeyException>(() => { _ = _client.IncrementAsync(key); });
        Assert.Throws<InvalidKeyException>(() => { _ = _client.TouchAsync(key, TimeSpan.FromMinutes(1)); });
        Assert.Throws<InvalidKeyException>(() => _client.Locate(key));
        await Assert.ThrowsAsync<InvalidKeyException>(async () => await _client.GetManyAsync(["fine", key]));
    }

    [Fact]
    public async Task The_two_keys_of_the_report_no_longer_collide_and_nothing_is_stored()
    {
        Assert.Throws<InvalidKeyException>(() => { _ = _client.SetAsync("sur:\uD800", "high"); });
        Assert.Throws<InvalidKeyException>(() => { _ = _client.SetAsync("sur:\uDC00", "low"); });
        Assert.False((await _client.GetAsync("sur:\uFFFD")).Found);
    }

    [Fact]
    public async Task A_valid_surrogate_pair_is_a_key_like_any_other()
    {
        var key = TestKeys.Unique("emoji:\uD83D\uDE00");
        Assert.True((await _client.SetAsync(key, "smile")).Stored);
        Assert.Equal("smile", (await _client.GetAsync(key)).AsString());
        Assert.False((await _client.GetAsync(key.Replace("\uD83D\uDE00", "\uFFFD", StringComparison.Ordinal))).Found);
    }

    [Fact]
    public void The_generated_key_builder_refuses_invalid_utf16()
    {
        Span<byte> buffer = stackalloc byte[KeyBuilder.MaxLength];
        var builder = new KeyBuilder(buffer);
        builder.Append("user:"u8);
        InvalidKeyException? error = null;
        try
        {
            builder.Append("x\uDC00");
        }
        catch (InvalidKeyException ex)
        {
            error = ex;
        }
        Assert.NotNull(error);
        Assert.Contains("lone surrogate", error.Message, StringComparison.Ordinal);
        builder.Clear();
        builder.Append("user:\uD83D\uDE00");
        Assert.Equal("user:\uD83D\uDE00", builder.ToKeyString());
    }

    [Fact]
    public async Task Mcas_refuses_invalid_utf16_before_writing_anything()
    {
        await using var mcas = new McasClient(_client);
        await Assert.ThrowsAsync<InvalidKeyException>(async () => await mcas.GetAsync("mcas:\uD800"));
        var fine = TestKeys.Unique("mcas");
        var updates = new[]
        {
            McasUpdate.Set(McasEntry.Absent(fine), Encoding.UTF8.GetBytes("a")),
            McasUpdate.Set(McasEntry.Absent("mcas:\uDC00"), Encoding.UTF8.GetBytes("b")),
        };
        await Assert.ThrowsAsync<InvalidKeyException>(async () => await mcas.CompareAndSwapAsync(updates));
        Assert.False((await _client.GetAsync(fine)).Found);
    }

    [Fact]
    public async Task The_deque_refuses_a_name_with_invalid_utf16()
    {
        await Assert.ThrowsAsync<InvalidKeyException>(async () => await MemcacheDeque.CreateAsync(_client, "dq:\uD800"));
        await Assert.ThrowsAsync<InvalidKeyException>(async () => await MemcacheDeque.BindAsync(_client, "dq:\uDC00"));
    }

    [Fact]
    public async Task The_distributed_cache_refuses_invalid_utf16()
    {
        var cache = new MemcacheDistributedCache(_client);
        await Assert.ThrowsAsync<InvalidKeyException>(() => cache.SetAsync("dc:\uD800", [1], new DistributedCacheEntryOptions()));
        await Assert.ThrowsAsync<InvalidKeyException>(() => cache.GetAsync("dc:\uDC00"));
        await Assert.ThrowsAsync<InvalidKeyException>(() => cache.RemoveAsync("dc:\uD800"));
        await Assert.ThrowsAsync<InvalidKeyException>(() => cache.RefreshAsync("dc:\uD800"));
    }
}
