namespace Memstore.Tests.Cluster;

[Trait("Category", "Unit")]
public class ServerAddressTests
{
    [Theory]
    [InlineData("10.0.1.1", "10.0.1.1", 11211, 1)]
    [InlineData("10.0.1.1:11212", "10.0.1.1", 11212, 1)]
    [InlineData("cache.example.com:11211:3", "cache.example.com", 11211, 3)]
    [InlineData("  localhost:1  ", "localhost", 1, 1)]
    [InlineData("[::1]", "::1", 11211, 1)]
    [InlineData("[::1]:11211", "::1", 11211, 1)]
    [InlineData("[fe80::1]:65535:10", "fe80::1", 65535, 10)]
    public void Parses_valid_addresses(string text, string host, int port, int weight)
    {
        ServerAddress address = ServerAddress.Parse(text.Trim());
        Assert.Equal(new ServerAddress(host, port, weight), address);
        Assert.True(ServerAddress.TryParse(text.Trim(), out ServerAddress again));
        Assert.Equal(address, again);
    }

    [Theory]
    [InlineData("", "the host is empty")]
    [InlineData(":11211", "the host is empty")]
    [InlineData("host:0", "the port '0' is not a number from 1 to 65535")]
    [InlineData("host:65536", "the port '65536' is not a number from 1 to 65535")]
    [InlineData("host:http", "the port 'http' is not a number from 1 to 65535")]
    [InlineData("host:-1", "the port '-1' is not a number from 1 to 65535")]
    [InlineData("host:11211:0", "the weight '0' is not a whole number of at least 1")]
    [InlineData("host:11211:x", "the weight 'x' is not a whole number of at least 1")]
    [InlineData("host:11211:1:2", "an IPv6 address must be in brackets")]
    [InlineData("::1", "an IPv6 address must be in brackets")]
    [InlineData("fe80::1:11211", "an IPv6 address must be in brackets")]
    [InlineData("[::1", "missing ']'")]
    [InlineData("[::1]11211", "expected ':' after ']'")]
    [InlineData("[]:11211", "the host is empty")]
    [InlineData("my host:11211", "contains a character that is not allowed (' ' U+0020)")]
    [InlineData("host:", "the port '' is not a number")]
    public void Rejects_invalid_addresses_saying_why(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => ServerAddress.Parse(text));
        Assert.Contains($"Invalid server address '{text}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.False(ServerAddress.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_of_null_is_false() => Assert.False(ServerAddress.TryParse(null, out _));

    [Theory]
    [InlineData("10.0.1.1", "10.0.1.1:11211")]
    [InlineData("cache:11212:4", "cache:11212")]
    [InlineData("[::1]:11211", "[::1]:11211")]
    public void ToString_is_host_colon_port(string text, string expected)
    {
        ServerAddress address = ServerAddress.Parse(text);
        Assert.Equal(expected, address.ToString());
        Assert.Equal(address with { Weight = 1 }, ServerAddress.Parse(address.ToString()));
    }

    [Fact]
    public void Constructor_and_with_validate()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServerAddress("h", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServerAddress("h", 70000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServerAddress("h", 11211, 0));
        Assert.Throws<ArgumentException>(() => new ServerAddress(""));
        Assert.Throws<ArgumentException>(() => new ServerAddress("a b"));
        var address = new ServerAddress("h");
        Assert.Throws<ArgumentOutOfRangeException>(() => address with { Port = -5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => address with { Weight = 0 });
        Assert.True(new ServerAddress("::1").IsIPv6);
        Assert.False(address.IsIPv6);
    }

    [Fact]
    public void Parses_a_list_in_order()
    {
        var servers = ServerAddress.ParseList("10.0.1.1, 10.0.1.2:11212 ,[::1]:11211:2");
        Assert.Equal(
            [new ServerAddress("10.0.1.1"), new ServerAddress("10.0.1.2", 11212), new ServerAddress("::1", 11211, 2)],
            servers);
    }

    [Theory]
    [InlineData("", "The server list is empty")]
    [InlineData("   ", "The server list is empty")]
    [InlineData("a,,b", "Server list entry 2 is empty")]
    [InlineData("a,b:99999", "Server list entry 2: Invalid server address 'b:99999': the port '99999'")]
    [InlineData("a,", "Server list entry 2 is empty")]
    public void Rejects_bad_lists_naming_the_entry(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => ServerAddress.ParseList(text));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
