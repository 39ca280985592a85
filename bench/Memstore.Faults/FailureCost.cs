using System.Buffers;
using System.Diagnostics;
using System.Globalization;

namespace Memstore.Faults;

/// <summary>
/// What one failed call costs the process: CPU, bytes allocated and exceptions thrown (first-chance, so every
/// throw and rethrow counts, the caller's own included) per call, on one caller thread, side by side with the
/// floor (awaiting an already faulted ValueTask: the one throw no exception-based API can avoid) and with a
/// successful call to a live server. Answers "is the fail-fast path cheap?" independently of the load.
/// </summary>
internal static class FailureCost
{
    private static long _thrown;

    public static async Task RunAsync(int calls)
    {
        AppDomain.CurrentDomain.FirstChanceException += (_, _) => Interlocked.Increment(ref _thrown);
        var ci = CultureInfo.InvariantCulture;
        await using var live = await MemcachedProcess.StartAsync(1).ConfigureAwait(false);
        await using var victim = await MemcachedProcess.StartAsync(1).ConfigureAwait(false);
        var options = new MemcacheClientOptions { Failover = FailoverPolicy.FailFast, OperationTimeout = TimeSpan.FromMilliseconds(500), DeadTime = TimeSpan.FromMinutes(5) };
        options.Servers.Add(live.Address);
        options.Servers.Add(victim.Address);
        await using var client = new MemcacheClient(options);
        await client.PingAsync().ConfigureAwait(false);
        var keys = Enumerable.Range(0, 2000).Select(i => "cost:" + i.ToString("D10", ci)).ToArray();
        var victimKeys = keys.Where(k => client.Locate(k) == victim.Address).ToArray();
        var liveKeys = keys.Where(k => client.Locate(k) == live.Address).ToArray();
        var value = new byte[100];
        foreach (var key in liveKeys)
        {
            await client.SetAsync(key, value).ConfigureAwait(false);
        }

        // The victim is frozen (SIGSTOP). The main client marks it dead after ServerTimeoutLimit (3) timeouts and,
        // with a long DeadTime, does not probe it during the run; the second client never marks it dead (no
        // timeout limit, no stall reset), so its calls are refused as "silent server" without being sent.
        var silentOptions = new MemcacheClientOptions
        {
            Failover = FailoverPolicy.FailFast, OperationTimeout = TimeSpan.FromMilliseconds(500), ServerTimeoutLimit = int.MaxValue, StallTimeout = TimeSpan.FromHours(1),
        };
        silentOptions.Servers.Add(victim.Address);
        await using var silentClient = new MemcacheClient(silentOptions);
        await silentClient.PingAsync().ConfigureAwait(false);
        victim.Freeze();
        try
        {
            await silentClient.GetAsync("first").ConfigureAwait(false);
        }
        catch (MemcacheTimeoutException)
        {
        }
        var deadline = Stopwatch.StartNew();
        while (client.ServerHealth[victim.Address] && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                await client.GetAsync(victimKeys[0]).ConfigureAwait(false);
            }
            catch (MemcacheException)
            {
            }
        }
        if (client.ServerHealth[victim.Address] || !silentClient.ServerHealth[victim.Address])
        {
            throw new InvalidOperationException("the frozen server was not marked dead by one client (and alive for the other) within 10 s");
        }

