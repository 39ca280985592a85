using System.Buffers;

namespace Memstore.Caching;

/// <summary>
/// Sits between the client's buffer-writer get and the caller's <see cref="IBufferWriter{T}"/>: keeps the
/// entry header out of the caller's buffer, and writes nothing at all when the header says the entry has
/// expired or is not a distributed-cache entry. The payload goes straight through without a copy once the
/// header has been seen (the header itself, and whatever the client wrote in the same span, is copied once).
/// </summary>
internal sealed class HeaderStrippingWriter : IBufferWriter<byte>
{
    private static HeaderStrippingWriter? s_cached;

    private byte[] _scratch = [];
    private int _scratchUsed;
    private bool _spanFromScratch;
    private IBufferWriter<byte>? _destination;
    private long _nowUnixMs;
    private int _state; // 0 reading header, 1 forwarding, 2 discarding

    public EntryHeader Header { get; private set; }

    /// <summary>Whether a valid, unexpired header was seen and the payload forwarded.</summary>
    public bool Forwarded => _state == 1;

    /// <summary>Whether the header said the absolute deadline has passed.</summary>
    public bool Expired { get; private set; }

    public static HeaderStrippingWriter Rent(IBufferWriter<byte> destination, long nowUnixMs)
    {
        var writer = Interlocked.Exchange(ref s_cached, null) ?? new HeaderStrippingWriter();
        writer._destination = destination;
        writer._nowUnixMs = nowUnixMs;
        return writer;
    }

    public void Return()
    {
        _destination = null;
        _scratchUsed = 0;
        _state = 0;
        Expired = false;
        Header = default;
        if (_scratch.Length > 4096)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = [];
        }
        s_cached = this;
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        if (_state == 1)
        {
            _spanFromScratch = false;
            return _destination!.GetSpan(sizeHint);
        }
        var needed = _scratchUsed + Math.Max(sizeHint, 64);
        if (_scratch.Length < needed)
        {
            var larger = ArrayPool<byte>.Shared.Rent(needed);
            _scratch.AsSpan(0, _scratchUsed).CopyTo(larger);
            if (_scratch.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_scratch);
            }
            _scratch = larger;
        }
        _spanFromScratch = true;
        return _scratch.AsSpan(_scratchUsed);
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (_state == 1)
        {
            _spanFromScratch = false;
            return _destination!.GetMemory(sizeHint);
        }
        GetSpan(sizeHint);
        return _scratch.AsMemory(_scratchUsed);
    }

    public void Advance(int count)
    {
        if (!_spanFromScratch)
        {
            _destination!.Advance(count);
            return;
        }
        _scratchUsed += count;
        if (_state == 2)
        {
            _scratchUsed = 0;
            return;
        }
        var data = _scratch.AsSpan(0, _scratchUsed);
        var length = EntryHeader.LengthOf(data);
        if (length < 0)
        {
            _state = 2;
            _scratchUsed = 0;
            return;
        }
        if (length == 0 || data.Length < length || !EntryHeader.TryRead(data, out var header, out _))
        {
            return; // wait for more bytes
        }
        Header = header;
        if (header.IsExpired(_nowUnixMs))
        {
            Expired = true;
            _state = 2;
            _scratchUsed = 0;
            return;
        }
        _state = 1;
        _destination!.Write(data[length..]);
        _scratchUsed = 0;
    }
}
