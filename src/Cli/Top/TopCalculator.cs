using System.Diagnostics;

namespace Memstore.Cli.Top;

/// <summary>
/// Turns successive <c>stats</c> samples into rates: the difference of each counter (cmd_get, cmd_set, get_hits,
/// get_misses, bytes_read, bytes_written, evictions) between a server's last two answers, divided by the time
/// between them. A counter that went down (the server restarted) gives no rate for that interval. No terminal,
/// no network: fed samples, it returns rows.
/// </summary>
internal sealed class TopCalculator
{
    private readonly Dictionary<string, ServerSample> _previous = new(StringComparer.Ordinal);

    /// <summary>Takes one sample per server and returns the rows, sorted, and the cluster total.</summary>
    public TopSnapshot Update(IReadOnlyList<ServerSample> samples, TopSort sort)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var rows = new List<TopRow>(samples.Count);
        foreach (ServerSample sample in samples)
        {
            _previous.TryGetValue(sample.Server, out ServerSample? previous);
            rows.Add(Row(previous, sample));
            if (sample.Stats is not null)
            {
                _previous[sample.Server] = sample;
            }
            else
            {
                // A server that comes back starts afresh: its counters may have been reset meanwhile.
                _previous.Remove(sample.Server);
            }
        }

        return new TopSnapshot(Sort(rows, sort), Total(rows), sort);
    }

    /// <summary>The rows in the chosen order; down servers last.</summary>
    public static IReadOnlyList<TopRow> Sort(IEnumerable<TopRow> rows, TopSort sort)
    {
        IOrderedEnumerable<TopRow> up = rows.OrderBy(r => r.Up ? 0 : 1);
        return sort switch
        {
            TopSort.Ops => [.. up.ThenByDescending(r => r.OpsPerSecond ?? -1).ThenBy(r => r.Server, StringComparer.Ordinal)],
            TopSort.Hits => [.. up.ThenByDescending(r => r.HitRatio ?? -1).ThenBy(r => r.Server, StringComparer.Ordinal)],
            TopSort.Mem => [.. up.ThenByDescending(r => r.BytesUsed ?? -1).ThenBy(r => r.Server, StringComparer.Ordinal)],
            TopSort.Evictions => [.. up.ThenByDescending(r => r.EvictionsPerSecond ?? -1).ThenByDescending(r => r.Evictions ?? -1)
                .ThenBy(r => r.Server, StringComparer.Ordinal)],
            _ => [.. rows.OrderBy(r => r.Server, StringComparer.Ordinal)],
        };
    }

    private static TopRow Row(ServerSample? previous, ServerSample sample)
    {
        if (sample.Stats is not { } stats)
        {
            return new TopRow { Server = sample.Server, Up = false, Failure = sample.Failure ?? "no answer" };
        }

        IReadOnlyDictionary<string, string>? before = previous?.Stats;
        double seconds = previous is null ? 0 : Stopwatch.GetElapsedTime(previous.Timestamp, sample.Timestamp).TotalSeconds;
        long? hits = Delta(before, stats, "get_hits");
        long? misses = Delta(before, stats, "get_misses");
        return new TopRow
        {
            Server = sample.Server,
            Up = true,
            GetsPerSecond = Rate(before, stats, "cmd_get", seconds),
            SetsPerSecond = Rate(before, stats, "cmd_set", seconds),
            HitRatio = hits is { } h && misses is { } m && h + m > 0 ? (double)h / (h + m) : null,
            BytesReadPerSecond = Rate(before, stats, "bytes_read", seconds),
            BytesWrittenPerSecond = Rate(before, stats, "bytes_written", seconds),
            EvictionsPerSecond = Rate(before, stats, "evictions", seconds),
            Connections = stats.Number("curr_connections"),
            Items = stats.Number("curr_items"),
            BytesUsed = stats.Number("bytes"),
            BytesLimit = stats.Number("limit_maxbytes"),
            Evictions = stats.Number("evictions"),
        };

        static long? Delta(IReadOnlyDictionary<string, string>? before, IReadOnlyDictionary<string, string> now, string name) =>
            before?.Number(name) is { } then && now.Number(name) is { } current && current >= then ? current - then : null;

        static double? Rate(IReadOnlyDictionary<string, string>? before, IReadOnlyDictionary<string, string> now, string name, double seconds) =>
            seconds > 0 && Delta(before, now, name) is { } delta ? delta / seconds : null;
    }

    /// <summary>The cluster: rates and gauges summed over the servers that answered; the hit ratio of all their gets.</summary>
    private static TopRow Total(IReadOnlyList<TopRow> rows)
    {
        var up = rows.Where(r => r.Up).ToList();
        // Hits and gets per second give the hits per server; their sums give the cluster's ratio.
        double gets = up.Sum(r => r.HitRatio is null ? 0 : r.GetsPerSecond ?? 0);
        double hits = up.Sum(r => r.HitRatio is { } ratio ? ratio * (r.GetsPerSecond ?? 0) : 0);
        return new TopRow
        {
            Server = "total",
            Up = up.Count > 0,
            Failure = up.Count > 0 ? null : "no server answered",
            GetsPerSecond = Sum(up, r => r.GetsPerSecond),
            SetsPerSecond = Sum(up, r => r.SetsPerSecond),
            HitRatio = gets > 0 ? hits / gets : null,
            BytesReadPerSecond = Sum(up, r => r.BytesReadPerSecond),
            BytesWrittenPerSecond = Sum(up, r => r.BytesWrittenPerSecond),
            EvictionsPerSecond = Sum(up, r => r.EvictionsPerSecond),
            Connections = SumLong(up, r => r.Connections),
            Items = SumLong(up, r => r.Items),
            BytesUsed = SumLong(up, r => r.BytesUsed),
            BytesLimit = SumLong(up, r => r.BytesLimit),
            Evictions = SumLong(up, r => r.Evictions),
        };

        static double? Sum(List<TopRow> rows, Func<TopRow, double?> figure) =>
            rows.Any(r => figure(r) is not null) ? rows.Sum(r => figure(r) ?? 0) : null;

        static long? SumLong(List<TopRow> rows, Func<TopRow, long?> figure) =>
            rows.Any(r => figure(r) is not null) ? rows.Sum(r => figure(r) ?? 0) : null;
    }
}

/// <summary>One refresh of <c>memstore top</c>.</summary>
/// <param name="Rows">One row per server, in <paramref name="Sort"/> order.</param>
/// <param name="Total">The cluster total.</param>
/// <param name="Sort">The order of <paramref name="Rows"/>.</param>
internal sealed record TopSnapshot(IReadOnlyList<TopRow> Rows, TopRow Total, TopSort Sort);
