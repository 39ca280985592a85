using System.Buffers;
using System.Diagnostics;
using System.Globalization;

namespace Memstore.Load;

internal sealed record LoadResult(double OpsPerSecond, long P50, long P99, long Errors);

/// <summary>
/// Closed loop: N workers each issue one request, wait for it, record its latency and issue the next.
/// Phases: pre-populate every key, warm up (not recorded), measure for the given duration.
/// </summary>
internal static class LoadRunner
{
    private const int Warmup = 0, Measure = 1, Stop = 2;
    private static int s_phase;
    private static long s_errors;

    public static async Task<LoadResult> RunAsync(LoadOptions options)
    {
        var keys = Keys(options.Keys);
        var value = new byte[options.ValueSize];
        Random.Shared.NextBytes(value);
        await using var client = MemcacheClient.Create(options.ConnectionString);

        var populate = Stopwatch.StartNew();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(16, options.Concurrency) },
            async (key, token) =>
            {
                try
                {
                    await client.SetAsync(key, value, cancellationToken: token).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // errors are counted, not fatal
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    RecordError(ex);
                }
            }).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"populated keys={keys.Length} value_size={options.ValueSize} in {populate.Elapsed.TotalSeconds:0.00}s errors={Interlocked.Read(ref s_errors)}"));

        Volatile.Write(ref s_phase, Warmup);
        var workers = new Worker[options.Concurrency];
        var tasks = new Task[workers.Length];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = new Worker(client, options, keys, value, seed: i * 7919 + 17);
            var worker = workers[i];
            tasks[i] = Task.Run(worker.RunAsync);
        }
        await Task.Delay(TimeSpan.FromSeconds(options.WarmupSeconds)).ConfigureAwait(false);
        Interlocked.Exchange(ref s_errors, 0);
        var measured = Stopwatch.StartNew();
        // Client CPU and allocation over the measured window: steadier than throughput on a shared machine.
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        Volatile.Write(ref s_phase, Measure);
        await Task.Delay(TimeSpan.FromSeconds(options.DurationSeconds)).ConfigureAwait(false);
        Volatile.Write(ref s_phase, Stop);
        var elapsed = measured.Elapsed.TotalSeconds;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
        await Task.WhenAll(tasks).ConfigureAwait(false);

        var histogram = new Histogram();
        long units = 0;
        foreach (var worker in workers)
        {
            histogram.Add(worker.Latency);
            units += worker.Units;
        }
        var unitName = options.MultiGet > 0 ? "keys" : "ops";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"memstore concurrency={options.Concurrency} duration={elapsed:0.00}s get_ratio={options.GetRatio} multiget={options.MultiGet} requests={histogram.Count} {unitName}={units} cores={Environment.ProcessorCount}"));
        var requests = Math.Max(1, histogram.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"client cpu_us_per_request={cpu.TotalMicroseconds / requests:0.000} alloc_bytes_per_request={(double)allocated / requests:0.0}"));
        return new LoadResult(units / elapsed, histogram.Percentile(0.50), histogram.Percentile(0.99), Interlocked.Read(ref s_errors));
    }

    /// <summary>The keys every runner uses: the same length as memcaslap's (16 bytes).</summary>
    public static string[] Keys(int count)
    {
        var keys = new string[count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = "k:" + i.ToString("D14", CultureInfo.InvariantCulture);
        }
        return keys;
    }

    private static void RecordError(Exception ex)
    {
        var count = Interlocked.Increment(ref s_errors);
        if (count <= 5)
        {
            Console.Error.WriteLine($"error {count}: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private sealed class Worker(MemcacheClient client, LoadOptions options, string[] keys, byte[] value, int seed)
    {
        private readonly Random _random = new(seed);
        private readonly ArrayBufferWriter<byte> _buffer = new(Math.Max(256, options.ValueSize * 2));
        private readonly string[] _batch = new string[Math.Max(1, options.MultiGet)];

        public Histogram Latency { get; } = new();

        /// <summary>Operations (or keys, in multi-get mode) completed while measuring.</summary>
        public long Units { get; private set; }

        public async Task RunAsync()
        {
            var multiGet = options.MultiGet;
            var getRatio = options.GetRatio;
            while (true)
            {
                var phase = Volatile.Read(ref s_phase);
                if (phase == Stop)
                {
                    return;
                }
                var isGet = getRatio >= 1 || _random.NextDouble() < getRatio;
                var start = Stopwatch.GetTimestamp();
                var units = 1;
                try
                {
                    if (!isGet)
                    {
                        await client.SetAsync(keys[_random.Next(keys.Length)], value).ConfigureAwait(false);
                    }
                    else if (multiGet > 0)
                    {
                        for (var i = 0; i < _batch.Length; i++)
                        {
                            _batch[i] = keys[_random.Next(keys.Length)];
                        }
                        await client.GetManyAsync(_batch).ConfigureAwait(false);
                        units = multiGet;
                    }
                    else
                    {
                        _buffer.ResetWrittenCount();
                        await client.GetAsync(keys[_random.Next(keys.Length)], _buffer).ConfigureAwait(false);
                    }
                }
#pragma warning disable CA1031 // errors are counted, not fatal
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    if (phase == Measure)
                    {
                        RecordError(ex);
                    }
                    continue;
                }
                if (phase == Measure && Volatile.Read(ref s_phase) == Measure)
                {
                    Latency.Record((long)Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                    Units += units;
                }
            }
        }
    }
}
