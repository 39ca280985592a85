using System.Text;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Client;

/// <summary>The public stream seam, <see cref="IConnectionStreamFactory"/>, set through the options.</summary>
[Trait("Category", "Memcached")]
public sealed class StreamFactoryTests
{
    [Fact]
    public async Task A_factory_of_your_own_opens_every_connection_and_can_wrap_plain_tcp()
    {
        await using var server = await MemcachedServer.StartAsync();
        var factory = new RecordingFactory();
        var options = MemcacheClientOptions.Parse(server.ConnectionString);
        options.ConnectionsPerServer = 2;
        options.ConnectionStreamFactory = factory;
        await using var client = new MemcacheClient(options);
        // Changing the options afterwards has no effect: the client copied them.
        options.ConnectionStreamFactory = null;

        for (var i = 0; i < 10; i++)
        {
            await client.SetAsync($"seam:{i}", $"v{i}");
            Assert.Equal($"v{i}", (await client.GetAsync($"seam:{i}")).AsString());
        }
        Assert.Equal([server.Address], factory.Connected.Distinct());
        Assert.True(factory.Connected.Count >= 2, $"{factory.Connected.Count} connections opened");
    }

    [Fact]
    public async Task A_factory_that_throws_fails_the_call_naming_the_server_and_the_cause()
    {
        var port = MemcachedServer.FreePort();
        var options = MemcacheClientOptions.Parse($"127.0.0.1:{port}");
        options.ConnectionStreamFactory = new ThrowingFactory();
        await using var client = new MemcacheClient(options);

        var error = await Assert.ThrowsAnyAsync<MemcacheException>(async () => await client.GetAsync("seam:k"));
        var text = error.ToString();
        Assert.Contains($"127.0.0.1:{port}", text, StringComparison.Ordinal);
        Assert.Contains("the handshake was refused", text, StringComparison.Ordinal);
    }

    private sealed class RecordingFactory : IConnectionStreamFactory
    {
        private readonly List<ServerAddress> _connected = [];

        public List<ServerAddress> Connected
        {
            get
            {
                lock (_connected)
                {
                    return [.. _connected];
                }
            }
        }

        public async ValueTask<Stream> ConnectAsync(ServerAddress server, TimeSpan timeout, CancellationToken cancellationToken)
        {
            lock (_connected)
            {
                _connected.Add(server);
            }
            return await TcpConnectionStreamFactory.Instance.ConnectAsync(server, timeout, cancellationToken);
        }
    }

    private sealed class ThrowingFactory : IConnectionStreamFactory
    {
        public ValueTask<Stream> ConnectAsync(ServerAddress server, TimeSpan timeout, CancellationToken cancellationToken) =>
            ValueTask.FromException<Stream>(new IOException("the handshake was refused"));
    }
}
