using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Memstore.Transport;

namespace Memstore.Tests.Infrastructure;

/// <summary>Options with a test stream factory in place of plain TCP.</summary>
internal static class StreamFactoryOptions
{
    public static MemcacheClientOptions WithStreams(MemcacheClientOptions options, IConnectionStreamFactory streams)
    {
        options.ConnectionStreamFactory = streams;
        return options;
    }
}

/// <summary>
/// Real TCP connections, with the number of writes counted per server. Every write the client makes is a
/// request batch that it then waits on, so writes count round trips.
/// </summary>
internal sealed class CountingStreamFactory : IConnectionStreamFactory
{
    private readonly ConcurrentDictionary<ServerAddress, StrongBox<int>> _writes = new();

    public int Writes(ServerAddress server) => _writes.TryGetValue(server, out var box) ? Volatile.Read(ref box.Value) : 0;

    public async ValueTask<Stream> ConnectAsync(ServerAddress server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var inner = await TcpConnectionStreamFactory.Instance.ConnectAsync(server, timeout, cancellationToken);
        return new CountingStream(inner, _writes.GetOrAdd(server, _ => new StrongBox<int>(0)));
    }

    private sealed class CountingStream(Stream inner, StrongBox<int> writes) : DelegatingStream(inner)
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            Interlocked.Increment(ref writes.Value);
            Inner.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref writes.Value);
            return Inner.WriteAsync(buffer, cancellationToken);
        }
    }
}

/// <summary>Real TCP connections, with the connect attempts counted (how fast a failing server is retried).</summary>
internal sealed class ConnectCountingFactory : IConnectionStreamFactory
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public ValueTask<Stream> ConnectAsync(ServerAddress server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        return TcpConnectionStreamFactory.Instance.ConnectAsync(server, timeout, cancellationToken);
    }
}
