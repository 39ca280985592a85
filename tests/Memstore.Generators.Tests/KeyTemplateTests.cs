using Memstore.Shared;

namespace Memstore.Generators.Tests;

/// <summary>
/// The template grammar of src/Shared/KeyTemplate.cs, the one parser the generator and the analyzers share.
/// </summary>
[Trait("Category", "Unit")]
public sealed class KeyTemplateTests
{
    [Fact]
    public void Literals_and_placeholders_come_back_in_order_with_names_trimmed()
    {
        var template = KeyTemplate.Parse("shop:{ region }:order:{id}", out var error);
        Assert.Null(error);
        Assert.NotNull(template);
        Assert.Equal(
            [(false, "shop:"), (true, "region"), (false, ":order:"), (true, "id")],
            template.Segments.Select(s => (s.IsPlaceholder, s.Text)));
        Assert.Equal("shop::order:", template.LiteralText);
        Assert.Equal(2, template.PlaceholderCount);
    }

    [Fact]
    public void Adjacent_placeholders_and_a_template_without_literals_parse()
    {
        var template = KeyTemplate.Parse("{a}{b_2}", out _);
        Assert.NotNull(template);
        Assert.Equal([(true, "a"), (true, "b_2")], template.Segments.Select(s => (s.IsPlaceholder, s.Text)));
        Assert.Equal("", template.LiteralText);
    }

    [Theory]
    [InlineData("a}b", "'}' at position 1 closes no placeholder")]
    [InlineData("a:{id", "'{' at position 2 is never closed")]
    [InlineData("a:{}", "placeholder '{}' is not a name")]
    [InlineData("a:{  }", "placeholder '{}' is not a name")]
    [InlineData("a:{x-y}", "placeholder '{x-y}' is not a name")]
    [InlineData("a:{{x}}", "placeholder '{{x}' is not a name")]
    public void Malformed_templates_are_refused_with_the_position_or_the_name(string text, string expected)
    {
        Assert.Null(KeyTemplate.Parse(text, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("ok:key", null)]
    [InlineData("a b", "a space")]
    [InlineData("a\tb", "the control character U+0009")]
    [InlineData("a\u007Fb", "the control character U+007F")]
    [InlineData("caf\u00e9\u0085", null)] // only ASCII controls are refused; U+0085 is two UTF-8 bytes >= 0x80
    public void Forbidden_characters_are_the_ones_memcached_refuses(string text, string? expected)
    {
        Assert.Equal(expected, MemcachedKeyRules.FindForbiddenCharacter(text));
    }

    [Fact]
    public void The_binary_mode_limit_is_the_longest_raw_key_whose_base64_fits()
    {
        Assert.Equal(250, MemcachedKeyRules.MaxKeyBytes);
        Assert.Equal(186, MemcachedKeyRules.MaxBase64KeyBytes);
        Assert.True(System.Convert.ToBase64String(new byte[MemcachedKeyRules.MaxBase64KeyBytes]).Length <= MemcachedKeyRules.MaxKeyBytes);
        Assert.True(System.Convert.ToBase64String(new byte[MemcachedKeyRules.MaxBase64KeyBytes + 1]).Length > MemcachedKeyRules.MaxKeyBytes);
    }
}
