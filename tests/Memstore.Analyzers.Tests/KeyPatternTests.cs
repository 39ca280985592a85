namespace Memstore.Analyzers.Tests;

[Trait("Category", "Unit")]
public class KeyPatternTests
{
    private const char Hole = KeyPattern.AnyString;

    [Theory]
    [InlineData("bank:acct:42", true)]
    [InlineData("bank:acct:" + "\0", true)]
    [InlineData("bank:acct:" + "\0" + ":x", true)]
    [InlineData("bank:acct:x" + "\0", true)]
    [InlineData("bank:acct:", false)]
    [InlineData("bank:acct", false)]
    [InlineData("bank:account:1", false)]
    [InlineData("bank:account:" + "\0", false)]
    [InlineData("bank:" + "\0", false)]
    [InlineData("\0" + "bank:acct:1", false)]
    [InlineData("xbank:acct:1", false)]
    public void Keys_match_a_template_only_through_its_whole_constant_prefix(string key, bool expected) =>
        Assert.Equal(expected, KeyPattern.KeyMatchesTemplate(key, KeyPattern.FromTemplate("bank:acct:{id}")));

    [Theory]
    [InlineData("bank:ledger:1:2", true)]
    [InlineData("bank:ledger:1", false)]
    [InlineData("bank:ledger:1:", false)]
    [InlineData("bank:ledger:" + "\0" + ":x", true)]
    [InlineData("bank:ledger:" + "\0" + "x", true)]
    public void Templates_with_several_placeholders_are_patterns(string key, bool expected) =>
        Assert.Equal(expected, KeyPattern.KeyMatchesTemplate(key, KeyPattern.FromTemplate("bank:ledger:{day}:{n}")));

    [Theory]
    [InlineData("bank:{x}", "bank:acct:{id}", true)]
    [InlineData("bank:acct:{id}", "bank:acct:{id}", true)]
    [InlineData("bank:sess:{id}", "bank:acct:{id}", false)]
    [InlineData("bank:acct", "bank:acct:{id}", false)]
    [InlineData("{a}:acct:{b}", "bank:acct:{id}", true)]
    [InlineData("bank:{a}:owner", "bank:acct:{id}:balance", false)]
    [InlineData("bank:{a}:{b}", "bank:acct:{id}", true)]
    public void Two_templates_alias_when_some_key_matches_both(string a, string b, bool expected) =>
        Assert.Equal(expected, KeyPattern.Intersects(KeyPattern.FromTemplate(a), KeyPattern.FromTemplate(b)));

    [Fact]
    public void A_template_without_a_constant_prefix_only_matches_constant_keys()
    {
        var template = KeyPattern.FromTemplate("{id}");
        Assert.True(KeyPattern.KeyMatchesTemplate("anything", template));
        Assert.False(KeyPattern.KeyMatchesTemplate("x" + Hole, template));
    }

    [Fact]
    public void Templates_are_read_by_the_shared_parser_and_a_malformed_one_is_literal()
    {
        // Names are trimmed by the one parser (src/Shared/KeyTemplate.cs), as the generator emits them.
        Assert.Equal("a:" + KeyPattern.Placeholder + ":b", KeyPattern.FromTemplate("a:{ id }:b"));
        // The generator refuses a malformed template; the analyzers take it as text, never as a wildcard.
        Assert.Equal("a:{id", KeyPattern.FromTemplate("a:{id"));
        Assert.False(KeyPattern.KeyMatchesTemplate("a:7", KeyPattern.FromTemplate("a:{id")));
    }

    [Fact]
    public void The_literal_ends_check_never_changes_the_walks_answer()
    {
        // Random patterns over a small alphabet, half of each pair built on a shared literal prefix or suffix, so
        // both the early refusals and the pairs that reach the walk are exercised.
        var random = new Random(20261203);
        char[] alphabet = ['a', 'b', ':', KeyPattern.AnyString, KeyPattern.AnyChar];
        string Next(int max)
        {
            var chars = new char[random.Next(max + 1)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[random.Next(alphabet.Length)];
            }
            return new string(chars);
        }
        int intersecting = 0, refused = 0;
        for (var i = 0; i < 4000; i++)
        {
            var a = Next(8);
            var b = Next(8);
            if (i % 4 == 1)
            {
                var shared = Next(4).Replace(KeyPattern.AnyString, 'a').Replace(KeyPattern.AnyChar, 'b');
                (a, b) = (shared + a, shared + b);
            }
            else if (i % 4 == 3)
            {
                var shared = Next(4).Replace(KeyPattern.AnyString, 'a').Replace(KeyPattern.AnyChar, 'b');
                (a, b) = (a + shared, b + shared);
            }
            var walk = KeyPattern.ProductWalk(a, b);
            Assert.True(walk == KeyPattern.Intersects(a, b), $"'{Show(a)}' and '{Show(b)}': the walk says {walk}");
            intersecting += walk ? 1 : 0;
            refused += walk ? 0 : 1;
        }
        // Both answers occur often enough for the comparison to mean something.
        Assert.InRange(intersecting, 400, 3600);
        Assert.InRange(refused, 400, 3600);
    }

    private static string Show(string pattern) => pattern.Replace(KeyPattern.AnyString, '*').Replace(KeyPattern.AnyChar, '?');
}
