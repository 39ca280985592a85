using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Memstore.Protocol;

/// <summary>Validates keys and turns them into the bytes that are hashed and sent.</summary>
internal static class KeyCodec
{
    /// <summary>memcached's KEY_MAX_LENGTH.</summary>
    public const int MaxKeyBytes = 250;

    /// <summary>The largest raw key whose base64 form still fits in <see cref="MaxKeyBytes"/>.</summary>
    public const int MaxBinaryKeyBytes = MaxKeyBytes / 4 * 3;

    /// <summary>Big enough for the UTF-8 form of any key that can pass validation.</summary>
    public const int ScratchSize = MaxKeyBytes;

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
        var length = Encoding.UTF8.GetBytes(key, destination);
        if (mode == KeyMode.Text)
        {
            CheckTextKey(destination[..length], key);
        }
        return length;
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

    private static int Limit(KeyMode mode) => mode == KeyMode.Binary ? MaxBinaryKeyBytes : MaxKeyBytes;

    private static InvalidKeyException TooLong(string key, int byteCount, KeyMode mode) => new(
        $"Key {Describe(key)} is {byteCount} UTF-8 bytes; the limit is {Limit(mode)} bytes"
        + (mode == KeyMode.Binary ? " in binary key mode (base64 must fit memcached's 250)." : " (memcached's KEY_MAX_LENGTH)."),
        key);

    /// <summary>Writes the key as it goes on the wire: raw, or base64 in binary mode.</summary>
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
            if (b <= 0x20 || b == 0x7F)
            {
                key ??= Describable(bytes);
                var charIndex = Encoding.UTF8.GetCharCount(bytes[..i]);
                var what = b == 0x20 ? "a space" : "a control character";
                throw new InvalidKeyException(
                    $"Key {Describe(key)} is invalid: character U+{b:X4} at index {charIndex.ToString(CultureInfo.InvariantCulture)} is {what}; "
                    + "memcached text keys cannot contain spaces or control characters. Set MemcacheClientOptions.KeyMode = KeyMode.Binary to send such keys base64-encoded.",
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
                _ when char.IsControl(c) => builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)),
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
