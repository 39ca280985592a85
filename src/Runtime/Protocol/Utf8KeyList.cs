using System.Buffers;

namespace Memstore.Protocol;

/// <summary>
/// Keys as UTF-8, back to back in one pooled buffer: how a generated keyspace passes a multi-get's keys to
/// the client without making a string per key. Dispose to return the buffers.
/// </summary>
internal sealed class Utf8KeyList : IDisposable
{
    private byte[] _bytes;
    private int[] _ends;
    private int _length;

    public Utf8KeyList(int capacity)
    {
        _bytes = ArrayPool<byte>.Shared.Rent(Math.Max(256, capacity * 32));
        _ends = ArrayPool<int>.Shared.Rent(Math.Max(1, capacity));
    }

    public int Count { get; private set; }

    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            var start = index == 0 ? 0 : _ends[index - 1];
            return _bytes.AsSpan(start, _ends[index] - start);
        }
    }

    public void Add(ReadOnlySpan<byte> key)
    {
        if (_bytes.Length - _length < key.Length)
        {
            _bytes = Grow(_bytes, _length, _length + key.Length);
        }
        if (Count == _ends.Length)
        {
            _ends = Grow(_ends, Count, Count + 1);
        }
        key.CopyTo(_bytes.AsSpan(_length));
        _length += key.Length;
        _ends[Count++] = _length;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_bytes);
        ArrayPool<int>.Shared.Return(_ends);
        _bytes = [];
        _ends = [];
        _length = Count = 0;
    }

    private static T[] Grow<T>(T[] array, int used, int needed)
    {
        var next = ArrayPool<T>.Shared.Rent(Math.Max(needed, array.Length * 2));
        array.AsSpan(0, used).CopyTo(next);
        ArrayPool<T>.Shared.Return(array);
        return next;
    }
}
