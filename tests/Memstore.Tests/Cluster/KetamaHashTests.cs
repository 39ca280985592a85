using System.Text;
using Memstore.Cluster;

namespace Memstore.Tests.Cluster;

[Trait("Category", "Unit")]
public class KetamaHashTests
{
    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    [Theory]
    [InlineData("key0", 1952532230u)]
    [InlineData("10.0.1.1-0", 67800135u)]
    [InlineData("", 0u)]
    public void One_at_a_time_matches_RING_md_check_values(string text, uint expected) =>
        Assert.Equal(expected, KetamaHashes.OneAtATime(Ascii(text)));

    // Values from libhashkit_one_at_a_time (libmemcached 1.1.4, x86-64), which sign-extends
    // bytes >= 0x80; an unsigned implementation (OMcache's) gives different values.
    [Theory]
    [InlineData(new byte[] { 0xC3, 0xA9 }, 26298542u)]
    [InlineData(new byte[] { 0xFF }, 2925896852u)]
    [InlineData(new byte[] { 0xE2, 0x82, 0xAC }, 1783791021u)]
    public void One_at_a_time_sign_extends_high_bytes_like_libmemcached(byte[] data, uint expected) =>
        Assert.Equal(expected, KetamaHashes.OneAtATime(data));

    [Fact]
    public void Md5_words_match_RING_md_check_values()
    {
        Span<uint> words = stackalloc uint[4];
        KetamaHashes.Md5Words(Ascii("key0"), words);
        Assert.Equal(new uint[] { 4060279841, 3608091227, 1764866082, 4161340897 }, words.ToArray());
    }

    [Fact]
    public void Md5_32_is_the_first_md5_word() =>
        Assert.Equal(4060279841u, KetamaHashes.Md5First32(Ascii("key0")));

    [Fact]
    public void Md5_words_rejects_a_short_destination() =>
        Assert.Throws<ArgumentException>(() => KetamaHashes.Md5Words(Ascii("key0"), new uint[3]));

    [Fact]
    public void Hashing_allocates_nothing()
    {
        byte[] key = Ascii("some:key:with:a:reasonable:length");
        var words = new uint[4];
        KetamaHashes.OneAtATime(key);
        KetamaHashes.Md5First32(key);
        KetamaHashes.Md5Words(key, words);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            KetamaHashes.OneAtATime(key);
            KetamaHashes.Md5First32(key);
            KetamaHashes.Md5Words(key, words);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
