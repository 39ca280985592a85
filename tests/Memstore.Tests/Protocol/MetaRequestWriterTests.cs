using Memstore.Shared;
using System.Text;
using Memstore.Protocol;
using Memstore.Protocol.Commands;

namespace Memstore.Tests.Protocol;

/// <summary>Exact request bytes for every command the client sends (each meta command formats its own line).</summary>
[Trait("Category", "Unit")]
public sealed class MetaRequestWriterTests
{
    private static readonly byte[] Foo = "foo"u8.ToArray();

    // The meta commands in the shape the tests read best: positional flags, no opaque token unless given.
    private static void WriteGet(RequestBuffer buffer, ReadOnlySpan<byte> key, KeyMode mode, bool withValue, uint? touchTtl, bool quiet = false, long opaque = -1) =>
        new MetaGet(!withValue, touchTtl, Quiet: quiet).Write(buffer, key, mode, opaque);

    private static void WriteStore(RequestBuffer buffer, ReadOnlySpan<byte> key, KeyMode mode, StoreMode storeMode, ReadOnlySpan<byte> value, uint flags, uint ttlSeconds, CasToken cas) =>
        new StoreCommand(storeMode, TimeSpan.FromSeconds(ttlSeconds), flags, cas).Write(buffer, key, mode, value, -1L);

    private static void WriteDelete(RequestBuffer buffer, ReadOnlySpan<byte> key, KeyMode mode, CasToken cas) =>
        new DeleteCommand(cas).Write(buffer, key, mode, -1L);

    private static void WriteArithmetic(RequestBuffer buffer, ReadOnlySpan<byte> key, KeyMode mode, bool decrement, ulong delta, ulong? initialValue, uint ttlSeconds) =>
        new ArithmeticCommand(decrement, delta, initialValue, TimeSpan.FromSeconds(ttlSeconds)).Write(buffer, key, mode, -1L);

