using System.Diagnostics;
using System.Globalization;
using System.Text;
using K4os.Compression.LZ4;
using MessagePack;

namespace Memstore.Benchmarks;

/// <summary>
/// The measurement behind the choice of zstd for compressed values (docs/compression.md): LZ4 (fast level) and
/// zstd (levels 1 and 3) on cache-like values of 1 KB, 16 KB and 256 KB, in the same run, as compressed size over
/// original and microseconds per compress and decompress. Values: MessagePack documents of generated orders (the
/// typed stores' format) and JSON text of the same orders.
/// </summary>
internal static class CompressionCheck
{
    public static int Run(int rounds)
    {
        foreach (var (kind, size) in new[] { ("msgpack", 1024), ("msgpack", 16 * 1024), ("msgpack", 256 * 1024), ("json", 1024), ("json", 16 * 1024), ("json", 256 * 1024) })
        {
            var value = kind == "json" ? Json(size) : MessagePackValue(size);
            using var zstd1 = new ZstdSharp.Compressor(1);
            using var zstd3 = new ZstdSharp.Compressor(3);
            using var unzstd = new ZstdSharp.Decompressor();
            // With the content checksum, as Memstore writes its frames.
            zstd1.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
            zstd3.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
            var codecs = new (string Name, Func<byte[], byte[]> Compress, Func<byte[], int, byte[]> Decompress)[]
            {
                ("lz4_fast", v => LZ4Pickler.Pickle(v, LZ4Level.L00_FAST), (c, _) => LZ4Pickler.Unpickle(c)),
                ("zstd_1", v => zstd1.Wrap(v).ToArray(), (c, n) => unzstd.Unwrap(c, n).ToArray()),
                ("zstd_3", v => zstd3.Wrap(v).ToArray(), (c, n) => unzstd.Unwrap(c, n).ToArray()),
            };
            foreach (var (name, compress, decompress) in codecs)
            {
                var packed = compress(value);
                if (!decompress(packed, value.Length).AsSpan().SequenceEqual(value))
                {
                    throw new InvalidOperationException($"{name} did not round-trip");
                }
                var iterations = Math.Max(20, 4_000_000 / value.Length);
                var compressUs = new List<double>();
                var decompressUs = new List<double>();
                for (var round = 0; round < rounds; round++)
                {
                    var started = Stopwatch.GetTimestamp();
                    for (var i = 0; i < iterations; i++)
                    {
                        compress(value);
                    }
                    compressUs.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds / iterations);
                    started = Stopwatch.GetTimestamp();
                    for (var i = 0; i < iterations; i++)
                    {
                        decompress(packed, value.Length);
                    }
                    decompressUs.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds / iterations);
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{kind}_{size / 1024}KB {name}: ratio={(double)packed.Length / value.Length:0.000} compress_us={Median(compressUs):0.0} decompress_us={Median(decompressUs):0.0} "
                    + $"compress_MBps={value.Length / Median(compressUs):0} decompress_MBps={value.Length / Median(decompressUs):0}"));
            }
        }
        return 0;
    }

    private static BenchOrder Order(Random random, int i) => new(
        new Guid(random.Next(), (short)i, (short)(i >> 16), [1, 2, 3, 4, 5, 6, 7, (byte)i]), $"customer-{random.Next(10_000)}",
        Math.Round((decimal)random.NextDouble() * 500, 2), (BenchStatus)(i % 3),
        [.. Enumerable.Range(0, 1 + random.Next(4)).Select(n => new BenchLine($"sku-{random.Next(2_000)}", random.Next(1, 9), Math.Round(random.NextDouble() * 100, 2)))],
        new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(random.Next(500_000)));

    private static byte[] MessagePackValue(int size)
    {
        var random = new Random(7);
        var output = new List<byte>(size + 512);
        for (var i = 0; output.Count < size; i++)
        {
            output.AddRange(MessagePackSerializer.Serialize(Order(random, i), SerializerOptions.Generated));
        }
        return [.. output.Take(size)];
    }

    private static byte[] Json(int size)
    {
        var random = new Random(7);
        var text = new StringBuilder("[");
        for (var i = 0; text.Length < size; i++)
        {
            var order = Order(random, i);
            text.Append(CultureInfo.InvariantCulture, $"{{\"id\":\"{order.Id}\",\"customer\":\"{order.Customer}\",\"total\":{order.Total},\"status\":\"{order.Status}\",\"lines\":[");
            text.AppendJoin(",", order.Lines.Select(l => string.Create(CultureInfo.InvariantCulture, $"{{\"sku\":\"{l.Sku}\",\"quantity\":{l.Quantity},\"price\":{l.Price}}}")));
            text.Append(CultureInfo.InvariantCulture, $"],\"placed\":\"{order.Created:O}\"}},");
        }
        return Encoding.UTF8.GetBytes(text.ToString(0, size));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
