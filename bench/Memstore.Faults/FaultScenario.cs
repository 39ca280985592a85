using System.Buffers;
using System.Diagnostics;
using System.Globalization;

namespace Memstore.Faults;

internal enum Fault
{
    None,
    Freeze,
    Kill,
}

/// <summary>Settings shared by every scenario of one run.</summary>
internal sealed record FaultOptions(int Concurrency, double DurationSeconds, double FaultAtSeconds, double WarmupSeconds,
    TimeSpan OperationTimeout, double GetRatio, int Keys, int ValueSize, int ServerThreads, int ServerTimeoutLimit);

/// <summary>Operations completed per 100 ms bucket of the measured window, for the live servers' keys and the victim's.</summary>
internal sealed record ScenarioResult(Fault Fault, FailoverPolicy Policy, long[] LiveOk, long[] LiveFailed, long[] VictimOk, long[] VictimFailed,
    double? MarkedDeadAfterSeconds, TimeSpan LiveMaxLatency, TimeSpan VictimMaxLatencyAfterDead, double SettledFromSeconds, TimeSpan SettledClientCpu, TimeSpan SettledServerCpu)
{
    public const double BucketSeconds = 0.1;

    /// <summary>Live keys' successful operations per second between two times (seconds from the start of the window).</summary>
    public double LiveRate(double from, double to) => Rate(LiveOk, from, to);

    /// <summary>
    /// Live keys' successful operations per CPU second (client process + the three servers) in the settled part
    /// of the window: what the throughput would be per core obtained, whatever else the machine runs.
    /// </summary>
    public double SettledLivePerCpuSecond(double end) =>
        (SettledClientCpu + SettledServerCpu).TotalSeconds is var cpu and > 0 ? LiveRate(SettledFromSeconds, end) * (end - SettledFromSeconds) / cpu : 0;

    public static double Rate(long[] buckets, double from, double to)
    {
        var first = (int)Math.Round(from / BucketSeconds);
        var last = Math.Min(buckets.Length, (int)Math.Round(to / BucketSeconds));
        long sum = 0;
        for (var i = first; i < last; i++)
        {
            sum += buckets[i];
        }
        return last > first ? sum / ((last - first) * BucketSeconds) : 0;
    }
}

/// <summary>
/// One scenario: three fresh memcached servers, one client, N closed-loop callers over keys spread on all
/// three; after warm-up the window is measured and, for a fault, server 1 is frozen (SIGSTOP) or killed
/// (SIGKILL) part way through. Nothing is restarted during the window.
/// </summary>
internal static class FaultScenario
{
    private const int Victim = 1;