    private static string Written(Action<RequestBuffer> write)
    {
        using var buffer = new RequestBuffer();
        write(buffer);
        return Encoding.Latin1.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void Get_with_value_flags_and_cas()
    {
        Assert.Equal("mg foo v f c\r\n", Written(b => WriteGet(b, Foo, KeyMode.Text, withValue: true, touchTtl: null)));
    }

    [Fact]
    public void Get_metadata_only()
    {
        Assert.Equal("mg foo\r\n", Written(b => WriteGet(b, Foo, KeyMode.Text, withValue: false, touchTtl: null)));
    }

    [Fact]
    public void Get_and_touch()
    {
        Assert.Equal("mg foo v f c T30\r\n", Written(b => WriteGet(b, Foo, KeyMode.Text, true, 30)));
        Assert.Equal("mg foo T0\r\n", Written(b => WriteGet(b, Foo, KeyMode.Text, false, 0)));
    }

    [Fact]
    public void Quiet_get_with_opaque_for_a_batch()
    {
        Assert.Equal("mg foo v f c q O0\r\n", Written(b => WriteGet(b, Foo, KeyMode.Text, true, null, quiet: true, opaque: 0)));
        Assert.Equal("mg foo v f c q O2147483647\r\n", Written(b => WriteGet(b, Foo, KeyMode.Text, true, null, quiet: true, opaque: int.MaxValue)));
        Assert.Equal("mg foo v f c q\r\n", Written(b => WriteGet(b, Foo, KeyMode.Text, true, null, quiet: true)));
    }

    [Fact]
    public void Get_with_a_binary_key_sends_base64_and_the_b_flag()
    {
        Assert.Equal("mg Zm9v b v f c\r\n", Written(b => WriteGet(b, Foo, KeyMode.Base64, true, null)));
        var key = Encoding.UTF8.GetBytes("a key\r\n");
        Assert.Equal("mg YSBrZXkNCg== b v f c T5 q O1\r\n", Written(b => WriteGet(b, key, KeyMode.Base64, true, 5, true, 1)));
    }

    [Theory]
    [InlineData(StoreMode.Set, "ms foo 3 c F5 T0\r\nbar\r\n")]
    [InlineData(StoreMode.Add, "ms foo 3 c F5 T0 ME\r\nbar\r\n")]
    [InlineData(StoreMode.Replace, "ms foo 3 c F5 T0 MR\r\nbar\r\n")]
    [InlineData(StoreMode.Append, "ms foo 3 c MA\r\nbar\r\n")]
    [InlineData(StoreMode.Prepend, "ms foo 3 c MP\r\nbar\r\n")]
    public void Store_in_each_mode(StoreMode mode, string expected)
    {
        Assert.Equal(expected, Written(b => WriteStore(b, Foo, KeyMode.Text, mode, "bar"u8, 5, 0, CasToken.None)));
    }

    [Theory]
    [InlineData(StoreMode.Set, "ms foo 3 c F4294967295 T2592000 C123\r\nbar\r\n")]
    [InlineData(StoreMode.Add, "ms foo 3 c F4294967295 T2592000 C123 ME\r\nbar\r\n")]
    [InlineData(StoreMode.Replace, "ms foo 3 c F4294967295 T2592000 C123 MR\r\nbar\r\n")]
    [InlineData(StoreMode.Append, "ms foo 3 c C123 MA\r\nbar\r\n")]
    [InlineData(StoreMode.Prepend, "ms foo 3 c C123 MP\r\nbar\r\n")]
    public void Store_with_cas_flags_and_ttl(StoreMode mode, string expected)
    {
        Assert.Equal(expected, Written(b => WriteStore(b, Foo, KeyMode.Text, mode, "bar"u8, uint.MaxValue, 2_592_000, new CasToken(123))));
    }

    [Fact]
    public void Store_with_the_largest_cas_token()
    {
        Assert.Equal("ms foo 0 c F0 T1 C18446744073709551615\r\n\r\n",
            Written(b => WriteStore(b, Foo, KeyMode.Text, StoreMode.Set, [], 0, 1, new CasToken(ulong.MaxValue))));
    }

    [Fact]
    public void Store_with_a_binary_key()
    {
        Assert.Equal("ms Zm9v 3 b c F0 T60\r\nbar\r\n", Written(b => WriteStore(b, Foo, KeyMode.Base64, StoreMode.Set, "bar"u8, 0, 60, CasToken.None)));
        Assert.Equal("ms Zm9v 3 b c C7 MA\r\nbar\r\n", Written(b => WriteStore(b, Foo, KeyMode.Base64, StoreMode.Append, "bar"u8, 0, 60, new CasToken(7))));
    }

    [Fact]
    public void Store_a_value_larger_than_the_initial_buffer_with_CR_LF_inside()
    {
        var value = Encoding.Latin1.GetBytes(Fixtures.TrickyValue(100_000));
        var written = Written(b => WriteStore(b, Foo, KeyMode.Text, StoreMode.Set, value, 1, 2, CasToken.None));
        Assert.Equal("ms foo 100000 c F1 T2\r\n" + Encoding.Latin1.GetString(value) + "\r\n", written);
    }

    [Fact]
    public void Delete()
    {
        Assert.Equal("md foo\r\n", Written(b => WriteDelete(b, Foo, KeyMode.Text, CasToken.None)));
        Assert.Equal("md foo C99\r\n", Written(b => WriteDelete(b, Foo, KeyMode.Text, new CasToken(99))));
        Assert.Equal("md Zm9v b\r\n", Written(b => WriteDelete(b, Foo, KeyMode.Base64, CasToken.None)));
        Assert.Equal("md Zm9v b C99\r\n", Written(b => WriteDelete(b, Foo, KeyMode.Base64, new CasToken(99))));
    }

    [Fact]
    public void Increment_and_decrement()
    {
        var cnt = "cnt"u8.ToArray();
        Assert.Equal("ma cnt D1 v c\r\n", Written(b => WriteArithmetic(b, cnt, KeyMode.Text, false, 1, null, 0)));
        Assert.Equal("ma cnt D5 MD v c\r\n", Written(b => WriteArithmetic(b, cnt, KeyMode.Text, true, 5, null, 300)));
        Assert.Equal("ma cnt D18446744073709551615 v c\r\n", Written(b => WriteArithmetic(b, cnt, KeyMode.Text, false, ulong.MaxValue, null, 0)));
    }

    [Fact]
    public void Increment_and_decrement_with_an_initial_value()
    {
        var cnt = "cnt"u8.ToArray();
        Assert.Equal("ma cnt N0 J10 D1 v c\r\n", Written(b => WriteArithmetic(b, cnt, KeyMode.Text, false, 1, 10, 0)));
        Assert.Equal("ma cnt N60 J0 D2 MD v c\r\n", Written(b => WriteArithmetic(b, cnt, KeyMode.Text, true, 2, 0, 60)));
        Assert.Equal("ma Y250 b N0 J10 D1 v c\r\n", Written(b => WriteArithmetic(b, cnt, KeyMode.Base64, false, 1, 10, 0)));
    }

    [Fact]
    public void Classic_and_no_op_commands()
    {
        Assert.Equal("mn\r\n", Written(MetaRequestWriter.NoOp));
        Assert.Equal("mn\r\n", Written(new NoOpCommand().Write));
        Assert.Equal("version\r\n", Written(new VersionCommand().Write));
        Assert.Equal("stats\r\n", Written(new StatsCommand().Write));
        Assert.Equal("stats\r\n", Written(new StatsCommand("").Write));
        Assert.Equal("stats slabs\r\n", Written(new StatsCommand("slabs").Write));
        Assert.Equal("flush_all\r\n", Written(new FlushAllCommand().Write));
        Assert.Equal("flush_all 10\r\n", Written(new FlushAllCommand(10).Write));
    }

    [Fact]
    public void Keys_go_through_the_codec_into_the_request()
    {
        Span<byte> scratch = stackalloc byte[KeyCodec.ScratchSize];
        var length = KeyCodec.Encode("clé", KeyMode.Text, scratch);
        var key = scratch[..length].ToArray();
        Assert.Equal("mg cl\u00c3\u00a9 v f c\r\n", Written(b => WriteGet(b, key, KeyMode.Text, true, null)));

        length = KeyCodec.Encode("a b", KeyMode.Base64, scratch);
        key = scratch[..length].ToArray();
        Assert.Equal("md YSBi b\r\n", Written(b => WriteDelete(b, key, KeyMode.Base64, CasToken.None)));
    }

    [Fact]
    public void The_longest_binary_key_fits_memcached_after_base64()
    {
        var key = new byte[MemcachedKeyRules.MaxBase64KeyBytes];
        var written = Written(b => WriteDelete(b, key, KeyMode.Base64, CasToken.None));
        var wireKey = written["md ".Length..written.IndexOf(' ', 3)];
        Assert.Equal(248, wireKey.Length);
        Assert.Equal(key, Convert.FromBase64String(wireKey));
    }

    [Fact]
    public void A_reused_buffer_starts_clean()
    {
        using var buffer = new RequestBuffer(4);
        WriteStore(buffer, Foo, KeyMode.Text, StoreMode.Set, new byte[5000], 0, 0, CasToken.None);
        buffer.Trim(16);
        MetaRequestWriter.NoOp(buffer);
        Assert.Equal("mn\r\n", Encoding.Latin1.GetString(buffer.WrittenSpan));
        buffer.Clear();
        new VersionCommand().Write(buffer);
        Assert.Equal("version\r\n", Encoding.Latin1.GetString(buffer.WrittenSpan));
    }
}