        var buffers = Enumerable.Range(0, 64).Select(_ => new ArrayBufferWriter<byte>(256)).ToArray(); // one per caller
        Console.WriteLine(string.Create(ci, $"failure cost: {calls} calls per case, one caller; cores={Environment.ProcessorCount}; load average {LoadAverage()}"));
        // Each case returns the client's own ValueTask, so the loop's await is the caller's one throw.
        await ReportAsync("floor: new exception, faulted ValueTask, awaited", (_, _) => Floor(), calls).ConfigureAwait(false);
        await ReportAsync("floor: new exception, value-task source that throws it", (_, _) => ThrowingSource.Create(new ServerUnavailableException("floor", default)), calls).ConfigureAwait(false);
        await ReportAsync("get, server marked dead (FailFast)", (c, i) => { buffers[c].ResetWrittenCount(); return client.GetAsync(victimKeys[i % victimKeys.Length], buffers[c]); }, calls).ConfigureAwait(false);
        await ReportAsync("set, server marked dead (FailFast)", (_, i) => client.SetAsync(victimKeys[i % victimKeys.Length], value), calls).ConfigureAwait(false);
        await ReportAsync("get, silent server not yet dead", (c, i) => { buffers[c].ResetWrittenCount(); return silentClient.GetAsync(victimKeys[i % victimKeys.Length], buffers[c]); }, calls).ConfigureAwait(false);
        await ReportAsync("get, live server (success)", (c, i) => { buffers[c].ResetWrittenCount(); return client.GetAsync(liveKeys[i % liveKeys.Length], buffers[c]); }, calls).ConfigureAwait(false);
    }

    private static async Task ReportAsync<T>(string name, Func<int, int, ValueTask<T>> call, int calls)
    {
        var ci = CultureInfo.InvariantCulture;
        foreach (var callers in new[] { 1, 64 })
        {
            await MeasureAsync(call, Math.Max(callers, calls / 10), callers).ConfigureAwait(false); // warm-up
            var (cpu, wall, bytes, thrown, failed) = await MeasureAsync(call, calls, callers).ConfigureAwait(false);
            Console.WriteLine(string.Create(ci,
                $"case=\"{name}\" callers={callers} cpu_us_per_call={cpu.TotalMicroseconds / calls:0.00} wall_us_per_call={wall.TotalMicroseconds / calls:0.00} "
                + $"bytes_per_call={(double)bytes / calls:0} exceptions_thrown_per_call={(double)thrown / calls:0.00} failed={failed}"));
        }
    }

    // A new exception each time: rethrowing one object makes its stack trace grow with every throw.
    private static ValueTask<CacheValueInfo> Floor() => ValueTask.FromException<CacheValueInfo>(new ServerUnavailableException("floor", default));

    /// <summary>Runs <paramref name="calls"/> calls split over closed-loop callers; CPU is the whole process's.</summary>
    private static async Task<(TimeSpan Cpu, TimeSpan Wall, long Bytes, long Thrown, int Failed)> MeasureAsync<T>(Func<int, int, ValueTask<T>> call, int calls, int callers)
    {
        var failed = 0;
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var bytes = GC.GetTotalAllocatedBytes(precise: true);
        var thrown = Interlocked.Read(ref _thrown);
        var watch = Stopwatch.StartNew();
        var share = calls / callers;
        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            for (var i = c * share; i < (c + 1) * share; i++)
            {
                try
                {
                    await call(c, i).ConfigureAwait(false);
                }
                catch (MemcacheException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }))).ConfigureAwait(false);
        watch.Stop();
        var thrownAfter = Interlocked.Read(ref _thrown);
        var bytesAfter = GC.GetTotalAllocatedBytes(precise: true);
        process.Refresh();
        return (process.TotalProcessorTime - cpu, watch.Elapsed, bytesAfter - bytes, thrownAfter - thrown, failed);
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>An already faulted ValueTask without a Task: what the client's fail-fast path returns.</summary>
    private sealed class ThrowingSource(Exception error) : System.Threading.Tasks.Sources.IValueTaskSource<CacheValueInfo>
    {
        public static ValueTask<CacheValueInfo> Create(Exception error) => new(new ThrowingSource(error), 0);

        public System.Threading.Tasks.Sources.ValueTaskSourceStatus GetStatus(short token) => System.Threading.Tasks.Sources.ValueTaskSourceStatus.Faulted;

        public CacheValueInfo GetResult(short token) => throw error;

        public void OnCompleted(Action<object?> continuation, object? state, short token, System.Threading.Tasks.Sources.ValueTaskSourceOnCompletedFlags flags) =>
            ThreadPool.QueueUserWorkItem(continuation, state, preferLocal: false);
    }
}
