using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Memstore.Cli.Bench;

/// <summary>How <c>memstore bench</c> reports a run: a progress line, the summary with a latency histogram drawn as text bars, or JSON.</summary>
internal static class BenchReport
{
    private const int BarWidth = 40;

    /// <summary>One progress line: elapsed, ops/s, p50/p99 and errors so far.</summary>
    public static string ProgressLine(LoadProgress progress, double durationSeconds)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"elapsed {progress.Elapsed.TotalSeconds,5:0.0}/{durationSeconds:0.#} s  ops/s {progress.UnitsPerSecond,9:0}  p50 {Micros(progress.Latency.Percentile(0.50)),8}  p99 {Micros(progress.Latency.Percentile(0.99)),8}  errors {progress.Errors}");
    }

    /// <summary>The summary: totals, percentiles, and the histogram.</summary>
    public static string Summary(LoadProgress result, bool multiGet)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        var latency = result.Latency;
        string unit = multiGet ? "keys" : "ops";
        text.Append(CultureInfo.InvariantCulture,
            $"{(result.Stopped ? "stopped (partial results): " : "")}{result.Requests} requests, {result.Units} {unit} in {result.Elapsed.TotalSeconds:0.00} s: {result.UnitsPerSecond:0} {unit}/s, {result.Errors} errors\n");
        text.Append(CultureInfo.InvariantCulture,
            $"latency: p50 {Micros(latency.Percentile(0.50))}  p90 {Micros(latency.Percentile(0.90))}  p99 {Micros(latency.Percentile(0.99))}  p99.9 {Micros(latency.Percentile(0.999))}  max {Micros(latency.Percentile(1.0))}\n");
        if (latency.Count == 0)
        {
            return text.ToString();
        }

        text.Append("latency histogram:\n");
        var ranges = Ranges(latency);
        long most = ranges.Max(r => r.Count);
        int labelWidth = ranges.Max(r => Label(r.Low, r.High).Length);
        foreach ((long low, long high, long count) in ranges)
        {
            int bar = (int)Math.Round(BarWidth * (double)count / most);
            text.Append(CultureInfo.InvariantCulture,
                $"  {Label(low, high).PadLeft(labelWidth)}  {new string('█', bar).PadRight(BarWidth)}  {100.0 * count / latency.Count,5:0.0}%  {count}\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// The histogram in ranges that double: below 16 µs, 16-32 µs, 32-64 µs, ...; from the fastest to the slowest
    /// non-empty range, empty ones between included so the shape shows.
    /// </summary>
    public static IReadOnlyList<(long Low, long High, long Count)> Ranges(Histogram latency)
    {
        ArgumentNullException.ThrowIfNull(latency);
        var counts = new SortedDictionary<int, long>();
        foreach ((long low, _, long count) in latency.Buckets())
        {
            int range = low < 16 ? 0 : (int)Math.Log2(low) - 3;
            counts[range] = counts.GetValueOrDefault(range) + count;
        }

        if (counts.Count == 0)
        {
            return [];
        }

        var ranges = new List<(long, long, long)>();
        for (int range = counts.Keys.First(); range <= counts.Keys.Last(); range++)
        {
            long low = range == 0 ? 0 : 1L << (range + 3);
            ranges.Add((low, 1L << (range + 4), counts.GetValueOrDefault(range)));
        }

        return ranges;
    }

    /// <summary>The run as one JSON object, for scripts.</summary>
    public static string Json(LoadProgress result, LoadSettings settings, IEnumerable<string> servers, long populateErrors)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(settings);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("servers");
            foreach (string server in servers)
            {
                json.WriteStringValue(server);
            }

            json.WriteEndArray();
            json.WriteNumber("concurrency", settings.Concurrency);
            json.WriteNumber("duration_seconds", settings.DurationSeconds);
            json.WriteNumber("warmup_seconds", settings.WarmupSeconds);
            json.WriteNumber("get_ratio", settings.GetRatio);
            json.WriteNumber("value_size", settings.ValueSize);
            json.WriteNumber("keys", settings.Keys.Count);
            json.WriteNumber("multiget", settings.MultiGet);
            json.WriteNumber("populate_errors", populateErrors);
            json.WriteBoolean("stopped", result.Stopped);
            json.WriteNumber("elapsed_seconds", Math.Round(result.Elapsed.TotalSeconds, 3));
            json.WriteNumber("requests", result.Requests);
            json.WriteNumber(settings.MultiGet > 0 ? "keys_read" : "ops", result.Units);
            json.WriteNumber(settings.MultiGet > 0 ? "keys_per_second" : "ops_per_second", Math.Round(result.UnitsPerSecond, 1));
            json.WriteNumber("errors", result.Errors);
            json.WriteStartObject("latency_us");
            foreach ((string name, double quantile) in (ReadOnlySpan<(string, double)>)[("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p999", 0.999), ("max", 1.0)])
            {
                json.WriteNumber(name, result.Latency.Percentile(quantile));
            }

            json.WriteEndObject();
            json.WriteStartArray("histogram");
            foreach ((long low, long high, long count) in Ranges(result.Latency))
            {
                json.WriteStartObject();
                json.WriteNumber("from_us", low);
                json.WriteNumber("to_us", high);
                json.WriteNumber("count", count);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static string Label(long low, long high) => low == 0 ? $"< {Micros(high)}" : $"{Micros(low)} - {Micros(high)}";

    /// <summary>Microseconds as µs below 10 ms, else ms.</summary>
    public static string Micros(long micros) => micros < 10_000
        ? string.Create(CultureInfo.InvariantCulture, $"{micros} µs")
        : string.Create(CultureInfo.InvariantCulture, $"{micros / 1000.0:0.#} ms");
}
