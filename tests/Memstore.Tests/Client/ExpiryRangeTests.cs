using Memstore.Tests.Infrastructure;

// Calls expected to throw before returning are discarded with _ =: there is no ValueTask to await.
#pragma warning disable CA2012

namespace Memstore.Tests.Client;

/// <summary>
/// Expiries against real memcached: up to 30 days relative, then absolute Unix time up to 2^31 - 1
/// (2038-01-19); anything later is refused before sending instead of being stored as already expired.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class ExpiryRangeTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>, IAsyncLifetime
{
    private MemcacheClient _client = null!;

    public Task InitializeAsync()
    {
        _client = MemcacheClient.Create(fixture.Server.ConnectionString);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    /// <summary>The remaining TTL memcached reports for the key (mg ... t), in seconds.</summary>
    private async Task<long> RemainingTtlAsync(string key)
    {
        var reply = await fixture.Server.RawAsync($"mg {key} t\r\n");
        Assert.StartsWith("HD t", reply, StringComparison.Ordinal);
        return long.Parse(reply[4..reply.IndexOf('\r', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
    }

    public static TheoryData<string, double> Storable() => new()
    {
        { "30 days (the last relative TTL)", TimeSpan.FromDays(30).TotalSeconds },
        { "30 days + 1 s (the first absolute time)", TimeSpan.FromDays(30).TotalSeconds + 1 },
        { "10 years", TimeSpan.FromDays(3652).TotalSeconds },
    };

    [Theory]
    [MemberData(nameof(Storable))]
    public async Task Expiries_up_to_2038_are_stored_with_the_ttl_asked_for(string what, double seconds)
    {
        var key = TestKeys.Unique("ttl");
        var result = await _client.SetAsync(key, "v", TimeSpan.FromSeconds(seconds));
        Assert.True(result.Stored, what);
        Assert.Equal("v", (await _client.GetAsync(key)).AsString());
        var remaining = await RemainingTtlAsync(key);
        // memcached's clock ticks once a second and may lag the client's by one: an absolute expiry can read 1 s long.
        Assert.InRange(remaining, (long)seconds - 5, (long)seconds + 1);
    }

    [Theory]
    [InlineData(13)]
    [InlineData(50)]
    public void Expiries_past_2038_are_refused_before_anything_is_sent(int years)
    {
        var key = TestKeys.Unique("ttl");
        var expiry = TimeSpan.FromDays(365 * years);
        // An argument mistake: thrown by the call itself, not through the task.
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => { _ = _client.SetAsync(key, "v", expiry); });
        Assert.Equal("expiry", error.ParamName);
        Assert.Contains("2038-01-19", error.Message, StringComparison.Ordinal);
        Assert.Contains("null", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = _client.TouchAsync(key, expiry); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = _client.GetAndTouchAsync(key, expiry); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = _client.IncrementAsync(key, 1, 0, expiry); });
    }

    [Fact]
    public async Task Nothing_is_stored_by_a_refused_expiry()
    {
        var key = TestKeys.Unique("ttl");
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = _client.SetAsync(key, "v", TimeSpan.FromDays(365 * 13)); });
        Assert.False((await _client.GetAsync(key)).Found);
        Assert.Equal("EN\r\n", await fixture.Server.RawAsync($"mg {key} v\r\n"));
    }
}
