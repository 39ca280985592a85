using System.Buffers;

namespace Memstore.Serialization;

/// <summary>
/// A keyspace's codec as the keyspace uses it: reads of a value whose flags carry
/// <see cref="MemcacheFlags.ZstdCompressed"/> are decompressed (bounded by <paramref name="maxDecompressedBytes"/>)
/// before the codec sees them, with the bit removed; everything else goes to the codec unchanged.
/// </summary>
internal sealed class DecompressingCodec<T>(IValueCodec<T> inner, int maxDecompressedBytes) : IValueCodec<T>
{
    public uint Flags => inner.Flags;

    public void Encode(T value, IBufferWriter<byte> destination) => inner.Encode(value, destination);

    public T Decode(ReadOnlyMemory<byte> bytes, uint flags)
    {
        if ((flags & MemcacheFlags.ZstdCompressed) == 0)
        {
            return inner.Decode(bytes, flags);
        }
        var plain = ValueCompression.Decompress(bytes.Span, maxDecompressedBytes, out var length);
        try
        {
            return inner.Decode(plain.AsMemory(0, length), flags & ~MemcacheFlags.ZstdCompressed);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
        }
    }
}
