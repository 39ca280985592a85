using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Memstore.Mcas;

namespace Memstore.Benchmarks;

/// <summary>
/// <c>mcas-speed</c>: MCAS commit rates as ratios to plain sets measured in the same run (issue 11, item 5).
/// Starts its own memcached servers on loopback. Scenarios run in interleaved rounds so a slow spell on the
/// shared machine hits every scenario alike; the report gives medians of rounds and of per-round ratios.
/// A commit is <see cref="McasClient.GetManyAsync"/> of the caller's k keys, then
/// <see cref="McasClient.CompareAndSwapAsync"/> writing new values to all of them (uncontended: every
/// caller owns its keys, so a failed commit aborts the run). Round trips and requests per commit come
/// from the <c>memstore.mcas.*</c> counters in a separate, untimed pass.
/// The <c>floor_*</c> scenarios send a commit's requests as plain commands with the same waves and no MCAS logic
/// (<see cref="Worker.FloorAsync"/>); a commit's ratio to its floor is what the MCAS code itself costs on top of the
/// transport's round trips. They run only with one server (see <see cref="RunAsync"/>).
/// </summary>
internal static class McasSpeedCheck
{
    private const int ValueSize = 100;

    private sealed record Scenario(string Name, int Callers, int Keys, string Baseline, string? Floor = null)
    {
        public bool IsFloor => Name.StartsWith("floor_", StringComparison.Ordinal);
    }

    private static readonly Scenario[] Scenarios =
    [
        new("set_c1", 1, 0, "set_c1"),
        new("floor_k2_c1", 1, 2, "set_c1"),
        new("mcas_k2_c1", 1, 2, "set_c1", "floor_k2_c1"),
        new("floor_k8_c1", 1, 8, "set_c1"),
        new("mcas_k8_c1", 1, 8, "set_c1", "floor_k8_c1"),
        new("set_c64", 64, 0, "set_c64"),
        new("mcas_k2_c64", 64, 2, "set_c64"),
    ];

    public static async Task<int> RunAsync(int rounds, double roundSeconds, int serverCount, string? only)
    {
        var memcached = Environment.GetEnvironmentVariable("MEMCACHED") ?? "/usr/bin/memcached";
        var servers = Enumerable.Range(0, serverCount).Select(_ => MemcachedServer.Start(memcached)).ToList();
        try
        {
            await using var client = MemcacheClient.Create(string.Join(",", servers.Select(s => s.Endpoint)));
            var mcas = new McasClient(client);
            var chosen = Scenarios
                .Where(s => !s.IsFloor && (only is null || s.Name.StartsWith("set_", StringComparison.Ordinal) || s.Name.Contains(only, StringComparison.Ordinal)))
                .ToHashSet();
            // A floor runs beside the commits compared with it, and only on one server: there a commit waits for one
            // wave more (the installs on other servers follow the descriptor's add), so the floor would flatter MCAS.
            var floors = serverCount == 1 ? chosen.Select(s => s.Floor).OfType<string>().ToHashSet(StringComparer.Ordinal) : [];
            var scenarios = Scenarios.Where(s => s.IsFloor ? floors.Contains(s.Name) : chosen.Contains(s)).ToArray();
            var workers = scenarios.ToDictionary(s => s.Name, s => Enumerable.Range(0, s.Callers).Select(c => new Worker(client, mcas, s, c)).ToArray());
            foreach (var worker in workers.Values.SelectMany(w => w))
            {
                await worker.SeedAsync().ConfigureAwait(false);
            }
            var counts = await CountRoundTripsAsync(scenarios, workers).ConfigureAwait(false);
            foreach (var scenario in scenarios)
            {
                await RunRoundAsync(workers[scenario.Name], roundSeconds / 2).ConfigureAwait(false); // warm-up
            }
            var results = scenarios.ToDictionary(s => s.Name, _ => new List<RoundResult>());
            for (var round = 0; round < rounds; round++)
            {
                // Alternate the order so the same scenario does not always follow the same neighbour.
                var order = round % 2 == 0 ? scenarios : [.. scenarios.Reverse()];
                foreach (var scenario in order)
                {
                    results[scenario.Name].Add(await RunRoundAsync(workers[scenario.Name], roundSeconds).ConfigureAwait(false));
                }
            }
            await mcas.FlushAsync().ConfigureAwait(false);
            Report(scenarios, results, counts, rounds, roundSeconds, serverCount);
            return 0;
        }
        finally
        {
            foreach (var server in servers)
            {
                server.Dispose();
            }
        }
    }

