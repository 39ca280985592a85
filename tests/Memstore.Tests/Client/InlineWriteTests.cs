using System.Text;
using Memstore.Tests.Infrastructure;
using static Memstore.Tests.Infrastructure.StreamFactoryOptions;
using Memstore.Transport;

namespace Memstore.Tests.Client;

/// <summary>
/// A caller whose connection is idle writes its own request; a write that does not complete at once is
/// handed to the writer loop, which must finish it before writing anything else. These tests make writes
/// complete late or fail, and check that every reply still reaches its own caller.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class InlineWriteTests
{
    [Fact]
    public async Task Writes_that_complete_late_keep_requests_and_replies_in_step()
    {
        await using var server = await MemcachedServer.StartAsync();
        var streams = new UnevenStreamFactory { SlowEvery = 3 };
        await using var client = new MemcacheClient(WithStreams(MemcacheClientOptions.Parse(server.ConnectionString), streams));

        for (var i = 0; i < 60; i++)
        {
            await client.SetAsync($"inline:{i}", $"value {i}");
            Assert.Equal($"value {i}", (await client.GetAsync($"inline:{i}")).AsString());
        }
        // Sequential callers interleaved with bursts, so inline writes, handed-over writes and batches mix.
        for (var round = 0; round < 20; round++)
        {
            var burst = Enumerable.Range(0, 1 + (round % 7)).Select(async i =>
            {
                var key = $"inline:{(round * 7 + i) % 60}";
                var value = (await client.GetAsync(key)).AsString();
                Assert.Equal($"value {(round * 7 + i) % 60}", value);
            });
            await Task.WhenAll(burst);
            Assert.Equal("value 5", (await client.GetAsync("inline:5")).AsString());
        }
        Assert.True(streams.SlowWrites > 0);
    }

    [Fact]
    public async Task A_failed_inline_write_fails_its_request_and_the_connection_recovers()
    {
        await using var server = await MemcachedServer.StartAsync();
        var streams = new UnevenStreamFactory();
        var options = MemcacheClientOptions.Parse(server.ConnectionString);
        options.ReconnectDelay = TimeSpan.FromMilliseconds(10);
        await using var client = new MemcacheClient(WithStreams(options, streams));
        await client.SetAsync("inline:fail", "before");

        streams.FailNext = true;
        await Assert.ThrowsAsync<MemcacheConnectionException>(async () => await client.GetAsync("inline:fail"));

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            try
            {
                Assert.Equal("before", (await client.GetAsync("inline:fail")).AsString());
                break;
            }
            catch (MemcacheConnectionException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
        Assert.Equal(2, streams.Connects);
    }

    /// <summary>Real TCP; every Nth write completes only after a delay, and a write can be made to fail once.</summary>
    private sealed class UnevenStreamFactory : IConnectionStreamFactory
    {
        private int _writes;
        private int _slowWrites;
        private int _connects;

        public int SlowEvery { get; init; }

        public volatile bool FailNext;

        public int SlowWrites => Volatile.Read(ref _slowWrites);

        public int Connects => Volatile.Read(ref _connects);

        public async ValueTask<Stream> ConnectAsync(ServerAddress server, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var inner = await TcpConnectionStreamFactory.Instance.ConnectAsync(server, timeout, cancellationToken);
            Interlocked.Increment(ref _connects);
            return new UnevenStream(inner, this);
        }

        private sealed class UnevenStream(Stream inner, UnevenStreamFactory owner) : DelegatingStream(inner)
        {
            private bool _probed;

            public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            {
                if (!_probed)
                {
                    _probed = true; // the connect probe
                    return Inner.WriteAsync(buffer, cancellationToken);
                }
                if (owner.FailNext)
                {
                    owner.FailNext = false;
                    throw new IOException("injected write failure");
                }
                var n = Interlocked.Increment(ref owner._writes);
                if (owner.SlowEvery > 0 && n % owner.SlowEvery == 0)
                {
                    Interlocked.Increment(ref owner._slowWrites);
                    return SlowAsync(buffer.ToArray(), cancellationToken);
                }
                return Inner.WriteAsync(buffer, cancellationToken);
            }

            private async ValueTask SlowAsync(byte[] copy, CancellationToken cancellationToken)
            {
                await Task.Delay(2, cancellationToken);
                // Split the request so a half-written one would show up as a protocol error.
                await Inner.WriteAsync(copy.AsMemory(0, copy.Length / 2), cancellationToken);
                await Task.Delay(1, cancellationToken);
                await Inner.WriteAsync(copy.AsMemory(copy.Length / 2), cancellationToken);
            }
        }
    }
}
