using System.Buffers;

namespace Memstore;

/// <summary>
/// A hit whose bytes live in a buffer rented from <see cref="ArrayPool{T}.Shared"/>. Dispose it when done
/// so the buffer goes back to the pool; do not use <see cref="Memory"/> after that.
/// </summary>
public sealed class CacheLease : IDisposable
{
    private byte[]? _buffer;
    private readonly int _length;

    internal CacheLease(byte[] buffer, int length, uint flags, CasToken cas)
    {
        _buffer = buffer;
        _length = length;
        Flags = flags;
        Cas = cas;
    }

    /// <summary>The value bytes.</summary>
    public ReadOnlyMemory<byte> Memory => _buffer is { } buffer ? buffer.AsMemory(0, _length) : throw new ObjectDisposedException(nameof(CacheLease));

    /// <summary>The value bytes.</summary>
    public ReadOnlySpan<byte> Span => Memory.Span;

    /// <summary>Length of the value in bytes.</summary>
    public int Length => _length;

    /// <summary>The item's client flags.</summary>
    public uint Flags { get; }

    /// <summary>The item's CAS token.</summary>
    public CasToken Cas { get; }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
