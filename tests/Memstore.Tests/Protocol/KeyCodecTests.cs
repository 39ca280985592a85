using Memstore.Shared;
using System.Text;
using CsCheck;
using Memstore.Protocol;

namespace Memstore.Tests.Protocol;

/// <summary>Key validation: memcached's 250-byte limit, no spaces or control characters in text mode, base64-encoded keys in KeyMode.Base64.</summary>
[Trait("Category", "Unit")]
public sealed class KeyCodecTests
{
    private static int Encode(string key, KeyMode mode = KeyMode.Text)
    {
        var scratch = new byte[KeyCodec.ScratchSize];
        return KeyCodec.Encode(key, mode, scratch);
    }

    private static InvalidKeyException Refused(string key, KeyMode mode = KeyMode.Text)
    {
        var ex = Assert.Throws<InvalidKeyException>(() => Encode(key, mode));
        Assert.Equal(key, ex.Key);
        return ex;
    }

    [Fact]
    public void A_key_of_250_bytes_is_accepted_and_251_refused()
    {
        Assert.Equal(250, Encode(new string('k', 250)));
        var ex = Refused(new string('k', 251));
        Assert.Contains("251 UTF-8 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("limit is 250 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("\"kkkk", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_empty_key_is_refused()
    {
        var ex = Refused("");
        Assert.Contains("cannot be empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_key_is_an_argument_null_error()
    {
        Assert.Throws<ArgumentNullException>(() => Encode(null!));
    }

    [Theory]
    [InlineData("a b", "\"a b\"", "a space")]
    [InlineData("a\rb", "\"a\\rb\"", "the control character U+000D")]
    [InlineData("a\nb", "\"a\\nb\"", "the control character U+000A")]
    [InlineData("a\tb", "\"a\\tb\"", "the control character U+0009")]
    [InlineData("a\0b", "\"a\\u0000b\"", "the control character U+0000")]
    [InlineData("a\u007Fb", "\"a\\u007Fb\"", "the control character U+007F")]
    [InlineData("a\u001Bb", "\"a\\u001Bb\"", "the control character U+001B")]
    [InlineData(" ", "\" \"", "a space")]
    public void Spaces_and_control_characters_are_refused_naming_the_key_and_the_rule(string key, string escaped, string what)
    {
        var ex = Refused(key);
        Assert.Contains($"Key {escaped} is invalid", ex.Message, StringComparison.Ordinal);
        Assert.Contains(what, ex.Message, StringComparison.Ordinal);
        Assert.Contains("at index", ex.Message, StringComparison.Ordinal);
        Assert.Contains("cannot contain spaces or control characters", ex.Message, StringComparison.Ordinal);
        Assert.Contains("KeyMode.Base64", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_injected_command_is_refused()
    {
        var ex = Refused("a\r\nflush_all");
        Assert.Contains("\"a\\r\\nflush_all\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("at index 1 is the control character U+000D", ex.Message, StringComparison.Ordinal);
        Refused("a\r\nflush_all", KeyMode.Text);
        // In base64 key mode the same key is harmless: it travels base64-encoded.
        Assert.Equal(12, Encode("a\r\nflush_all", KeyMode.Base64));
    }

    [Fact]
    public void The_index_in_the_message_counts_characters_not_bytes()
    {
        var ex = Refused("éé x");
        Assert.Contains("at index 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Multibyte_keys_are_counted_in_UTF8_bytes()
    {
        Assert.Equal(250, Encode(new string('é', 125)));
        var ex = Refused(new string('é', 126));
        Assert.Contains("252 UTF-8 bytes", ex.Message, StringComparison.Ordinal);
        // 126 UTF-16 characters but 251 bytes.
        Refused(new string('é', 125) + "a");
        // Emoji: 4 UTF-8 bytes each, two UTF-16 code units.
        Assert.Equal(250, Encode(string.Concat(Enumerable.Repeat("😀", 62)) + "ab"));
        Refused(string.Concat(Enumerable.Repeat("😀", 62)) + "abc");
        Assert.Equal(249, Encode(new string('€', 83)));
        Refused(new string('€', 84));
    }

    [Fact]
    public void The_encoded_bytes_are_the_UTF8_bytes()
    {
        var scratch = new byte[KeyCodec.ScratchSize];
        var length = KeyCodec.Encode("clé:1", KeyMode.Text, scratch);
        Assert.Equal(Encoding.UTF8.GetBytes("clé:1"), scratch[..length]);
    }

    [Fact]
    public void Binary_mode_accepts_any_characters_up_to_186_bytes()
    {
        Assert.Equal(186, MemcachedKeyRules.MaxBase64KeyBytes);
        Assert.Equal(186, Encode(new string(' ', 186), KeyMode.Base64));
        Assert.Equal(186, Encode(new string('\n', 186), KeyMode.Base64));
        var ex = Refused(new string(' ', 187), KeyMode.Base64);
        Assert.Contains("187 UTF-8 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("limit is 186 bytes in base64 key mode", ex.Message, StringComparison.Ordinal);
        Assert.Equal(186, Encode(new string('é', 93), KeyMode.Base64));
        Refused(new string('é', 93) + "x", KeyMode.Base64);
        Refused("", KeyMode.Base64);
    }

    [Fact]
    public void Any_text_of_up_to_186_bytes_is_a_valid_binary_key_and_round_trips_through_base64()
    {
        Gen.String.Where(s => Encoding.UTF8.GetByteCount(s) is > 0 and <= MemcachedKeyRules.MaxBase64KeyBytes).Sample(key =>
        {
            var scratch = new byte[KeyCodec.ScratchSize];
            var length = KeyCodec.Encode(key, KeyMode.Base64, scratch);
            using var buffer = new RequestBuffer();
            KeyCodec.WriteWireKey(buffer, scratch.AsSpan(0, length), KeyMode.Base64);
            Assert.InRange(buffer.Length, 4, MemcachedKeyRules.MaxKeyBytes);
            Assert.Equal(scratch[..length], Convert.FromBase64String(Encoding.ASCII.GetString(buffer.WrittenSpan)));
        }, iter: 2_000);
    }

    [Fact]
    public void A_text_key_is_accepted_exactly_when_it_has_1_to_250_bytes_and_no_byte_at_or_below_space_or_DEL()
    {
        var chars = Gen.Frequency((8, Gen.Char['!', '~']), (1, Gen.Char[(char)0, ' ']), (1, Gen.Char['\u007F', '\u00A0']), (1, Gen.Char['\u00A1', '\uD7FF']));
        Gen.Frequency((4, chars.Array[1, 60]), (1, chars.Array[240, 260])).Select(a => new string(a)).Sample(key =>
        {
            var bytes = Encoding.UTF8.GetBytes(key);
            var valid = bytes.Length is > 0 and <= 250 && !bytes.Any(b => b <= 0x20 || b == 0x7F);
            if (valid)
            {
                Assert.Equal(bytes.Length, Encode(key));
            }
            else
            {
                Assert.Throws<InvalidKeyException>(() => Encode(key));
            }
        }, iter: 2_000);
    }

    [Fact]
    public void Describe_escapes_and_shortens()
    {
        Assert.Equal("(none)", KeyCodec.Describe(null));
        Assert.Equal("\"a\\\"b\"", KeyCodec.Describe("a\"b"));
        var described = KeyCodec.Describe(new string('x', 100));
        Assert.Equal(64 + 3, described.Length);
        Assert.EndsWith("…\"", described, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_keys_go_on_the_wire_unchanged()
    {
        using var buffer = new RequestBuffer();
        KeyCodec.WriteWireKey(buffer, "foo"u8, KeyMode.Text);
        Assert.Equal("foo"u8.ToArray(), buffer.WrittenSpan.ToArray());
        buffer.Clear();
        KeyCodec.WriteWireKey(buffer, "foo"u8, KeyMode.Base64);
        Assert.Equal("Zm9v"u8.ToArray(), buffer.WrittenSpan.ToArray());
    }
}
