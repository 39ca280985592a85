using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;

namespace Memstore.Paired;

/// <summary>
/// Runs two builds of Memstore in one process, each in its own load context, against one memcached, alternating in
/// short slices (old, new, new, old, ...). Both sides share the process's thread pool, JIT, GC and the machine's
/// moment, so the drift that makes separate processes settle at different rates falls on both alike; each pair's
/// ratio compares adjacent slices. Prints per pair, then the medians of the per-pair ratios new/old with a
/// distribution-free 95 % interval: throughput, client CPU per request, bytes allocated per request, and memcached's
/// CPU per key served.
/// </summary>
internal static class PairedHost
{
    public const string Usage =
        "usage: Memstore.Paired --old DIR --new DIR --server HOST:PORT [--concurrency N] [--get-ratio R] [--multiget K]\n" +
        "                       [--pairs N] [--slice SECONDS] [--warmup SECONDS] [--alloc-types TOP]\n" +
        "DIR is the output folder of a Memstore.Paired build (its Memstore.dll is the version measured).";

    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string> options)
    {
        var ci = CultureInfo.InvariantCulture;
        string server = options["--server"];
        int concurrency = int.Parse(options.GetValueOrDefault("--concurrency", "1"), ci);
        double getRatio = double.Parse(options.GetValueOrDefault("--get-ratio", "0.9"), ci);
        int multiGet = int.Parse(options.GetValueOrDefault("--multiget", "0"), ci);
        int pairs = int.Parse(options.GetValueOrDefault("--pairs", "40"), ci);
        double slice = double.Parse(options.GetValueOrDefault("--slice", "0.5"), ci);
        double warmup = double.Parse(options.GetValueOrDefault("--warmup", "3"), ci);
        int allocTypes = int.Parse(options.GetValueOrDefault("--alloc-types", "0"), ci);
        using var sampler = allocTypes > 0 ? new AllocationSampler() : null;
        // The host's own client (its build, in the default load context) asks for stats between slices only.
        await using var statsClient = MemcacheClient.Create(server);

        var old = await Side.LoadAsync("old", options["--old"], server, concurrency, getRatio, multiGet).ConfigureAwait(false);
        var @new = await Side.LoadAsync("new", options["--new"], server, concurrency, getRatio, multiGet).ConfigureAwait(false);
        for (double spent = 0; spent < warmup; spent += slice)
        {
            await old.RunSlice(slice).ConfigureAwait(false); // JIT tiers and pools fill on both sides alike
            await @new.RunSlice(slice).ConfigureAwait(false);
        }

        var ratios = new List<double>[4];
        for (int i = 0; i < ratios.Length; i++)
        {
            ratios[i] = [];
        }

        var rates = (Old: new List<double>(), New: new List<double>());
        long errors = 0;
        for (int pair = 1; pair <= pairs; pair++)
        {
            Slice o, n;
            if (pair % 2 == 1)
            {
                o = await MeasureAsync(old, slice, statsClient, sampler, 0).ConfigureAwait(false);
                n = await MeasureAsync(@new, slice, statsClient, sampler, 1).ConfigureAwait(false);
            }
            else
            {
                n = await MeasureAsync(@new, slice, statsClient, sampler, 1).ConfigureAwait(false);
                o = await MeasureAsync(old, slice, statsClient, sampler, 0).ConfigureAwait(false);
            }

            errors += o.Errors + n.Errors;
            // Allocation gets one byte added on each side, so a side that allocates nothing does not divide by zero.
            double[] pairRatios = [n.UnitsPerSecond / o.UnitsPerSecond, n.CpuUsPerRequest / o.CpuUsPerRequest,
                (n.AllocPerRequest + 1) / (o.AllocPerRequest + 1), n.ServerUsPerKey / o.ServerUsPerKey];
            for (int i = 0; i < ratios.Length; i++)
            {
                ratios[i].Add(pairRatios[i]);
            }

            rates.Old.Add(o.UnitsPerSecond);
            rates.New.Add(n.UnitsPerSecond);
            Console.WriteLine(string.Create(ci,
                $"pair={pair} old={o.UnitsPerSecond:0} new={n.UnitsPerSecond:0} ratio={pairRatios[0]:0.000} old_cpu_us={o.CpuUsPerRequest:0.000} new_cpu_us={n.CpuUsPerRequest:0.000} old_alloc={o.AllocPerRequest:0.0} new_alloc={n.AllocPerRequest:0.0} old_server_us={o.ServerUsPerKey:0.000} new_server_us={n.ServerUsPerKey:0.000}"));
        }

        await old.Dispose().ConfigureAwait(false);
        await @new.Dispose().ConfigureAwait(false);
        Console.WriteLine(string.Create(ci,
            $"summary concurrency={concurrency} get_ratio={getRatio} multiget={multiGet} pairs={pairs} slice_s={slice} errors={errors} old_median={Median(rates.Old):0} new_median={Median(rates.New):0}"));
        foreach (var line in sampler?.Report(allocTypes) ?? [])
        {
            Console.WriteLine(line);
        }

        string[] names = ["ratio", "cpu_ratio", "alloc_ratio", "server_ratio"];
        Console.WriteLine(string.Join(' ', names.Select((name, i) => string.Create(ci, $"median_{name}={Median(ratios[i]):0.000} {name}_ci95={Interval(ratios[i])}"))));
        return errors == 0 ? 0 : 1;
    }

    private static async Task<Slice> MeasureAsync(Side side, double seconds, MemcacheClient statsClient, AllocationSampler? sampler, int sideIndex)
    {
        var (serverCpuBefore, keysBefore) = await ServerUsageAsync(statsClient).ConfigureAwait(false);
        var cpuBefore = Environment.CpuUsage.TotalTime;
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        long start = Stopwatch.GetTimestamp();
        sampler?.Current = sideIndex;
        var counts = await side.RunSlice(seconds).ConfigureAwait(false);
        sampler?.Current = -1;
        double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var cpu = Environment.CpuUsage.TotalTime - cpuBefore;
        long allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
        var (serverCpuAfter, keysAfter) = await ServerUsageAsync(statsClient).ConfigureAwait(false);
        long requests = Math.Max(1, counts[0]);
        return new Slice(counts[1] / elapsed, cpu.TotalMicroseconds / requests, (double)allocated / requests,
            (serverCpuAfter - serverCpuBefore) * 1e6 / Math.Max(1, keysAfter - keysBefore), counts[2]);
    }

    /// <summary>memcached's CPU seconds (user + system) and keys served (gets + sets) so far, from <c>stats</c>.</summary>
    private static async Task<(double CpuSeconds, long Keys)> ServerUsageAsync(MemcacheClient statsClient)
    {
        var stats = (await statsClient.GetStatsAsync().ConfigureAwait(false)).Values.Single();
        var ci = CultureInfo.InvariantCulture;
        return (double.Parse(stats["rusage_user"], ci) + double.Parse(stats["rusage_system"], ci),
            long.Parse(stats["cmd_get"], ci) + long.Parse(stats["cmd_set"], ci));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>95 % interval of the median from order statistics (normal approximation of the binomial), as ab-load.sh.</summary>
    private static string Interval(List<double> values)
    {
        var sorted = values.Order().ToArray();
        int k = (int)((sorted.Length - (1.96 * Math.Sqrt(sorted.Length))) / 2);
        return sorted.Length < 9 || k < 1 ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{sorted[k - 1]:0.000}-{sorted[sorted.Length - k]:0.000}");
    }

    private sealed record Slice(double UnitsPerSecond, double CpuUsPerRequest, double AllocPerRequest, double ServerUsPerKey, long Errors);

    /// <summary>One build, loaded into its own context with its own Memstore.dll and dependencies.</summary>
    private sealed record Side(Func<double, Task<long[]>> RunSlice, Func<Task> Dispose)
    {
        public static async Task<Side> LoadAsync(string name, string directory, string server, int concurrency, double getRatio, int multiGet)
        {
            string path = Path.GetFullPath(Path.Combine(directory, "Memstore.Paired.dll"));
            var context = new BuildLoadContext(name, path);
            var driver = context.LoadFromAssemblyPath(path).GetType(typeof(PairedDriver).FullName!, throwOnError: true)!;
            var create = driver.GetMethod(nameof(PairedDriver.CreateAsync), BindingFlags.Public | BindingFlags.Static)!;
            var task = (Task<(Func<double, Task<long[]>>, Func<Task>)>)create.Invoke(null, [server, concurrency, getRatio, multiGet, 100, 10_000])!;
            var (runSlice, dispose) = await task.ConfigureAwait(false);
            return new Side(runSlice, dispose);
        }
    }

    private sealed class BuildLoadContext(string name, string mainAssemblyPath) : AssemblyLoadContext(name)
    {
        private readonly AssemblyDependencyResolver _resolver = new(mainAssemblyPath);

        // The build's own assemblies come from its folder; framework assemblies (null here) are shared with the host.
        protected override Assembly? Load(AssemblyName assemblyName) =>
            _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
    }
}