    public static async Task<ScenarioResult> RunAsync(Fault fault, FailoverPolicy policy, FaultOptions options)
    {
        var servers = new List<MemcachedProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                servers.Add(await MemcachedProcess.StartAsync(options.ServerThreads).ConfigureAwait(false));
            }
            var clientOptions = new MemcacheClientOptions { Failover = policy, OperationTimeout = options.OperationTimeout, ServerTimeoutLimit = options.ServerTimeoutLimit };
            foreach (var server in servers)
            {
                clientOptions.Servers.Add(server.Address);
            }
            await using var client = new MemcacheClient(clientOptions);
            var keys = Enumerable.Range(0, options.Keys).Select(i => "k:" + i.ToString("D14", CultureInfo.InvariantCulture)).ToArray();
            var onVictim = keys.Select(k => client.Locate(k) == servers[Victim].Address).ToArray();
            var value = new byte[options.ValueSize];
            Random.Shared.NextBytes(value);
            await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 32 },
                async (key, token) => await client.SetAsync(key, value, cancellationToken: token).ConfigureAwait(false)).ConfigureAwait(false);

            long deadAt = 0;
            client.ServerHealthChanged += (_, e) =>
            {
                if (!e.IsAlive && e.Server == servers[Victim].Address)
                {
                    Interlocked.CompareExchange(ref deadAt, Stopwatch.GetTimestamp(), 0);
                }
            };
            var buckets = (int)Math.Ceiling(options.DurationSeconds / ScenarioResult.BucketSeconds) + 1;
            var window = new Window();
            var workers = Enumerable.Range(0, options.Concurrency)
                .Select(i => new Worker(client, keys, onVictim, value, options.GetRatio, buckets, window, () => Volatile.Read(ref deadAt), seed: i * 7919 + 17))
                .ToArray();
            var tasks = workers.Select(w => Task.Run(w.RunAsync)).ToArray();
            await Task.Delay(TimeSpan.FromSeconds(options.WarmupSeconds)).ConfigureAwait(false);
            window.Start = Stopwatch.GetTimestamp();
            await Task.Delay(TimeSpan.FromSeconds(options.FaultAtSeconds)).ConfigureAwait(false);
            var faultAt = Stopwatch.GetTimestamp();
            switch (fault)
            {
                case Fault.Freeze:
                    servers[Victim].Freeze();
                    break;
                case Fault.Kill:
                    servers[Victim].Kill();
                    break;
            }
            // CPU of the client and the servers from the settled point (one timeout + 1 s after the fault) to the end.
            var settledFrom = options.FaultAtSeconds + options.OperationTimeout.TotalSeconds + 1;
            await Task.Delay(TimeSpan.FromSeconds(settledFrom - options.FaultAtSeconds)).ConfigureAwait(false);
            var (clientCpu, serverCpu) = CpuNow(servers);
            await Task.Delay(TimeSpan.FromSeconds(options.DurationSeconds - settledFrom)).ConfigureAwait(false);
            var (clientCpuEnd, serverCpuEnd) = CpuNow(servers);
            window.Stopped = true;
            await Task.WhenAll(tasks).ConfigureAwait(false);

            long[] Sum(Func<Worker, long[]> pick)
            {
                var total = new long[buckets];
                foreach (var worker in workers)
                {
                    var counts = pick(worker);
                    for (var i = 0; i < total.Length; i++)
                    {
                        total[i] += counts[i];
                    }
                }
                return total;
            }
            var dead = Volatile.Read(ref deadAt);
            return new ScenarioResult(fault, policy, Sum(w => w.LiveOk), Sum(w => w.LiveFailed), Sum(w => w.VictimOk), Sum(w => w.VictimFailed),
                fault != Fault.None && dead > faultAt ? Stopwatch.GetElapsedTime(faultAt, dead).TotalSeconds : null,
                workers.Max(w => w.LiveMaxLatency), workers.Max(w => w.VictimMaxLatencyAfterDead),
                settledFrom, clientCpuEnd - clientCpu, ServerCpu(serverCpu, serverCpuEnd));
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static (TimeSpan Client, TimeSpan?[] Servers) CpuNow(List<MemcachedProcess> servers)
    {
        using var process = Process.GetCurrentProcess();
        return (process.TotalProcessorTime, servers.Select(s => s.CpuTime()).ToArray());
    }

    // A killed server's CPU is gone from /proc: it counts as having used none in the interval.
    private static TimeSpan ServerCpu(TimeSpan?[] start, TimeSpan?[] end) =>
        start.Zip(end).Aggregate(TimeSpan.Zero, (sum, pair) => pair is ({ } a, { } b) ? sum + (b - a) : sum);

    private sealed class Window
    {
        private long _start;

        public long Start { get => Volatile.Read(ref _start); set => Volatile.Write(ref _start, value); }

        public volatile bool Stopped;
    }

    private sealed class Worker(MemcacheClient client, string[] keys, bool[] onVictim, byte[] value, double getRatio, int buckets,
        Window window, Func<long> deadAt, int seed)
    {
        private readonly Random _random = new(seed);
        private readonly ArrayBufferWriter<byte> _buffer = new(value.Length * 2);

        public long[] LiveOk { get; } = new long[buckets];
        public long[] LiveFailed { get; } = new long[buckets];
        public long[] VictimOk { get; } = new long[buckets];
        public long[] VictimFailed { get; } = new long[buckets];
        public TimeSpan LiveMaxLatency { get; private set; }
        public TimeSpan VictimMaxLatencyAfterDead { get; private set; }

        public async Task RunAsync()
        {
            while (!window.Stopped)
            {
                var index = _random.Next(keys.Length);
                var start = Stopwatch.GetTimestamp();
                var ok = true;
                try
                {
                    if (_random.NextDouble() < getRatio)
                    {
                        _buffer.ResetWrittenCount();
                        await client.GetAsync(keys[index], _buffer).ConfigureAwait(false);
                    }
                    else
                    {
                        await client.SetAsync(keys[index], value).ConfigureAwait(false);
                    }
                }
                catch (MemcacheException)
                {
                    ok = false; // a real caller would serve a miss or an error page and carry on
                }
                var windowStart = window.Start;
                if (windowStart == 0 || start < windowStart)
                {
                    continue; // warm-up
                }
                var end = Stopwatch.GetTimestamp();
                var bucket = (int)(Stopwatch.GetElapsedTime(windowStart, end).TotalSeconds / ScenarioResult.BucketSeconds);
                if (bucket >= buckets)
                {
                    continue;
                }
                var took = Stopwatch.GetElapsedTime(start, end);
                if (onVictim[index])
                {
                    (ok ? VictimOk : VictimFailed)[bucket]++;
                    var dead = deadAt();
                    if (dead != 0 && start > dead && took > VictimMaxLatencyAfterDead)
                    {
                        VictimMaxLatencyAfterDead = took;
                    }
                }
                else
                {
                    (ok ? LiveOk : LiveFailed)[bucket]++;
                    if (took > LiveMaxLatency)
                    {
                        LiveMaxLatency = took;
                    }
                }
            }
        }
    }
}
