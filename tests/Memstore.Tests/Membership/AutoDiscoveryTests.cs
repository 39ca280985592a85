using System.Net;
using System.Net.Sockets;
using Memstore.Cluster;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Membership;

/// <summary>
/// Auto-discovery against a <see cref="ConfigEndpoint"/> (the stand-in that answers only <c>config get cluster</c>)
/// while every data operation goes to real memcached servers: a newer version replaces the list, an equal or older
/// one changes nothing, and a malformed reply or an unreachable endpoint is logged with the reason and ignored.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class AutoDiscoveryTests : IAsyncLifetime
{
    private readonly List<MemcachedServer> _servers = [];
    private readonly ConfigEndpoint _endpoint = new();
    private readonly LogCapture _logs = new();

    public async Task InitializeAsync() =>
        _servers.AddRange(await MemcachedServer.StartManyAsync(3));

    public async Task DisposeAsync()
    {
        await _endpoint.DisposeAsync();
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        _logs.Dispose();
    }

    private ServerAddress[] List(params int[] indexes) => [.. indexes.Select(i => _servers[i].Address)];

    /// <summary>A client seeded with server 0 that polls the endpoint (first poll at once, then every <paramref name="poll"/>).</summary>
    private MemcacheClient NewClient(TimeSpan? poll = null, TimeSpan? retry = null, ServerAddress? endpoint = null)
    {
        var options = new MemcacheClientOptions
        {
            AutoDiscovery = new AutoDiscoveryOptions
            {
                Endpoint = endpoint ?? _endpoint.Address,
                PollInterval = poll ?? TimeSpan.FromSeconds(60),
                RetryInterval = retry ?? TimeSpan.FromSeconds(60),
            },
            ConnectTimeout = TimeSpan.FromSeconds(1),
        };
        options.Servers.Add(_servers[0].Address);
        return new MemcacheClient(options, _logs);
    }

    private static async Task WaitForServersAsync(MemcacheClient client, ServerAddress[] expected)
    {
        for (var i = 0; i < 500 && !client.Servers.SequenceEqual(expected); i++)
        {
            await Task.Delay(10);
        }
        Assert.Equal(expected, client.Servers);
    }

    [Fact]
    public async Task A_newer_version_replaces_the_list_and_data_goes_to_the_discovered_servers()
    {
        _endpoint.SetCluster(1, List(0, 1));
        await using var client = NewClient();
        await WaitForServersAsync(client, List(0, 1));
        Assert.Equal(1, client.Discovery!.AppliedVersion);

        _endpoint.SetCluster(2, List(1, 2));
        Assert.True(await client.Discovery.PollAsync(CancellationToken.None));
        Assert.Equal(List(1, 2), client.Servers);
        var ring = new HashRing(List(1, 2));
        var keys = Enumerable.Range(0, 100).Select(i => $"discovered:{Guid.NewGuid():N}:{i}").ToArray();
        foreach (var key in keys)
        {
            Assert.True((await client.SetAsync(key, key)).Stored);
            Assert.Equal(ring.Servers[ring.Locate(key)], client.Locate(key));
        }
        for (var s = 1; s <= 2; s++)
        {
            await using var single = MemcacheClient.Create(_servers[s].ConnectionString);
            var seen = await single.GetManyAsync(keys);
            Assert.All(keys.Select((k, i) => (k, i)), p => Assert.Equal(ring.Servers[ring.Locate(p.k)] == _servers[s].Address, seen[p.i].Found));
        }
        Assert.Contains(_logs.Texts(33), t => t.Contains("version 2 with 2 server(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_equal_or_older_version_changes_nothing()
    {
        _endpoint.SetCluster(5, List(0, 1));
        await using var client = NewClient();
        await WaitForServersAsync(client, List(0, 1));
        _endpoint.SetCluster(5, List(2));
        Assert.True(await client.Discovery!.PollAsync(CancellationToken.None));
        _endpoint.SetCluster(4, List(2));
        Assert.True(await client.Discovery.PollAsync(CancellationToken.None));
        Assert.Equal(List(0, 1), client.Servers);
        Assert.Equal(5, client.Discovery.AppliedVersion);
    }

    [Theory]
    [InlineData("bad length", "length does not match")]
    [InlineData("non-numeric version", "is not a whole number")]
    [InlineData("bad port", "not a number in 1..65535")]
    [InlineData("empty list", "lists no servers")]
    [InlineData("truncated", "truncated")]
    [InlineData("garbage", "is not \"CONFIG cluster <flags> <length>\"")]
    public async Task A_malformed_reply_is_logged_with_its_reason_and_the_last_good_list_stays(string shape, string reason)
    {
        _endpoint.SetCluster(1, List(0, 1));
        await using var client = NewClient();
        await WaitForServersAsync(client, List(0, 1));
        var good = ConfigEndpoint.Format(2, $"a|127.0.0.1|{_servers[2].Port}");
        _endpoint.SetRawReply(shape switch
        {
            "bad length" => ShortenAnnouncedLength(good, 3),
            "non-numeric version" => good.Replace("\r\n2\r\n", "\r\nx\r\n", StringComparison.Ordinal),
            "bad port" => ConfigEndpoint.Format(2, "a|127.0.0.1|0"),
            "empty list" => ConfigEndpoint.Format(2, ""),
            "truncated" => good[..(good.Length - 12)],
            "garbage" => "\u0016\u0003\u0001 not a memcached reply at all\r\n",
            _ => throw new ArgumentOutOfRangeException(nameof(shape)),
        });
        _endpoint.CloseAfterReply = shape == "truncated";
        Assert.False(await client.Discovery!.PollAsync(CancellationToken.None));
        Assert.Equal(List(0, 1), client.Servers);
        Assert.Equal(1, client.Discovery.AppliedVersion);
        Assert.Contains(_logs.Texts(34), t => t.Contains(reason, StringComparison.Ordinal) && t.Contains("The last good server list stays", StringComparison.Ordinal));
        var key = TestKeys.Unique();
        Assert.True((await client.SetAsync(key, "still working")).Stored);
    }

    /// <summary>The reply with its announced length <paramref name="by"/> bytes short of the block.</summary>
    private static string ShortenAnnouncedLength(string reply, int by)
    {
        var header = reply[..reply.IndexOf("\r\n", StringComparison.Ordinal)];
        var length = int.Parse(header[(header.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return $"CONFIG cluster 0 {length - by}" + reply[header.Length..];
    }

    [Fact]
    public async Task An_endpoint_that_refuses_connections_is_logged_and_the_seed_list_stays()
    {
        var port = MemcachedServer.RefusingPort(); // connection refused
        await using var client = NewClient(endpoint: new ServerAddress("127.0.0.1", port));
        Assert.False(await client.Discovery!.PollAsync(CancellationToken.None));
        Assert.Equal(List(0), client.Servers);
        Assert.Contains(_logs.Texts(35), t => t.Contains($"127.0.0.1:{port}", StringComparison.Ordinal));
        Assert.True((await client.SetAsync(TestKeys.Unique(), "seed list")).Stored);
    }

    [Fact]
    public async Task An_endpoint_that_never_finishes_its_reply_times_out_and_the_list_stays()
    {
        _endpoint.SetCluster(1, List(0, 1));
        await using var client = NewClient();
        await WaitForServersAsync(client, List(0, 1));
        var good = ConfigEndpoint.Format(2, $"a|127.0.0.1|{_servers[2].Port}");
        _endpoint.SetRawReply(good[..(good.Length - 12)]); // the rest never comes; the connection stays open
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(await client.Discovery!.PollAsync(CancellationToken.None));
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)); // OperationTimeout, 2 s by default
        Assert.Contains(_logs.Texts(35), t => t.Contains("did not send a whole reply to config get cluster within 2000 ms", StringComparison.Ordinal));
        Assert.Equal(List(0, 1), client.Servers);
    }

    [Fact]
    public async Task After_a_failure_the_endpoint_is_asked_again_at_the_retry_interval()
    {
        _endpoint.SetRawReply("garbage\r\n");
        await using var client = NewClient(poll: TimeSpan.FromSeconds(60), retry: TimeSpan.FromMilliseconds(100));
        await _endpoint.WaitForPollsAsync(1, TimeSpan.FromSeconds(5));
        _endpoint.SetCluster(1, List(0, 2));
        await WaitForServersAsync(client, List(0, 2)); // picked up by a retry, long before the 60 s poll interval
    }

    [Fact]
    public async Task The_endpoint_is_polled_at_the_poll_interval()
    {
        _endpoint.SetCluster(1, List(0));
        await using var client = NewClient(poll: TimeSpan.FromMilliseconds(150), retry: TimeSpan.FromMilliseconds(150));
        await _endpoint.WaitForPollsAsync(1, TimeSpan.FromSeconds(5));
        _endpoint.SetCluster(2, List(1, 2));
        await WaitForServersAsync(client, List(1, 2));
        await _endpoint.WaitForPollsAsync(3, TimeSpan.FromSeconds(5));
    }
}
