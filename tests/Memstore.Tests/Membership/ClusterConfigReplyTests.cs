using System.Text;
using Memstore.Cluster;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Membership;

/// <summary>The <c>config get cluster</c> reply is parsed strictly; every malformed shape is refused with its reason.</summary>
[Trait("Category", "Unit")]
public sealed class ClusterConfigReplyTests
{
    private static ClusterConfigReply? Parse(string reply, out string? error) => ClusterConfigReply.Parse(Encoding.ASCII.GetBytes(reply), out error);

    [Fact]
    public void The_documented_reply_gives_the_version_and_the_ip_of_each_server()
    {
        var reply = ConfigEndpoint.Format(12, "a.cache.example.com|10.0.0.1|11211 b.cache.example.com|10.0.0.2|11212");
        var parsed = Parse(reply, out var error);
        Assert.Null(error);
        Assert.Equal(12, parsed!.Version);
        Assert.Equal([new ServerAddress("10.0.0.1", 11211), new ServerAddress("10.0.0.2", 11212)], parsed.Servers);
        // The names are kept for TLS: a discovered server's certificate is checked against its host name.
        Assert.Equal("a.cache.example.com", parsed.HostNames[("10.0.0.1", 11211)]);
        Assert.Equal("b.cache.example.com", parsed.HostNames[("10.0.0.2", 11212)]);
        Assert.Equal(reply.Length, ClusterConfigReply.ExpectedLength(Encoding.ASCII.GetBytes(reply)));
    }

    [Fact]
    public void The_host_name_is_used_when_the_ip_field_is_empty()
    {
        var parsed = Parse(ConfigEndpoint.Format(3, "node1.example.com||11211"), out _);
        Assert.Equal([new ServerAddress("node1.example.com", 11211)], parsed!.Servers);
        Assert.Empty(parsed.HostNames); // connected by that name already
    }

    [Fact]
    public void The_reply_in_the_aws_documentation_layout_parses()
    {
        // Byte for byte what ElastiCache sends: the length covers "<version>\r\n<servers>\n".
        const string servers = "myCluster.pc4ldq.0001.use1.cache.amazonaws.com|10.82.235.120|11211 myCluster.pc4ldq.0002.use1.cache.amazonaws.com|10.80.249.27|11211";
        var reply = $"CONFIG cluster 0 137\r\n12\r\n{servers}\n\r\nEND\r\n";
        var parsed = Parse(reply, out var error);
        Assert.Null(error);
        Assert.Equal([new ServerAddress("10.82.235.120"), new ServerAddress("10.80.249.27")], parsed!.Servers);
        Assert.Equal("myCluster.pc4ldq.0002.use1.cache.amazonaws.com", parsed.HostNames[("10.80.249.27", 11211)]);
    }

    [Theory]
    [InlineData("bad length", "CONFIG cluster 0 10\r\n1\r\nh|127.0.0.1|11211\n\r\nEND\r\n", "length does not match")]
    [InlineData("length not a number", "CONFIG cluster 0 x1\r\n1\r\nh|127.0.0.1|11211\n\r\nEND\r\n", "block length \"x1\"")]
    [InlineData("non-numeric version", null, "version \"v2\" is not a whole number")]
    [InlineData("bad port", null, "port \"70000\" is not a number in 1..65535")]
    [InlineData("port not a number", null, "port \"http\"")]
    [InlineData("empty list", null, "lists no servers")]
    [InlineData("two fields", null, "host|ip|port")]
    [InlineData("duplicate", null, "twice")]
    [InlineData("truncated", "CONFIG cluster 0 19\r\n1\r\nh|127.0", "truncated")]
    [InlineData("garbage", "HTTP/1.1 400 Bad Request\r\n\r\n", "is not \"CONFIG cluster <flags> <length>\"")]
    [InlineData("memcached's ERROR", "ERROR\r\n", "does not support config get cluster")]
    [InlineData("nothing", "", "closed the connection without replying")]
    [InlineData("two server lines", null, "exactly one server line")]
    public void A_malformed_reply_is_refused_with_its_reason(string shape, string? raw, string reason)
    {
        raw ??= shape switch
        {
            "non-numeric version" => Block("v2\r\nh|127.0.0.1|11211\n"),
            "bad port" => ConfigEndpoint.Format(1, "h|127.0.0.1|70000"),
            "port not a number" => ConfigEndpoint.Format(1, "h|127.0.0.1|http"),
            "empty list" => ConfigEndpoint.Format(1, ""),
            "two fields" => ConfigEndpoint.Format(1, "127.0.0.1|11211"),
            "duplicate" => ConfigEndpoint.Format(1, "a|127.0.0.1|11211 b|127.0.0.1|11211"),
            "two server lines" => Block("1\r\nh|127.0.0.1|11211\nh|127.0.0.2|11211\n"),
            _ => throw new ArgumentOutOfRangeException(nameof(shape)),
        };
        var parsed = Parse(raw, out var error);
        Assert.Null(parsed);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_that_is_not_config_is_known_as_soon_as_its_line_arrives()
    {
        Assert.Equal(-1, ClusterConfigReply.ExpectedLength("ERROR\r\n"u8));
        Assert.Equal(0, ClusterConfigReply.ExpectedLength("CONFIG clus"u8));
    }

    private static string Block(string block) => $"CONFIG cluster 0 {block.Length}\r\n{block}\r\nEND\r\n";
}
