using System.Globalization;
using System.Text;
using Memstore.Shared;

namespace Memstore.Serialization;

/// <summary>
/// Builds a key as UTF-8 from its parts in a caller-supplied (usually stack-allocated) buffer, so a generated
/// keyspace sends its keys without allocating. Keys are validated by the client when they are sent.
/// </summary>
public ref struct KeyBuilder
{
    /// <summary>A buffer size that holds any valid key (memcached allows <see cref="MemcachedKeyRules.MaxKeyBytes"/> bytes).</summary>
    public const int MaxLength = 256;

    private readonly Span<byte> _buffer;
    private int _length;

    /// <summary>Creates a builder over <paramref name="buffer"/>.</summary>
    public KeyBuilder(Span<byte> buffer)
    {
        _buffer = buffer;
        _length = 0;
    }

    /// <summary>The key built so far, as UTF-8.</summary>
    public readonly ReadOnlySpan<byte> Utf8Key => _buffer[.._length];

    /// <summary>Appends text that is already UTF-8 (a template's constant part).</summary>
    public void Append(scoped ReadOnlySpan<byte> utf8Text)
    {
        if (!utf8Text.TryCopyTo(_buffer[_length..]))
        {
            throw TooLong();
        }
        _length += utf8Text.Length;
    }

    /// <summary>Appends text, encoded as UTF-8. Invalid UTF-16 (a lone surrogate) is refused with <see cref="InvalidKeyException"/>.</summary>
    public void Append(scoped ReadOnlySpan<char> text)
    {
        var written = Protocol.KeyCodec.EncodeStrict(text, _buffer[_length..], null);
        if (written < 0)
        {
            throw TooLong();
        }
        _length += written;
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

    /// <summary>Starts a new key in the same buffer.</summary>
    public void Clear() => _length = 0;

    /// <summary>Returns the key built so far as a string.</summary>
    public readonly string ToKeyString() => Encoding.UTF8.GetString(Utf8Key);

    private readonly InvalidKeyException TooLong()
    {
        var start = Encoding.UTF8.GetString(_buffer[..Math.Min(_length, 40)]);
        // The builder does not know the key mode; the client checks the mode's own limit when the key is sent.
        return new InvalidKeyException(
            $"The key starting \"{start}\" is longer than {MaxLength} bytes; the limit is {MemcachedKeyRules.DescribeLimit(false)}, "
            + $"or {MemcachedKeyRules.DescribeLimit(true)}.", null);
    }
}
