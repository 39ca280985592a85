namespace Memstore.Shared;

/// <summary>
/// memcached's rules for keys. This file is compiled into the runtime, the generator and the analyzers (linked
/// from src/Shared), so the limit the client enforces when it sends a key, the limit the generator checks a
/// template against and the characters both refuse are one fact, not three copies.
/// </summary>
internal static class MemcachedKeyRules
{
    /// <summary>memcached's <c>KEY_MAX_LENGTH</c>: a key is at most this many bytes on the wire.</summary>
    public const int MaxKeyBytes = 250;

    /// <summary>
    /// The longest raw key in base64 key mode (keys sent base64-encoded): the base64 form of 186 bytes is 248
    /// characters, the longest that fits <see cref="MaxKeyBytes"/>.
    /// </summary>
    public const int MaxBase64KeyBytes = MaxKeyBytes / 4 * 3;

    /// <summary>
    /// Whether a byte (or a character below U+0080, which is the same byte in UTF-8) cannot appear in a text-mode
    /// key: memcached ends a key at a space and refuses control characters. Bytes from 0x80 up (the UTF-8 of any
    /// other character) are allowed.
    /// </summary>
    public static bool IsForbiddenInTextKey(int value) => value <= 0x20 || value == 0x7F;

    /// <summary>Names a forbidden character for an error message: "a space" or "the control character U+001F".</summary>
    public static string DescribeForbidden(int value) =>
        value == 0x20 ? "a space" : "the control character U+" + value.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The first character of <paramref name="text"/> that a text-mode key cannot contain, described, or null.</summary>
    public static string? FindForbiddenCharacter(string text)
    {
        foreach (var c in text)
        {
            if (IsForbiddenInTextKey(c))
            {
                return DescribeForbidden(c);
            }
        }
        return null;
    }

    /// <summary>The byte limit of a key in text mode or base64 key mode.</summary>
    public static int LimitFor(bool base64Keys) => base64Keys ? MaxBase64KeyBytes : MaxKeyBytes;

    /// <summary>The limit as a phrase for messages, naming the mode when it is not the plain 250 bytes.</summary>
    public static string DescribeLimit(bool base64Keys) => base64Keys
        ? MaxBase64KeyBytes + " bytes in base64 key mode (the base64 form must fit memcached's " + MaxKeyBytes + ")"
        : MaxKeyBytes + " bytes (memcached's KEY_MAX_LENGTH)";
}
