namespace Memstore.Serialization;

/// <summary>Helpers shared by the typed layers that need a value as an array (MCAS items, deque nodes).</summary>
internal static class ValueCodecExtensions
{
    /// <summary>Encodes through a pooled buffer and copies the bytes out once.</summary>
    public static byte[] EncodeToArray<T>(this IValueCodec<T> codec, T value)
    {
        var buffer = PooledBufferWriter.Rent();
        try
        {
            codec.Encode(value, buffer);
            return buffer.WrittenMemory.ToArray();
        }
        finally
        {
            PooledBufferWriter.Return(buffer);
        }
    }
}
