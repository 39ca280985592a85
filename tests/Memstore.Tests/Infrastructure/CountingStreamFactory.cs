using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Memstore.Transport;

namespace Memstore.Tests.Infrastructure;

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
        var inner = await TcpStreamFactory.Instance.ConnectAsync(server, timeout, cancellationToken);
        return new CountingStream(inner, _writes.GetOrAdd(server, _ => new StrongBox<int>(0)));
    }

    private sealed class CountingStream(Stream inner, StrongBox<int> writes) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count)
        {
            Interlocked.Increment(ref writes.Value);
            inner.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref writes.Value);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
