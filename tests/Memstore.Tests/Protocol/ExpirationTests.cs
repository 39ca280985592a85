namespace Memstore.Tests.Protocol;

/// <summary>Relative expiries to memcached's TTL field (lives with the protocol tests: it is wire formatting).</summary>
[Trait("Category", "Unit")]
public sealed class ExpirationTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly FixedClock Clock = new(Now);

    [Fact]
    public void Null_and_zero_mean_never_expires()
    {
        Assert.Equal(0U, Expiration.ToTtl(null));
        Assert.Equal(0U, Expiration.ToTtl(TimeSpan.Zero));
        Assert.Equal(0U, Expiration.ToTtl(null, Clock));
    }

    [Fact]
    public void Fractions_of_a_second_round_up()
    {
        Assert.Equal(1U, Expiration.ToTtl(TimeSpan.FromSeconds(0.3)));
        Assert.Equal(1U, Expiration.ToTtl(TimeSpan.FromTicks(1)));
        Assert.Equal(1U, Expiration.ToTtl(TimeSpan.FromSeconds(1)));
        Assert.Equal(2U, Expiration.ToTtl(TimeSpan.FromSeconds(1.001)));
        Assert.Equal(60U, Expiration.ToTtl(TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Thirty_days_is_still_relative()
    {
        Assert.Equal(2_592_000U, Expiration.ToTtl(TimeSpan.FromDays(30), Clock));
    }

    [Fact]
    public void Beyond_thirty_days_becomes_an_absolute_unix_time()
    {
        var expected = (uint)(Now.ToUnixTimeSeconds() + 31 * 86_400);
        Assert.Equal(expected, Expiration.ToTtl(TimeSpan.FromDays(31), Clock));
        Assert.Equal((uint)(Now.ToUnixTimeSeconds() + 2_592_001), Expiration.ToTtl(TimeSpan.FromDays(30) + TimeSpan.FromMilliseconds(1), Clock));
    }

    [Fact]
    public void Negative_expiries_are_refused()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Expiration.ToTtl(TimeSpan.FromSeconds(-1), Clock));
        Assert.Equal("expiry", ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Expiration.ToTtl(TimeSpan.FromTicks(-1)));
    }

    [Fact]
    public void The_last_expressible_second_is_2038_01_19_03_14_07()
    {
        var last = DateTimeOffset.FromUnixTimeSeconds(int.MaxValue) - Now;
        Assert.Equal((uint)int.MaxValue, Expiration.ToTtl(last, Clock));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Expiration.ToTtl(last + TimeSpan.FromSeconds(1), Clock));
        Assert.Contains("2038-01-19 03:14:07 UTC", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expiry_beyond_32_bit_unix_time_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Expiration.ToTtl(TimeSpan.FromDays(365 * 13), Clock));
        Assert.Throws<ArgumentOutOfRangeException>(() => Expiration.ToTtl(TimeSpan.FromDays(365 * 100), Clock));
        Assert.Throws<ArgumentOutOfRangeException>(() => Expiration.ToTtl(TimeSpan.MaxValue, Clock));
    }
}
