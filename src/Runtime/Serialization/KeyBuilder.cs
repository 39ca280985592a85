using System.Globalization;

namespace Memstore.Serialization;

/// <summary>
/// Builds a key from its parts in a caller-supplied (usually stack-allocated) buffer, so the only allocation is
/// the final key string. Used by generated keyspaces; keys are validated by the client when they are sent.
/// </summary>
public ref struct KeyBuilder
{
    /// <summary>A buffer size that holds any valid key (memcached allows 250 bytes, and a character is at least one byte).</summary>
    public const int MaxLength = 256;

    private readonly Span<char> _buffer;
    private int _length;

    /// <summary>Creates a builder over <paramref name="buffer"/>.</summary>
    public KeyBuilder(Span<char> buffer)
    {
        _buffer = buffer;
        _length = 0;
    }

    /// <summary>Appends text.</summary>
    public void Append(scoped ReadOnlySpan<char> text)
    {
        if (!text.TryCopyTo(_buffer[_length..]))
        {
            throw TooLong();
        }
        _length += text.Length;
    }

    /// <summary>Appends a string key part; null is refused.</summary>
    public void Append(string? text)
    {
        ArgumentNullException.ThrowIfNull(text, "key");
        Append(text.AsSpan());
    }

    /// <summary>Appends a signed integer in invariant decimal.</summary>
    public void Append(long value)
    {
        if (!value.TryFormat(_buffer[_length..], out var written, default, CultureInfo.InvariantCulture))
        {
            throw TooLong();
        }
        _length += written;
    }

    /// <summary>Appends an unsigned integer in invariant decimal.</summary>
    public void Append(ulong value)
    {
        if (!value.TryFormat(_buffer[_length..], out var written, default, CultureInfo.InvariantCulture))
        {
            throw TooLong();
        }
        _length += written;
    }

    /// <summary>Appends a GUID as 32 lowercase hex digits (format "N").</summary>
    public void Append(Guid value)
    {
        if (!value.TryFormat(_buffer[_length..], out var written, "N"))
        {
            throw TooLong();
        }
        _length += written;
    }

    /// <summary>Returns the key built so far.</summary>
    public readonly string ToKeyString() => new(_buffer[.._length]);

    private readonly InvalidKeyException TooLong() =>
        new($"The key starting \"{new string(_buffer[..Math.Min(_length, 40)])}\" is longer than memcached's 250-byte limit.", null);
}
