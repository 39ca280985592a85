using System.Numerics;

namespace Memstore.Cli.Bench;

/// <summary>
/// Log-linear latency histogram in microseconds: exact below 64 µs, then 32 buckets per power of two
/// (about 3% resolution). One per worker, so recording is a plain array increment: no locks, no allocation.
/// Compiled into both <c>memstore bench</c> and bench/Memstore.Load.
/// </summary>
internal sealed class Histogram
{
    private const int Linear = 64;
    private const int SubBuckets = 32;
    private const int BucketCount = Linear + ((40 - 6) * SubBuckets);
    private readonly long[] _counts = new long[BucketCount];

    /// <summary>How many latencies were recorded.</summary>
    public long Count { get; private set; }

    /// <summary>Records one latency.</summary>
    public void Record(long micros)
    {
        _counts[Index(Math.Max(0, micros))]++;
        Count++;
    }

    /// <summary>Adds <paramref name="other"/>'s counts to this one's (read while <paramref name="other"/> records: a close enough snapshot).</summary>
    public void Add(Histogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        long added = 0;
        for (int i = 0; i < BucketCount; i++)
        {
            long count = other._counts[i];
            _counts[i] += count;
            added += count;
        }

        Count += added;
    }

    /// <summary>The latency (µs, bucket midpoint) below which <paramref name="quantile"/> of the samples lie.</summary>
    public long Percentile(double quantile)
    {
        if (Count == 0)
        {
            return 0;
        }

        long rank = (long)Math.Ceiling(quantile * Count);
        long seen = 0;
        for (int i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= Math.Max(1, rank))
            {
                (long low, long width) = Bounds(i);
                return low + (width / 2);
            }
        }

        return Bounds(BucketCount - 1).Low;
    }

    /// <summary>The non-empty buckets, fastest first: each one's lowest latency (µs), width (µs) and count.</summary>
    public IEnumerable<(long Low, long Width, long Count)> Buckets()
    {
        for (int i = 0; i < BucketCount; i++)
        {
            if (_counts[i] > 0)
            {
                (long low, long width) = Bounds(i);
                yield return (low, width, _counts[i]);
            }
        }
    }

    private static int Index(long value)
    {
        if (value < Linear)
        {
            return (int)value;
        }

        int msb = 63 - BitOperations.LeadingZeroCount((ulong)value);
        int sub = (int)(value >> (msb - 5)) - SubBuckets;
        return Math.Min(BucketCount - 1, Linear + ((msb - 6) * SubBuckets) + sub);
    }

    private static (long Low, long Width) Bounds(int index)
    {
        if (index < Linear)
        {
            return (index, 1);
        }

        int msb = ((index - Linear) / SubBuckets) + 6;
        int sub = (index - Linear) % SubBuckets;
        long width = 1L << (msb - 5);
        return ((sub + SubBuckets) * width, width);
    }
}
