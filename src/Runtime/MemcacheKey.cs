using Memstore.Protocol;

namespace Memstore;

/// <summary>
/// A key as the caller holds it: a <see cref="string"/>, or its UTF-8 bytes. Both convert implicitly, so
/// <c>client.GetAsync("user:42")</c>, <c>client.GetAsync("user:42"u8)</c> and a key built in a byte buffer call the
/// same operation. A key given as bytes is sent without making a string (the generated stores build keys that
/// way); it follows the same rules (see <see cref="KeyMode"/>) and is hashed to the same server as the equal string.
/// </summary>
/// <remarks>
/// A ref struct: it only carries the caller's key into a call, which copies it into the request before it
/// returns, so the caller may reuse its buffer at once. The key is validated by the operation it is passed to
/// (an invalid key is an <see cref="ArgumentException"/> from that call, before anything is sent).
/// </remarks>
public readonly ref struct MemcacheKey
{
    private readonly string? _text;
    private readonly ReadOnlySpan<byte> _utf8;
    private readonly bool _isText;

    /// <summary>A key given as a string (null is refused by the operation it is passed to).</summary>
    public MemcacheKey(string text)
    {
        _text = text;
        _isText = true;
    }

    /// <summary>A key given as its UTF-8 bytes.</summary>
    public MemcacheKey(ReadOnlySpan<byte> utf8)
    {
        _utf8 = utf8;
    }

    /// <summary>Whether the key came as a string (then <see cref="Text"/> holds it), rather than as bytes.</summary>
    public bool IsText => _isText;

    /// <summary>The key's string when it came as one; otherwise null.</summary>
    public string? Text => _text;

    /// <summary>The key's bytes when it came as UTF-8; empty when it came as a string.</summary>
    public ReadOnlySpan<byte> Utf8 => _utf8;

    /// <summary>A key given as a string.</summary>
    public static implicit operator MemcacheKey(string text) => new(text);

    /// <summary>A key given as UTF-8 bytes.</summary>
    public static implicit operator MemcacheKey(ReadOnlySpan<byte> utf8) => new(utf8);

    /// <summary>A key given as UTF-8 bytes in an array (null is an empty key, which the operation refuses).</summary>
    public static implicit operator MemcacheKey(byte[]? utf8) => new(utf8);

    /// <summary>A key given as UTF-8 bytes in a writable buffer.</summary>
    public static implicit operator MemcacheKey(Span<byte> utf8) => new(utf8);

    /// <summary>A key given as a string (the named form of the conversion).</summary>
    public static MemcacheKey FromString(string text) => new(text);

    /// <summary>A key given as UTF-8 bytes (the named form of the conversion).</summary>
    public static MemcacheKey FromUtf8(ReadOnlySpan<byte> utf8) => new(utf8);

    /// <summary>The key as text (bytes decoded as UTF-8).</summary>
    public override string ToString() => _isText ? _text ?? "" : KeyCodec.Describable(_utf8);
}
