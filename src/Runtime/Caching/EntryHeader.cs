using System.Buffers.Binary;

namespace Memstore.Caching;

/// <summary>
/// The header <see cref="MemcacheDistributedCache"/> stores in front of every value, so expiry needs no
/// sidecar key. Layout, little-endian:
/// <code>
/// byte 0     version, 1
/// byte 1     bit 0: a sliding window follows; bit 1: an absolute deadline follows; other bits 0
/// 8 bytes    sliding window in TimeSpan ticks (100 ns), when bit 0 is set
/// 8 bytes    absolute deadline in Unix milliseconds (UTC), when bit 1 is set
/// ...        the caller's value bytes
/// </code>
/// The item's client flags are <see cref="MemcacheDistributedCache.EntryFlags"/>. memcached's own TTL is
/// min(sliding window, time to the deadline) when written and again on every slide.
/// </summary>
internal readonly record struct EntryHeader(TimeSpan? Sliding, long? AbsoluteUnixMs)
{
    public const byte Version = 1;
    public const int MaxLength = 18;
    private const byte HasSliding = 1, HasAbsolute = 2;

    public int Length => 2 + (Sliding is null ? 0 : 8) + (AbsoluteUnixMs is null ? 0 : 8);

    public int Write(Span<byte> destination)
    {
        destination[0] = Version;
        destination[1] = (byte)((Sliding is null ? 0 : HasSliding) | (AbsoluteUnixMs is null ? 0 : HasAbsolute));
        var offset = 2;
        if (Sliding is { } sliding)
        {
            BinaryPrimitives.WriteInt64LittleEndian(destination[offset..], sliding.Ticks);
            offset += 8;
        }
        if (AbsoluteUnixMs is { } absolute)
        {
            BinaryPrimitives.WriteInt64LittleEndian(destination[offset..], absolute);
            offset += 8;
        }
        return offset;
    }

    /// <summary>
    /// Length the header has, judging by its first two bytes: 0 when <paramref name="data"/> is too short to
    /// tell, -1 when the bytes are not a version-1 header.
    /// </summary>
    public static int LengthOf(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2)
        {
            return 0;
        }
        if (data[0] != Version || (data[1] & ~(HasSliding | HasAbsolute)) != 0)
        {
            return -1;
        }
        return 2 + ((data[1] & HasSliding) != 0 ? 8 : 0) + ((data[1] & HasAbsolute) != 0 ? 8 : 0);
    }

    /// <summary>Reads a header; false when the bytes are not one (a foreign or corrupt item).</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out EntryHeader header, out int length)
    {
        header = default;
        length = LengthOf(data);
        if (length <= 0 || data.Length < length)
        {
            return false;
        }
        var offset = 2;
        TimeSpan? sliding = null;
        long? absolute = null;
        if ((data[1] & HasSliding) != 0)
        {
            sliding = TimeSpan.FromTicks(BinaryPrimitives.ReadInt64LittleEndian(data[offset..]));
            offset += 8;
        }
        if ((data[1] & HasAbsolute) != 0)
        {
            absolute = BinaryPrimitives.ReadInt64LittleEndian(data[offset..]);
        }
        header = new EntryHeader(sliding, absolute);
        return true;
    }

    /// <summary>Whether the absolute deadline has passed.</summary>
    public bool IsExpired(long nowUnixMs) => AbsoluteUnixMs is { } deadline && nowUnixMs >= deadline;

    /// <summary>
    /// memcached TTL from now: the sliding window, capped by the time left to the deadline, plus one second;
    /// null for none. memcached's clock ticks in whole seconds, so a TTL of N seconds can end after only N - 1;
    /// the extra second keeps an entry for at least its window. (The deadline itself is checked exactly on
    /// every read, from the header.)
    /// </summary>
    public TimeSpan? TtlFrom(long nowUnixMs) => Window(nowUnixMs) is { } window ? window + TimeSpan.FromSeconds(1) : null;

    private TimeSpan? Window(long nowUnixMs)
    {
        TimeSpan? left = AbsoluteUnixMs is { } deadline ? TimeSpan.FromMilliseconds(Math.Max(1, deadline - nowUnixMs)) : null;
        return (Sliding, left) switch
        {
            ({ } s, { } l) => s < l ? s : l,
            ({ } s, null) => s,
            (null, { } l) => l,
            _ => null,
        };
    }
}
