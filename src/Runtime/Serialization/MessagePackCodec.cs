using System.Buffers;
using MessagePack;

namespace Memstore.Serialization;

/// <summary>
/// Values as MessagePack with <see cref="MemcacheFlags.MessagePack"/>, through the formatters a resolver gives
/// (the generator's resolver, which chains to MessagePack's standard resolver for built-in types).
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class MessagePackCodec<T> : IValueCodec<T>
{
    private readonly MessagePackSerializerOptions _options;

    /// <summary>Creates a codec over <paramref name="resolver"/>.</summary>
    public MessagePackCodec(IFormatterResolver resolver) =>
        _options = MessagePackSerializerOptions.Standard.WithResolver(resolver);

    /// <summary>The serializer options in use.</summary>
    public MessagePackSerializerOptions Options => _options;

    /// <inheritdoc />
    public uint Flags => MemcacheFlags.MessagePack;

    /// <inheritdoc />
    public void Encode(T value, IBufferWriter<byte> destination) =>
        MessagePackSerializer.Serialize(destination, value, _options);

    /// <inheritdoc />
    public T Decode(ReadOnlyMemory<byte> bytes, uint flags)
    {
        if (flags != MemcacheFlags.MessagePack)
        {
            throw new MemcacheFormatException($"Expected MessagePack for {typeof(T).Name} but the item holds {MemcacheFlags.Describe(flags)}.");
        }
        try
        {
            return MessagePackSerializer.Deserialize<T>(bytes, _options);
        }
        catch (MessagePackSerializationException ex)
        {
            throw new MemcacheFormatException($"The item is not a valid MessagePack {typeof(T).Name}: {ex.Message}", ex);
        }
    }
}
