using System.Diagnostics;
using System.Globalization;
using Memstore.Cli.Bench;

namespace Memstore.Load;

internal sealed record LoadResult(double OpsPerSecond, long P50, long P99, long Errors);

/// <summary>
/// Runs the shared <see cref="LoadEngine"/> (also behind `memstore bench`): closed loop, N workers each issue one
/// request, wait for it, record its latency and issue the next. Phases: pre-populate every key, warm up (not
/// recorded), measure for the given duration. Prints the lines the scripts in bench/ and docs/performance.md read.
/// </summary>
internal static class LoadRunner
{
    public static async Task<LoadResult> RunAsync(LoadOptions options)
    {
        var keys = Keys(options.Keys);
        await using var client = MemcacheClient.Create(options.ConnectionString);
        var settings = new LoadSettings
        {
            Concurrency = options.Concurrency,
            DurationSeconds = options.DurationSeconds,
            WarmupSeconds = options.WarmupSeconds,
            GetRatio = options.GetRatio,
            ValueSize = options.ValueSize,
            Keys = keys,
            MultiGet = options.MultiGet,
        };
        var engine = new LoadEngine(client, settings, RecordError);

        var populate = Stopwatch.StartNew();
        var populateErrors = await engine.PopulateAsync(CancellationToken.None).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"populated keys={keys.Length} value_size={options.ValueSize} in {populate.Elapsed.TotalSeconds:0.00}s errors={populateErrors}"));

        // Client CPU and allocation over the measured window: steadier than throughput on a shared machine.
        // The last progress call marks the end of measuring; without --progress it is the only one. With it, each
        // interval's throughput is printed too, so a slow run shows whether it was slow throughout or stalled.
        TimeSpan cpuBefore = default, cpu = default;
        long allocatedBefore = 0, allocated = 0;
        TimeSpan lastElapsed = default;
        long lastUnits = 0;
        var result = await engine.RunAsync(
            progress =>
            {
                cpu = Environment.CpuUsage.TotalTime - cpuBefore;
                allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
                if (options.ProgressSeconds > 0)
                {
                    var seconds = (progress.Elapsed - lastElapsed).TotalSeconds;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"progress elapsed_s={progress.Elapsed.TotalSeconds:0.00} interval_units_per_s={(seconds > 0 ? (progress.Units - lastUnits) / seconds : 0):0}"));
                    (lastElapsed, lastUnits) = (progress.Elapsed, progress.Units);
                }
            },
            TimeSpan.FromSeconds(options.ProgressSeconds > 0 ? options.ProgressSeconds : options.DurationSeconds),
            CancellationToken.None,
            onMeasureStart: () =>
            {
                cpuBefore = Environment.CpuUsage.TotalTime;
                allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
            }).ConfigureAwait(false);

        var elapsed = result.Elapsed.TotalSeconds;
        var unitName = options.MultiGet > 0 ? "keys" : "ops";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"memstore concurrency={options.Concurrency} duration={elapsed:0.00}s get_ratio={options.GetRatio} multiget={options.MultiGet} requests={result.Requests} {unitName}={result.Units} cores={Environment.ProcessorCount}"));
        var requests = Math.Max(1, result.Requests);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"client cpu_us_per_request={cpu.TotalMicroseconds / requests:0.000} alloc_bytes_per_request={(double)allocated / requests:0.0} pool_threads={ThreadPool.ThreadCount}"));
        return new LoadResult(result.UnitsPerSecond, result.Latency.Percentile(0.50), result.Latency.Percentile(0.99), result.Errors);
    }

    /// <summary>The keys every runner uses: the same length as memcaslap's (16 bytes).</summary>
    public static string[] Keys(int count) => LoadSettings.KeyNames(count, "k:");

    private static void RecordError(long count, Exception ex)
    {
        if (count <= 5)
        {
            Console.Error.WriteLine($"error {count}: {ex.GetType().Name}: {ex.Message}");
        }
    }
}
