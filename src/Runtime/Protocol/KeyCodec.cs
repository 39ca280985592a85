using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Memstore.Shared;

namespace Memstore.Protocol;

/// <summary>Validates keys and turns them into the bytes that are hashed and sent.</summary>
internal static class KeyCodec
{
    /// <summary>Big enough for the UTF-8 form of any key that can pass validation.</summary>
    public const int ScratchSize = MemcachedKeyRules.MaxKeyBytes;

    /// <summary>
    /// Encodes <paramref name="key"/> as UTF-8 into <paramref name="destination"/> (at least
    /// <see cref="ScratchSize"/> bytes) and checks it against the rules of <paramref name="mode"/>.
    /// Returns the number of bytes written.
    /// </summary>
    public static int Encode(string key, KeyMode mode, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(key);
        var limit = Limit(mode);
        if (key.Length == 0)
        {
            throw new InvalidKeyException("A memcached key cannot be empty.", key);
        }
        // UTF-8 never has fewer bytes than UTF-16 code units, so this check is exact enough to reject early.
        if (key.Length > limit || Encoding.UTF8.GetByteCount(key) > limit)
        {
            throw TooLong(key, Encoding.UTF8.GetByteCount(key), mode);
        }
        var length = EncodeStrict(key, destination, key);
        if (mode == KeyMode.Text)
        {
            CheckTextKey(destination[..length], key);
        }
        return length;
    }

    /// <summary>
    /// UTF-8 of <paramref name="text"/> into <paramref name="destination"/>, refusing invalid UTF-16 (a lone
    /// surrogate): the lenient encoder would turn every lone surrogate into U+FFFD, so distinct strings would
    /// become one key. Returns the bytes written, or -1 when <paramref name="destination"/> is too small.
    /// </summary>
    public static int EncodeStrict(ReadOnlySpan<char> text, Span<byte> destination, string? keyForMessage)
    {
        var status = System.Text.Unicode.Utf8.FromUtf16(text, destination, out var read, out var written, replaceInvalidSequences: false);
        return status switch
        {
            System.Buffers.OperationStatus.Done => written,
            System.Buffers.OperationStatus.DestinationTooSmall => -1,
            _ => throw LoneSurrogate(keyForMessage ?? text.ToString(), read, text),
        };
    }

    /// <summary>The UTF-8 bytes of a key as a new array, refusing invalid UTF-16 like <see cref="EncodeStrict"/>.</summary>
    public static byte[] EncodeStrictToArray(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var bytes = new byte[Encoding.UTF8.GetByteCount(key)];
        EncodeStrict(key, bytes, key);
        return bytes;
    }

    private static InvalidKeyException LoneSurrogate(string key, int index, ReadOnlySpan<char> text)
    {
        // The encoder stops at the first invalid sequence; report that char.
        var at = Math.Min(index, text.Length - 1);
        return new InvalidKeyException(
            $"Key {Describe(key)} is invalid UTF-16: U+{(int)text[at]:X4} at index {at.ToString(CultureInfo.InvariantCulture)} is a lone surrogate. "
            + "It has no UTF-8 form, and replacing it with U+FFFD would make different keys collide; nothing was sent.",
            key);
    }

    /// <summary>Checks a key given as UTF-8 bytes against the rules of <paramref name="mode"/>.</summary>
    public static void Validate(ReadOnlySpan<byte> utf8Key, KeyMode mode)
    {
        if (utf8Key.IsEmpty)
        {
            throw new InvalidKeyException("A memcached key cannot be empty.", "");
        }
        if (utf8Key.Length > Limit(mode))
        {
            throw TooLong(Describable(utf8Key), utf8Key.Length, mode);
        }
        if (mode == KeyMode.Text)
        {
            CheckTextKey(utf8Key, null);
        }
    }

    /// <summary>The text of a key given as bytes, for messages (invalid UTF-8 shows as U+FFFD).</summary>
    public static string Describable(ReadOnlySpan<byte> utf8Key) => Encoding.UTF8.GetString(utf8Key);

    private static int Limit(KeyMode mode) => MemcachedKeyRules.LimitFor(mode == KeyMode.Base64);

    private static InvalidKeyException TooLong(string key, int byteCount, KeyMode mode) => new(
        $"Key {Describe(key)} is {byteCount} UTF-8 bytes; the limit is {MemcachedKeyRules.DescribeLimit(mode == KeyMode.Base64)}.",
        key);

    /// <summary>Writes the key as it goes on the wire: raw (KeyMode.Text) or base64-encoded (KeyMode.Base64).</summary>
    public static void WriteWireKey(RequestBuffer buffer, ReadOnlySpan<byte> keyBytes, KeyMode mode)
    {
        if (mode == KeyMode.Text)
        {
            buffer.Write(keyBytes);
            return;
        }
        var span = buffer.GetSpan(Base64.GetMaxEncodedToUtf8Length(keyBytes.Length));
        Base64.EncodeToUtf8(keyBytes, span, out _, out var written);
        buffer.Advance(written);
    }

    private static void CheckTextKey(ReadOnlySpan<byte> bytes, string? key)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (MemcachedKeyRules.IsForbiddenInTextKey(b))
            {
                key ??= Describable(bytes);
                var charIndex = Encoding.UTF8.GetCharCount(bytes[..i]);
                throw new InvalidKeyException(
                    $"Key {Describe(key)} is invalid: the character at index {charIndex.ToString(CultureInfo.InvariantCulture)} is {MemcachedKeyRules.DescribeForbidden(b)}; "
                    + "memcached text keys cannot contain spaces or control characters. Set MemcacheClientOptions.KeyMode = KeyMode.Base64 to send such keys base64-encoded.",
                    key);
            }
        }
    }

    /// <summary>Quotes a key for an error message with control characters made visible and long keys shortened.</summary>
    public static string Describe(string? key)
    {
        if (key is null)
        {
            return "(none)";
        }
        var builder = new StringBuilder(Math.Min(key.Length, 80) + 8).Append('"');
        foreach (var c in key.AsSpan(0, Math.Min(key.Length, 64)))
        {
            _ = c switch
            {
                '\r' => builder.Append("\\r"),
                '\n' => builder.Append("\\n"),
                '\t' => builder.Append("\\t"),
                '"' => builder.Append("\\\""),
                _ when char.IsControl(c) || char.IsSurrogate(c) => builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)),
                _ => builder.Append(c),
            };
        }
        if (key.Length > 64)
        {
            builder.Append('…');
        }
        return builder.Append('"').ToString();
    }
}
