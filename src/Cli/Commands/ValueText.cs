using System.Globalization;
using System.Text;

namespace Memstore.Cli.Commands;

/// <summary>
/// Values on one line: how <c>memstore get</c> prints a value when several share standard output.
/// Valid UTF-8 is printed as text; backslash, tab, CR, LF and other control characters are escaped
/// (<c>\\</c>, <c>\t</c>, <c>\r</c>, <c>\n</c>, <c>\xNN</c>). A value that is not valid UTF-8 is printed
/// byte by byte: printable ASCII as-is, every other byte as <c>\xNN</c>.
/// </summary>
internal static class ValueText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The value as one line of text, escaped as the type describes.</summary>
    public static string Escape(ReadOnlySpan<byte> value)
    {
        var text = new StringBuilder(value.Length);
        string decoded;
        try
        {
            decoded = StrictUtf8.GetString(value);
        }
        catch (DecoderFallbackException)
        {
            foreach (byte b in value)
            {
                AppendChar(text, (char)b, b >= 0x80);
            }

            return text.ToString();
        }

        foreach (char c in decoded)
        {
            AppendChar(text, c, false);
        }

        return text.ToString();
    }

    private static void AppendChar(StringBuilder text, char c, bool forceHex)
    {
        switch (c)
        {
            case '\\' when !forceHex: text.Append(@"\\"); break;
            case '\t' when !forceHex: text.Append(@"\t"); break;
            case '\r' when !forceHex: text.Append(@"\r"); break;
            case '\n' when !forceHex: text.Append(@"\n"); break;
            default:
                if (forceHex || (c < 0x100 && char.IsControl(c)))
                {
                    text.Append(@"\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                }
                else if (char.IsControl(c))
                {
                    text.Append(@"\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                }
                else
                {
                    text.Append(c);
                }

                break;
        }
    }
}
