using System.Diagnostics;
using System.Globalization;

namespace Memstore.Benchmarks;

/// <summary>
/// Readers' latency while a value is being refreshed with stale-while-revalidate (issue 16: p99 within 1.5× of a
/// plain hit's). Concurrent readers loop on one hot key in interleaved rounds of three kinds:
/// <list type="bullet">
/// <item><c>plain</c>: <see cref="MemcacheClient.GetAsync(MemcacheKey, CancellationToken)"/> hits, the baseline;</item>
/// <item><c>hit</c>: <see cref="MemcacheClient.GetOrCreateAsync"/> hits, nothing being refreshed;</item>
/// <item><c>swr</c>: the same calls while an invalidator marks the key stale (<c>md … I T</c>) every
/// <c>RefreshEvery</c>, so one reader wins each refresh and runs a 50 ms factory and every other reader is served
/// the stale value meanwhile.</item>
/// </list>
/// The calls that ran the factory are the refresh, not reads, and are counted apart; the <c>during</c> figures are
/// the reads that began while a refresh was running. Each round reports p50/p99; the summary gives the medians of
/// the per-round ratios to the plain round beside it.
/// </summary>
internal static class StaleWhileRevalidateCheck
{
    private static readonly TimeSpan FactoryTime = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromMilliseconds(100);
    private const string Key = "bench:swr";

    public static async Task<int> RunAsync(int rounds, double seconds, int readers)
    {
        using var server = MemcachedServer.Start();
        await using var client = MemcacheClient.Create(server.Endpoint);
        var value = new byte[100];
        await client.SetAsync(Key, value).ConfigureAwait(false);
        var duration = TimeSpan.FromSeconds(seconds);
        var ratios = new List<(double Hit99, double Swr99, double During99, double During50)>();
        await RoundAsync(client, Kind.Plain, readers, TimeSpan.FromSeconds(0.5), value).ConfigureAwait(false); // warm-up
        await RoundAsync(client, Kind.Swr, readers, TimeSpan.FromSeconds(0.5), value).ConfigureAwait(false);
        for (var round = 0; round < rounds; round++)
        {
            var plain = await RoundAsync(client, Kind.Plain, readers, duration, value).ConfigureAwait(false);
            var hit = await RoundAsync(client, Kind.Hit, readers, duration, value).ConfigureAwait(false);
            var swr = await RoundAsync(client, Kind.Swr, readers, duration, value).ConfigureAwait(false);
            foreach (var result in new[] { plain, hit, swr })
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round={round} kind={result.Kind} readers={readers} reads={result.All.Count} p50_us={Percentile(result.All, 0.50):0.0} p99_us={Percentile(result.All, 0.99):0.0} "
                    + $"during_reads={result.During.Count} during_p50_us={Percentile(result.During, 0.50):0.0} during_p99_us={Percentile(result.During, 0.99):0.0} "
                    + $"refreshes={result.Refreshes} refresh_ms_p50={Percentile(result.RefreshCalls, 0.50) / 1000:0.0}"));
            }
            var plain99 = Percentile(plain.All, 0.99);
            ratios.Add((Percentile(hit.All, 0.99) / plain99, Percentile(swr.All, 0.99) / plain99,
                Percentile(swr.During, 0.99) / plain99, Percentile(swr.During, 0.50) / Percentile(plain.All, 0.50)));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"summary rounds={rounds} readers={readers} hit_p99_over_plain={Median(ratios, r => r.Hit99):0.000} swr_p99_over_plain={Median(ratios, r => r.Swr99):0.000} "
            + $"swr_during_refresh_p99_over_plain={Median(ratios, r => r.During99):0.000} swr_during_refresh_p50_over_plain={Median(ratios, r => r.During50):0.000}"));
        return 0;
    }

    private enum Kind
    {
        Plain,
        Hit,
        Swr,
    }

    private sealed record RoundResult(Kind Kind, List<double> All, List<double> During, List<double> RefreshCalls, int Refreshes);

    private static async Task<RoundResult> RoundAsync(MemcacheClient client, Kind kind, int readers, TimeSpan duration, byte[] value)
    {
        var refreshing = new StrongBox<int>();
        var options = new GetOrCreateOptions { Expiry = TimeSpan.FromMinutes(5), AllowStale = true };
        using var stop = new CancellationTokenSource(duration);
        var invalidator = kind == Kind.Swr ? InvalidateAsync(client, stop.Token) : Task.CompletedTask;
        var loops = Enumerable.Range(0, readers).Select(_ => Task.Run(() => ReadAsync(client, kind, options, value, refreshing, stop.Token))).ToArray();
        var results = await Task.WhenAll(loops).ConfigureAwait(false);
        await invalidator.ConfigureAwait(false);
        return new RoundResult(kind, [.. results.SelectMany(r => r.All)], [.. results.SelectMany(r => r.During)],
            [.. results.SelectMany(r => r.Refreshes)], results.Sum(r => r.Refreshes.Count));
    }

    private static async Task InvalidateAsync(MemcacheClient client, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await client.InvalidateAsync(Key, TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(false);
            try
            {
                await Task.Delay(RefreshEvery, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task<(List<double> All, List<double> During, List<double> Refreshes)> ReadAsync(
        MemcacheClient client, Kind kind, GetOrCreateOptions options, byte[] value, StrongBox<int> refreshing, CancellationToken stop)
    {
        var all = new List<double>(100_000);
        var during = new List<double>(10_000);
        var refreshes = new List<double>();
        var ranFactory = false;
        Func<CancellationToken, ValueTask<byte[]>> factory = async token =>
        {
            ranFactory = true;
            Interlocked.Increment(ref refreshing.Value);
            try
            {
                await Task.Delay(FactoryTime, token).ConfigureAwait(false);
                return value;
            }
            finally
            {
                Interlocked.Decrement(ref refreshing.Value);
            }
        };
        while (!stop.IsCancellationRequested)
        {
            ranFactory = false;
            var whileRefreshing = Volatile.Read(ref refreshing.Value) > 0;
            var started = Stopwatch.GetTimestamp();
            if (kind == Kind.Plain)
            {
                await client.GetAsync(Key, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await client.GetOrCreateAsync(Key, factory, options, CancellationToken.None).ConfigureAwait(false);
            }
            var micros = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            if (ranFactory)
            {
                refreshes.Add(micros);
                continue;
            }
            all.Add(micros);
            if (whileRefreshing)
            {
                during.Add(micros);
            }
        }
        return (all, during, refreshes);
    }

    private static double Percentile(List<double> values, double fraction)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        values.Sort();
        return values[Math.Min(values.Count - 1, (int)(fraction * values.Count))];
    }

    private static double Median<T>(List<T> rounds, Func<T, double> measure)
    {
        var values = rounds.Select(measure).Order().ToList();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    private sealed class StrongBox<T>
    {
        public T Value = default!;
    }
}
