using System.Buffers;
using System.Buffers.Text;

namespace Memstore.Protocol;

/// <summary>
/// A growable buffer, rented from the shared array pool, that one request is formatted into.
/// Owned by a single operation and reused when the operation object is pooled.
/// </summary>
internal sealed class RequestBuffer : IDisposable
{
    private byte[] _buffer;
    private int _length;

    public RequestBuffer(int initialCapacity = 256) => _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public void Clear() => _length = 0;

    /// <summary>Returns an oversized buffer to the pool so one large request does not pin memory forever.</summary>
    public void Trim(int keepCapacity)
    {
        _length = 0;
        if (_buffer.Length > keepCapacity)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(keepCapacity);
        }
    }

    public Span<byte> GetSpan(int sizeHint)
    {
        if (_buffer.Length - _length < sizeHint)
        {
            Grow(sizeHint);
        }
        return _buffer.AsSpan(_length);
    }

    public void Advance(int count) => _length += count;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _length += bytes.Length;
    }

    public void WriteByte(byte value)
    {
        GetSpan(1)[0] = value;
        _length++;
    }

    /// <summary>Writes a space, the flag letter and its decimal token, e.g. <c> T30</c>.</summary>
    public void WriteFlag(byte flag, ulong token)
    {
        var span = GetSpan(22);
        span[0] = (byte)' ';
        span[1] = flag;
        Utf8Formatter.TryFormat(token, span[2..], out var written);
        _length += 2 + written;
    }

    /// <summary>Writes a space and a flag letter without a token, e.g. <c> v</c>.</summary>
    public void WriteFlag(byte flag)
    {
        var span = GetSpan(2);
        span[0] = (byte)' ';
        span[1] = flag;
        _length += 2;
    }

    public void WriteDecimal(ulong value)
    {
        Utf8Formatter.TryFormat(value, GetSpan(20), out var written);
        _length += written;
    }

    public void WriteCrLf()
    {
        var span = GetSpan(2);
        span[0] = (byte)'\r';
        span[1] = (byte)'\n';
        _length += 2;
    }

    private void Grow(int sizeHint)
    {
        var newSize = Math.Max(_buffer.Length * 2, _length + sizeHint);
        var bigger = ArrayPool<byte>.Shared.Rent(newSize);
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
