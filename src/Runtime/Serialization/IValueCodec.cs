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

/// <summary>
/// A stored value could not be read as the keyspace's type. When the client raises it for a read, the message starts
/// with the operation, the key and the server, which <see cref="Key"/> and <see cref="MemcacheException.Server"/> also
/// carry; a codec raises it without them.
/// </summary>
public sealed class MemcacheFormatException : MemcacheException
{
    /// <summary>Creates the exception.</summary>
    public MemcacheFormatException(string message, Exception? innerException = null) : base(message, innerException) { }

    /// <summary>The key whose item could not be read, when known (shown as the error messages show keys).</summary>
    public string? Key { get; init; }

    /// <summary>
    /// The stored bytes that could not be read, when the read removed them from the server (a value popped from a
    /// deque), so that they are not lost; null otherwise (the item is still on the server).
    /// </summary>
    public byte[]? Value { get; init; }

    /// <summary>
    /// This error with the read it happened in: a codec knows the bytes, not which key or server they came from.
    /// An error that already names its key is returned as it is.
    /// </summary>
    internal MemcacheFormatException About(string operation, string? key, string? server) =>
        Key is not null
            ? this
            : new MemcacheFormatException($"{Protocol.ErrorText.Operation(operation, key)} on {server ?? "an unknown server"}: {Message}", InnerException)
            {
                Key = key,
                Server = server,
            };
}
