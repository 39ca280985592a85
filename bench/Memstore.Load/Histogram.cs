using System.Numerics;

namespace Memstore.Load;

/// <summary>
/// Log-linear latency histogram in microseconds: exact below 64 µs, then 32 buckets per power of two
/// (about 3% resolution). One per worker, so recording is a plain array increment: no locks, no allocation.
/// </summary>
internal sealed class Histogram
{
    private const int Linear = 64;
    private const int SubBuckets = 32;
    private const int BucketCount = Linear + (40 - 6) * SubBuckets;
    private readonly long[] _counts = new long[BucketCount];

    public long Count { get; private set; }

    public void Record(long micros)
    {
        _counts[Index(Math.Max(0, micros))]++;
        Count++;
    }

    public void Add(Histogram other)
    {
        for (var i = 0; i < BucketCount; i++)
        {
            _counts[i] += other._counts[i];
        }
        Count += other.Count;
    }

    /// <summary>The latency (µs, bucket midpoint) below which <paramref name="quantile"/> of the samples lie.</summary>
    public long Percentile(double quantile)
    {
        if (Count == 0)
        {
            return 0;
        }
        var rank = (long)Math.Ceiling(quantile * Count);
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= Math.Max(1, rank))
            {
                var (low, width) = Bounds(i);
                return low + width / 2;
            }
        }
        return Bounds(BucketCount - 1).Low;
    }

    private static int Index(long value)
    {
        if (value < Linear)
        {
            return (int)value;
        }
        var msb = 63 - BitOperations.LeadingZeroCount((ulong)value);
        var sub = (int)(value >> (msb - 5)) - SubBuckets;
        return Math.Min(BucketCount - 1, Linear + (msb - 6) * SubBuckets + sub);
    }

    private static (long Low, long Width) Bounds(int index)
    {
        if (index < Linear)
        {
            return (index, 1);
        }
        var msb = (index - Linear) / SubBuckets + 6;
        var sub = (index - Linear) % SubBuckets;
        var width = 1L << (msb - 5);
        return ((sub + SubBuckets) * width, width);
    }
}