    /// <summary>
    /// One round of one scenario. Work items (thread-pool dispatches per op: writer-loop wakes, completion
    /// batches, continuations) do not depend on how busy the machine is, unlike the rates.
    /// </summary>
    private readonly record struct RoundResult(double OpsPerSecond, double CpuMicrosPerOp, double BytesPerOp, double WorkItemsPerOp);

    private readonly record struct TripCounts(double RoundTrips, double Requests);

    private static async Task<RoundResult> RunRoundAsync(Worker[] workers, double seconds)
    {
        var stopAt = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
        var workItemsBefore = ThreadPool.CompletedWorkItemCount;
        var started = Stopwatch.GetTimestamp();
        var counts = await Task.WhenAll(workers.Select(w => Task.Run(() => w.RunUntilAsync(stopAt)))).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - bytesBefore;
        var workItems = ThreadPool.CompletedWorkItemCount - workItemsBefore;
        var cpu = (Environment.CpuUsage.TotalTime - cpuBefore).TotalMicroseconds;
        long ops = counts.Sum();
        return new RoundResult(ops / elapsed, cpu / ops, (double)bytes / ops, (double)workItems / ops);
    }

    /// <summary>Round trips and requests per commit from the MCAS counters, over a fixed number of sequential commits.</summary>
    private static async Task<Dictionary<string, TripCounts>> CountRoundTripsAsync(Scenario[] scenarios, Dictionary<string, Worker[]> workers)
    {
        long roundTrips = 0, requests = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MemstoreTelemetry.MeterName && instrument.Name is "memstore.mcas.round_trips" or "memstore.mcas.requests")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "memstore.mcas.round_trips")
            {
                Interlocked.Add(ref roundTrips, value);
            }
            else
            {
                Interlocked.Add(ref requests, value);
            }
        });
        listener.Start();
        const int commits = 200;
        var counts = new Dictionary<string, TripCounts>();
        foreach (var scenario in scenarios.Where(s => s.Keys > 0 && !s.IsFloor))
        {
            var worker = workers[scenario.Name][0];
            await worker.CommitAsync().ConfigureAwait(false); // the first commit of a run has no finished descriptor to delete
            var (trips0, requests0) = (Interlocked.Read(ref roundTrips), Interlocked.Read(ref requests));
            for (var i = 0; i < commits; i++)
            {
                await worker.CommitAsync().ConfigureAwait(false);
            }
            counts[scenario.Name] = new((double)(Interlocked.Read(ref roundTrips) - trips0) / commits, (double)(Interlocked.Read(ref requests) - requests0) / commits);
        }
        return counts;
    }

    private static void Report(Scenario[] scenarios, Dictionary<string, List<RoundResult>> results, Dictionary<string, TripCounts> counts, int rounds, double roundSeconds, int serverCount)
    {
        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(ci, $"mcas-speed: servers={serverCount} rounds={rounds} round_s={roundSeconds} value_bytes={ValueSize} cores={Environment.ProcessorCount}"));
        foreach (var scenario in scenarios)
        {
            var mine = results[scenario.Name];
            var baseline = results[scenario.Baseline];
            var ratios = mine.Select((r, i) => r.OpsPerSecond / baseline[i].OpsPerSecond).ToList();
            var line = string.Create(ci,
                $"{scenario.Name}: ops_per_s={Median(mine, r => r.OpsPerSecond):0} ratio_to_{scenario.Baseline}={Median(ratios, r => r):0.000} "
                + $"cpu_us_per_op={Median(mine, r => r.CpuMicrosPerOp):0.0} bytes_per_op={Median(mine, r => r.BytesPerOp):0} work_items_per_op={Median(mine, r => r.WorkItemsPerOp):0.00} "
                + $"rounds_ops_per_s=[{string.Join(",", mine.Select(r => r.OpsPerSecond.ToString("0", ci)))}]");
            if (scenario.Floor is not null && results.TryGetValue(scenario.Floor, out var floor))
            {
                var floorRatios = mine.Select((r, i) => r.OpsPerSecond / floor[i].OpsPerSecond).ToList();
                line += string.Create(ci, $" ratio_to_{scenario.Floor}={Median(floorRatios, r => r):0.000}");
            }
            if (counts.TryGetValue(scenario.Name, out var trips))
            {
                line += string.Create(ci, $" round_trips={trips.RoundTrips:0.00} requests={trips.Requests:0.00} round_trip_limit_k_plus_3={scenario.Keys + 3}");
            }
            Console.WriteLine(line);
        }
    }

    private static double Median<T>(List<T> values, Func<T, double> measure)
    {
        var sorted = values.Select(measure).Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>One caller: its own keys, a plain set, a read+commit or a commit's floor per operation.</summary>
    private sealed class Worker(MemcacheClient client, McasClient mcas, Scenario scenario, int index)
    {
        private readonly string[] _keys = [.. Enumerable.Range(0, Math.Max(1, scenario.Keys)).Select(k => $"bench:mcas:{scenario.Name}:{index}:{k}")];
        private readonly byte[] _value = new byte[ValueSize];
        private readonly McasUpdate[] _updates = new McasUpdate[scenario.Keys];
        private readonly BatchSetItem[] _floorWrites = new BatchSetItem[scenario.Keys + 2];
        private readonly string _floorDescriptor = $"bench:mcas:{scenario.Name}:{index}:d";
        private Task _floorBackground = Task.CompletedTask;
        private long _counter;

        public async Task SeedAsync()
        {
            foreach (var key in _keys)
            {
                await client.SetAsync(key, _value).ConfigureAwait(false);
            }
        }

        public async Task<long> RunUntilAsync(long stopAt)
        {
            long done = 0;
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                if (scenario.Keys == 0)
                {
                    await client.SetAsync(_keys[0], _value).ConfigureAwait(false);
                }
                else if (scenario.IsFloor)
                {
                    await FloorAsync().ConfigureAwait(false);
                }
                else
                {
                    await CommitAsync().ConfigureAwait(false);
                }
                done++;
            }
            return done;
        }

        public async Task CommitAsync()
        {
            var entries = await mcas.GetManyAsync(_keys).ConfigureAwait(false);
            BitConverter.TryWriteBytes(_value, ++_counter);
            for (var i = 0; i < entries.Length; i++)
            {
                _updates[i] = McasUpdate.Set(entries[i], _value);
            }
            if (!await mcas.CompareAndSwapAsync(_updates).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"An uncontended MCAS on {string.Join(", ", _keys)} failed.");
            }
        }

        /// <summary>
        /// A one-server commit's requests as plain commands, in its waves (docs/mcas.md 4.2, 4.3 "Return at the last
        /// install"): a read of the k keys; k + 1 writes in one group (the descriptor's add and the markers); then, not
        /// awaited by the caller, k + 2 writes in one group (the decide, the releases and the descriptor's delete).
        /// Same counts, no MCAS work.
        /// </summary>
        public async Task FloorAsync()
        {
            _ = await client.GetManyAsync(_keys).ConfigureAwait(false);
            await _floorBackground.ConfigureAwait(false);
            BitConverter.TryWriteBytes(_value, ++_counter);
            for (var i = 0; i < _keys.Length; i++)
            {
                _floorWrites[i] = new BatchSetItem(_keys[i], _value);
            }
            _floorWrites[_keys.Length] = new BatchSetItem(_floorDescriptor, _value);
            await client.SetManyAsync(new ArraySegment<BatchSetItem>(_floorWrites, 0, _keys.Length + 1)).ConfigureAwait(false);
            _floorWrites[_keys.Length + 1] = new BatchSetItem(_floorDescriptor, _value);
            _floorBackground = client.SetManyAsync(_floorWrites).AsTask();
        }
    }
}
