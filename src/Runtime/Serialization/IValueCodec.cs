using System.Buffers;

namespace Memstore;

/// <summary>Turns values of one type into stored bytes and back, and names the format in the client flags.</summary>
/// <typeparam name="T">The value type.</typeparam>
public interface IValueCodec<T>
{
    /// <summary>The client flags written with every value (see <see cref="MemcacheFlags"/>).</summary>
    uint Flags { get; }

    /// <summary>Writes <paramref name="value"/> to <paramref name="destination"/>.</summary>
    void Encode(T value, IBufferWriter<byte> destination);

    /// <summary>
    /// Reads a value written with <paramref name="flags"/>. <paramref name="bytes"/> may be a pooled buffer that is
    /// reused after the call: copy what the value keeps.
    /// </summary>
    /// <exception cref="MemcacheFormatException">The flags name a format this codec does not read, or the bytes are malformed.</exception>
    T Decode(ReadOnlyMemory<byte> bytes, uint flags);
}

/// <summary>A stored value could not be read as the keyspace's type.</summary>
public sealed class MemcacheFormatException : MemcacheException
{
    /// <summary>Creates the exception.</summary>
    public MemcacheFormatException(string message, Exception? innerException = null) : base(message, innerException) { }
}
