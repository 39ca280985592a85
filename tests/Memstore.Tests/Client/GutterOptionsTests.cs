using Memstore.Tests.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Memstore.Tests.Client;

/// <summary>The gutter pool's options: validation, configuration binding, and the TTL cap itself.</summary>
[Trait("Category", "Unit")]
public sealed class GutterOptionsTests
{
    private static MemcacheClientOptions Gutter(params string[] gutter)
    {
        var options = MemcacheClientOptions.Parse("10.0.0.1:11211,10.0.0.2:11211");
        options.Failover = FailoverPolicy.Gutter;
        foreach (var server in gutter)
        {
            options.GutterServers.Add(ServerAddress.Parse(server));
        }
        return options;
    }

    [Fact]
    public void Gutter_policy_without_gutter_servers_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Gutter().Validate());
        Assert.Contains("Failover is Gutter but GutterServers is empty", error.Message);
    }

    [Theory]
    [InlineData(FailoverPolicy.FailFast)]
    [InlineData(FailoverPolicy.Redistribute)]
    public void Gutter_servers_with_another_policy_are_refused(FailoverPolicy policy)
    {
        var options = Gutter("10.0.1.1:11211");
        options.Failover = policy;
        var error = Assert.Throws<ArgumentException>(() => options.Validate());
        Assert.Contains($"GutterServers lists 1 server(s) but Failover is {policy}", error.Message);
    }

    [Fact]
    public void A_gutter_server_that_is_also_a_primary_or_listed_twice_is_refused()
    {
        var overlap = Assert.Throws<ArgumentException>(() => Gutter("10.0.1.1:11211", "10.0.0.2:11211").Validate());
        Assert.Contains("10.0.0.2:11211, which is also in Servers", overlap.Message);
        var twice = Assert.Throws<ArgumentException>(() => Gutter("10.0.1.1:11211", "10.0.1.1:11211").Validate());
        Assert.Contains("lists 10.0.1.1:11211 twice", twice.Message);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(31 * 24 * 3600.0)]
    public void A_gutter_cap_out_of_range_is_refused(double seconds)
    {
        var options = Gutter("10.0.1.1:11211");
        options.GutterMaxExpiry = TimeSpan.FromSeconds(seconds);
        var error = Assert.Throws<ArgumentException>(() => options.Validate());
        Assert.Contains("GutterMaxExpiry must be between 1 second and 30 days", error.Message);
    }

    [Fact]
    public void Clone_copies_the_gutter_list()
    {
        var options = Gutter("10.0.1.1:11211");
        var copy = options.Clone();
        options.GutterServers.Clear();
        Assert.Single(copy.GutterServers);
        Assert.Equal(10u, copy.GutterMaxTtl);
    }

    [Fact]
    public void The_gutter_pool_is_read_from_configuration()
    {
        var options = Bind("""
        { "Memstore": { "Servers": "10.0.0.1:11211", "Failover": "Gutter",
            "GutterServers": [ "10.0.9.1:11211", { "Host": "10.0.9.2", "Port": 11212 } ], "GutterMaxExpiry": "00:00:05" } }
        """);
        Assert.Equal(FailoverPolicy.Gutter, options.Failover);
        Assert.Equal([new ServerAddress("10.0.9.1", 11211), new ServerAddress("10.0.9.2", 11212)], options.GutterServers);
        Assert.Equal(TimeSpan.FromSeconds(5), options.GutterMaxExpiry);
        Assert.Equal(["10.0.9.3:11211"], Bind("""{ "Memstore": { "Servers": "10.0.0.1", "Failover": "Gutter", "GutterServers": "10.0.9.3:11211" } }""").GutterServers.Select(s => s.ToString()));
    }

    [Fact]
    public void A_gutter_mistake_in_configuration_names_its_path()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind("""{ "Memstore": { "Servers": "10.0.0.1", "Failover": "Gutter" } }"""));
        Assert.Contains("Memstore:Failover is Gutter but GutterServers is empty", error.Message);
        var bad = Assert.Throws<OptionsValidationException>(() => Bind("""{ "Memstore": { "Servers": "10.0.0.1", "Failover": "Gutter", "GutterServers": "10.0.9.1", "GutterMaxExpiry": "10" } }"""));
        Assert.Contains("Memstore:GutterMaxExpiry is \"10\"", bad.Message);
    }

    private static MemcacheClientOptions Bind(string json)
    {
        var services = new ServiceCollection().AddSingleton(OptionsBindingTests.Json(json));
        services.AddMemstore();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsMonitor<MemcacheClientOptions>>().Get(Options.DefaultName);
    }

    [Theory]
    [InlineData(0u, 10u, 10u)] // never expires → the cap
    [InlineData(5u, 10u, 5u)] // shorter stays
    [InlineData(3600u, 10u, 10u)] // longer → the cap
    [InlineData(3600u, 0u, 3600u)] // no cap: untouched
    [InlineData(0u, 0u, 0u)]
    public void Cap_limits_relative_ttls(uint ttl, uint cap, uint expected) => Assert.Equal(expected, Expiration.Cap(ttl, cap));

    [Fact]
    public void Cap_limits_absolute_ttls_by_their_remaining_time()
    {
        var clock = new FixedClock(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        Assert.Equal(10u, Expiration.Cap(1_800_000_000 + 365 * 86400, 10, clock)); // a year away → the cap
        Assert.Equal(4u, Expiration.Cap(1_800_000_004, 10, clock)); // ends sooner than the cap → what is left
        Assert.Equal(1u, Expiration.Cap(1_799_999_000, 10, clock)); // already past: expires at once, not "never"
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
