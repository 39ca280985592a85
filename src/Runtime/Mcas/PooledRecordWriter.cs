using System.Buffers;

namespace Memstore.Mcas;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over arrays rented from the shared pool, for encoding one record: MessagePack asks
/// for the worst case of every string (three bytes a character), so a growing <see cref="ArrayBufferWriter{T}"/>
/// allocated several buffers per record; this one allocates only the finished record (<see cref="ToArray"/>).
/// </summary>
internal sealed class PooledRecordWriter(int initialCapacity) : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(64, initialCapacity));
    private int _written;

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public byte[] ToArray() => _buffer.AsSpan(0, _written).ToArray();

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private void Reserve(int sizeHint)
    {
        var needed = _written + Math.Max(1, sizeHint);
        if (needed <= _buffer.Length)
        {
            return;
        }
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
