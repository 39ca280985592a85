using System.Buffers;
using ZstdSharp;

namespace Memstore;

/// <summary>
/// Opt-in compression of stored values (docs/compression.md): a value of at least <see cref="ThresholdBytes"/>
/// encoded bytes is stored as one zstd frame with <see cref="MemcacheFlags.ZstdCompressed"/> added to its client
/// flags, when that makes it smaller; anything else is stored as it is. Readers decompress every value whose flags
/// carry the bit, whether or not their keyspace compresses, so turning compression on or off never breaks reads.
/// </summary>
public sealed class ValueCompression
{
    /// <summary>The default: values of 1 KiB and more, zstd level 1 (the fastest; docs/compression.md has the figures).</summary>
    public static ValueCompression Default { get; } = new();

    /// <summary>The largest decompressed value accepted by default: 64 MiB.</summary>
    public const int DefaultMaxDecompressedBytes = 64 * 1024 * 1024;

    /// <summary>Creates the settings.</summary>
    /// <param name="thresholdBytes">Values of at least this many encoded bytes are compressed; at least 1.</param>
    /// <param name="level">The zstd level, 1 (fastest) to 19; negative levels (faster still) down to -7 are allowed.</param>
    public ValueCompression(int thresholdBytes = 1024, int level = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(thresholdBytes, 1);
        if (level is < -7 or > 19 or 0)
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "A zstd level is 1 to 19 (or -7 to -1 for faster, larger frames).");
        }
        ThresholdBytes = thresholdBytes;
        Level = level;
    }

    /// <summary>Values of at least this many encoded bytes are compressed.</summary>
    public int ThresholdBytes { get; }

    /// <summary>The zstd compression level.</summary>
    public int Level { get; }

    /// <summary>
    /// The largest size a compressed value may declare; a larger one is refused with a
    /// <see cref="MemcacheFormatException"/> before anything is allocated (a small item must not make the reader
    /// allocate gigabytes). Default <see cref="DefaultMaxDecompressedBytes"/>.
    /// </summary>
    public int MaxDecompressedBytes
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = DefaultMaxDecompressedBytes;

    private static ReadOnlySpan<byte> FrameMagic => [0x28, 0xB5, 0x2F, 0xFD];

    [ThreadStatic]
    private static Compressor? t_compressor;

    [ThreadStatic]
    private static Decompressor? t_decompressor;

    /// <summary>
    /// The zstd frame for <paramref name="value"/> when it is at least the threshold and the frame is smaller, else
    /// null (store the value as it is). The frame records the original size, which readers check.
    /// </summary>
    internal byte[]? TryCompress(ReadOnlySpan<byte> value)
    {
        if (value.Length < ThresholdBytes)
        {
            return null;
        }
        var compressor = t_compressor;
        if (compressor is null)
        {
            compressor = t_compressor = new Compressor(Level);
            // A content checksum in every frame: a damaged item must fail to decompress, not decompress to other bytes.
            compressor.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        }
        else if (compressor.Level != Level)
        {
            compressor.Level = Level;
        }
        var bound = Compressor.GetCompressBound(value.Length);
        var rented = ArrayPool<byte>.Shared.Rent(bound);
        try
        {
            var written = compressor.Wrap(value, rented);
            return written < value.Length ? rented.AsSpan(0, written).ToArray() : null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Decompresses a value stored with <see cref="MemcacheFlags.ZstdCompressed"/> into a pooled array of exactly the
    /// size its frame declares (<paramref name="length"/>); the caller returns the array to <see cref="ArrayPool{T}.Shared"/>.
    /// </summary>
    /// <exception cref="MemcacheFormatException">The bytes are not one whole zstd frame with its size, the size is
    /// above <paramref name="maxBytes"/>, or the frame does not hold that many bytes.</exception>
    internal static byte[] Decompress(ReadOnlySpan<byte> frame, int maxBytes, out int length)
    {
        // Frame header (RFC 8878): 4 magic bytes, then the descriptor, whose bit 2 says a content checksum follows.
        if (frame.Length >= 5 && frame[..4].SequenceEqual(FrameMagic) && (frame[4] & 0x04) == 0)
        {
            throw new MemcacheFormatException($"The item's zstd frame ({frame.Length} bytes) has no content checksum, which Memstore requires so that a damaged item cannot decompress to other bytes (docs/compression.md).");
        }
        ulong declared;
        try
        {
            declared = Decompressor.GetDecompressedSize(frame);
        }
        catch (ZstdException ex)
        {
            throw new MemcacheFormatException($"The item's flags say it is zstd-compressed (MemcacheFlags.ZstdCompressed), but its {frame.Length} bytes are not a zstd frame: {ex.Message}", ex);
        }
        if (declared == 0 && !IsEmptyFrame(frame))
        {
            throw new MemcacheFormatException($"The item's flags say it is zstd-compressed, but its {frame.Length}-byte zstd frame does not record its original size, which Memstore requires (docs/compression.md).");
        }
        if (declared > (ulong)maxBytes)
        {
            throw new MemcacheFormatException($"The item's zstd frame declares {declared} bytes once decompressed, more than the {maxBytes} allowed (ValueCompression.MaxDecompressedBytes); it was not decompressed.");
        }
        length = (int)declared;
        var output = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            var decompressor = t_decompressor ??= new Decompressor();
            var written = decompressor.Unwrap(frame, output.AsSpan(0, length));
            if (written != length)
            {
                throw new MemcacheFormatException($"The item's zstd frame declares {length} bytes but holds {written}.");
            }
            return output;
        }
        catch (ZstdException ex)
        {
            ArrayPool<byte>.Shared.Return(output);
            throw new MemcacheFormatException($"The item's zstd frame ({frame.Length} bytes, declaring {length}) is damaged: {ex.Message}", ex);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(output);
            throw;
        }
    }

    /// <summary>A frame that declares size 0 is valid only when it holds nothing (an empty value).</summary>
    private static bool IsEmptyFrame(ReadOnlySpan<byte> frame)
    {
        try
        {
            Span<byte> none = stackalloc byte[1];
            return new Decompressor().Unwrap(frame, none) == 0;
        }
        catch (ZstdException)
        {
            return false;
        }
    }
}
