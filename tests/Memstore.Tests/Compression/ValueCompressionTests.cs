namespace Memstore.Tests.Compression;

/// <summary>When a value is compressed, and what a frame must carry: the decisions docs/compression.md states, without a server.</summary>
[Trait("Category", "Unit")]
public sealed class ValueCompressionTests
{
    [Fact]
    public void Values_below_the_threshold_or_that_do_not_shrink_are_not_compressed()
    {
        var compression = new ValueCompression(thresholdBytes: 100);
        Assert.Null(compression.TryCompress(new byte[99]));
        var noise = new byte[4_000];
        new Random(5).NextBytes(noise);
        Assert.Null(compression.TryCompress(noise)); // a frame of random bytes is larger than they are
    }

    [Fact]
    public void A_compressed_value_is_one_frame_with_size_and_checksum_and_decompresses_exactly()
    {
        var value = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("abcdefgh", 500)));
        var frame = new ValueCompression(thresholdBytes: 100).TryCompress(value)!;
        Assert.True(frame.Length < value.Length / 10);
        Assert.Equal([0x28, 0xB5, 0x2F, 0xFD], frame[..4]);
        Assert.NotEqual(0, frame[4] & 0x04); // the content checksum flag
        var output = ValueCompression.Decompress(frame, ValueCompression.DefaultMaxDecompressedBytes, out var length);
        try
        {
            Assert.Equal(value, output.AsSpan(0, length).ToArray());
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(output);
        }
        Assert.Throws<MemcacheFormatException>(() => ValueCompression.Decompress(frame, value.Length - 1, out _));
    }
}
