using System.Buffers;

namespace Memstore.Serialization;

/// <summary>An <see cref="IBufferWriter{T}"/> over arrays rented from <see cref="ArrayPool{T}.Shared"/>.</summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    /// <summary>Buffers above this size go back to the array pool instead of staying with the cached writer.</summary>
    private const int MaxRetainedSize = 64 * 1024;

    [ThreadStatic]
    private static PooledBufferWriter? t_cached;

    private static PooledBufferWriter? s_shared;

    private byte[] _buffer;
    private int _written;

    /// <summary>A writer for one request: the thread's cached one when free. Give it back with <see cref="Return"/>.</summary>
    public static PooledBufferWriter Rent()
    {
        var writer = t_cached;
        if (writer is not null)
        {
            t_cached = null;
            return writer;
        }
        // Continuations often resume on another thread than the one that rented: one shared slot catches those.
        return Interlocked.Exchange(ref s_shared, null) ?? new PooledBufferWriter();
    }

    /// <summary>Resets the writer and caches it on the current thread (it may be another thread than the renter's).</summary>
    public static void Return(PooledBufferWriter writer)
    {
        writer._written = 0;
        if (writer._buffer.Length > MaxRetainedSize)
        {
            writer.Dispose();
            return;
        }
        if (t_cached is null)
        {
            t_cached = writer;
        }
        else if (Interlocked.CompareExchange(ref s_shared, writer, null) is not null)
        {
            writer.Dispose();
        }
    }

    public PooledBufferWriter(int initialSize = 256) => _buffer = ArrayPool<byte>.Shared.Rent(initialSize);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    private void Ensure(int sizeHint)
    {
        if (_buffer.Length == 0)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(sizeHint, 256));
        }
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _written + needed));
        _buffer.AsSpan(0, _written).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
