using System.Globalization;

namespace Memstore.Cli.Top;

/// <summary>One server's <c>stats</c> at one moment, or why there are none.</summary>
/// <param name="Server">The server, as <c>HOST:PORT</c>.</param>
/// <param name="Stats">The statistics; null when the server did not answer.</param>
/// <param name="Failure">Why the server did not answer; null when it did.</param>
/// <param name="Timestamp">When the answer arrived, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</param>
internal sealed record ServerSample(string Server, IReadOnlyDictionary<string, string>? Stats, string? Failure, long Timestamp);

/// <summary>What <c>memstore top</c> shows for one server, or for the cluster total.</summary>
internal sealed record TopRow
{
    /// <summary>The server, or "total".</summary>
    public required string Server { get; init; }

    /// <summary>Whether the server answered (for the total: whether any did).</summary>
    public bool Up { get; init; }

    /// <summary>Why the server is down; null when it is up.</summary>
    public string? Failure { get; init; }

    /// <summary>Gets per second over the last interval; null before the second sample or after a restart.</summary>
    public double? GetsPerSecond { get; init; }

    /// <summary>Sets per second over the last interval.</summary>
    public double? SetsPerSecond { get; init; }

    /// <summary>Hits among the gets of the last interval (0..1); null when there were no gets in it.</summary>
    public double? HitRatio { get; init; }

    /// <summary>Bytes the server read from the network per second.</summary>
    public double? BytesReadPerSecond { get; init; }

    /// <summary>Bytes the server wrote to the network per second.</summary>
    public double? BytesWrittenPerSecond { get; init; }

    /// <summary>Evictions per second over the last interval.</summary>
    public double? EvictionsPerSecond { get; init; }

    /// <summary><c>curr_connections</c>.</summary>
    public long? Connections { get; init; }

    /// <summary><c>curr_items</c>.</summary>
    public long? Items { get; init; }

    /// <summary><c>bytes</c>: memory used by items.</summary>
    public long? BytesUsed { get; init; }

    /// <summary><c>limit_maxbytes</c>: the memory limit (memcached -m).</summary>
    public long? BytesLimit { get; init; }

    /// <summary><c>evictions</c> since the server started.</summary>
    public long? Evictions { get; init; }

    /// <summary>Gets and sets per second together: what <c>--sort ops</c> orders by.</summary>
    public double? OpsPerSecond => GetsPerSecond is null && SetsPerSecond is null ? null : (GetsPerSecond ?? 0) + (SetsPerSecond ?? 0);
}

/// <summary>The columns <c>memstore top</c> can sort by (largest first; <see cref="Server"/> by name).</summary>
internal enum TopSort
{
    /// <summary>Gets plus sets per second.</summary>
    Ops,

    /// <summary>Hit ratio.</summary>
    Hits,

    /// <summary>Memory used.</summary>
    Mem,

    /// <summary>Evictions per second, then evictions in all.</summary>
    Evictions,

    /// <summary>Server name, in order.</summary>
    Server,
}

/// <summary>The names <c>--sort</c> accepts.</summary>
internal static class TopSortNames
{
    /// <summary>Every name, in the order the <c>s</c> key cycles through them.</summary>
    public static IReadOnlyList<string> All { get; } = ["ops", "hits", "mem", "evictions", "server"];

    /// <summary>The name of <paramref name="sort"/>.</summary>
    public static string ToName(this TopSort sort) => All[(int)sort];

    /// <summary>The sort named <paramref name="name"/>.</summary>
    public static bool TryParse(string name, out TopSort sort)
    {
        int index = All.ToList().IndexOf(name.ToLowerInvariant());
        sort = index < 0 ? TopSort.Ops : (TopSort)index;
        return index >= 0;
    }

    /// <summary>The next sort, for the <c>s</c> key.</summary>
    public static TopSort Next(this TopSort sort) => (TopSort)(((int)sort + 1) % All.Count);

    /// <summary>A whole-number statistic, or null when absent or not a number.</summary>
    internal static long? Number(this IReadOnlyDictionary<string, string> stats, string name) =>
        stats.TryGetValue(name, out string? text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value : null;
}
