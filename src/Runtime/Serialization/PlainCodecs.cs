using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Memstore.Serialization;

/// <summary>Strings as UTF-8 bytes with <see cref="MemcacheFlags.Utf8String"/>; reads raw-flagged values too.</summary>
public sealed class Utf8StringCodec : IValueCodec<string>
{
    /// <summary>The shared instance.</summary>
    public static Utf8StringCodec Instance { get; } = new();

    /// <inheritdoc />
    public uint Flags => MemcacheFlags.Utf8String;

    /// <inheritdoc />
    public void Encode(string value, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(destination);
        Encoding.UTF8.GetBytes(value, destination);
    }

    /// <inheritdoc />
    public string Decode(ReadOnlyMemory<byte> bytes, uint flags)
    {
        if (flags is not (MemcacheFlags.Utf8String or MemcacheFlags.Raw or MemcacheFlags.Integer or MemcacheFlags.PythonLong))
        {
            throw new MemcacheFormatException($"Expected a UTF-8 string but the item holds {MemcacheFlags.Describe(flags)}.");
        }
        return Encoding.UTF8.GetString(bytes.Span);
    }
}

/// <summary>Byte arrays stored as they are, with <see cref="MemcacheFlags.Raw"/>; reads any flags.</summary>
public sealed class RawBytesCodec : IValueCodec<byte[]>
{
    /// <summary>The shared instance.</summary>
    public static RawBytesCodec Instance { get; } = new();

    /// <inheritdoc />
    public uint Flags => MemcacheFlags.Raw;

    /// <inheritdoc />
    public void Encode(byte[] value, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(value);
    }

    /// <inheritdoc />
    public byte[] Decode(ReadOnlyMemory<byte> bytes, uint flags) => bytes.ToArray();
}

/// <summary>64-bit integers as ASCII decimal with <see cref="MemcacheFlags.Integer"/>, the format of memcached's counters.</summary>
public sealed class Int64Codec : IValueCodec<long>
{
    /// <summary>The shared instance.</summary>
    public static Int64Codec Instance { get; } = new();

    /// <inheritdoc />
    public uint Flags => MemcacheFlags.Integer;

    /// <inheritdoc />
    public void Encode(long value, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var span = destination.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out var written);
        destination.Advance(written);
    }

    /// <inheritdoc />
    public long Decode(ReadOnlyMemory<byte> bytes, uint flags)
    {
        var span = bytes.Span.TrimEnd(" "u8);
        if (flags is not (MemcacheFlags.Integer or MemcacheFlags.PythonLong or MemcacheFlags.Raw or MemcacheFlags.Utf8String)
            || !Utf8Parser.TryParse(span, out long value, out var consumed) || consumed != span.Length)
        {
            throw new MemcacheFormatException($"Expected a decimal integer but the item holds {MemcacheFlags.Describe(flags)} ({bytes.Length} bytes).");
        }
        return value;
    }
}
