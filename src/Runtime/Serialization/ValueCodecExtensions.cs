namespace Memstore.Serialization;

/// <summary>Helpers shared by the typed layers: values as arrays (MCAS items, deque nodes), and reads that name their key.</summary>
internal static class ValueCodecExtensions
{
    /// <summary>
    /// Decodes the item read by <paramref name="operation"/> for <paramref name="key"/>; a format error then names the
    /// key and the server that holds it (the codec knows only the bytes).
    /// </summary>
    public static T DecodeRead<T>(this IValueCodec<T> codec, ReadOnlyMemory<byte> bytes, uint flags, string operation, string key, MemcacheClient client)
    {
        try
        {
            return codec.Decode(bytes, flags);
        }
        catch (MemcacheFormatException ex) when (ex.Key is null)
        {
            throw ex.About(operation, key, client.Locate(key).ToString());
        }
    }

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
