using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Memstore;
using Memstore.Collections;
using Memstore.Mcas;

/// <summary>
/// <c>bench &lt;servers&gt;</c>: the MCAS and deque figures of docs/performance.md ("MCAS and deque").
/// Round trips come from the memstore.mcas.* counters, not from a model.
/// </summary>
internal static class McasBench
{
    private static long _roundTrips, _requests, _conflicts, _retries;

    public static async Task RunAsync(string servers)
    {
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Memstore")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            switch (instrument.Name)
            {
                case "memstore.mcas.round_trips": Interlocked.Add(ref _roundTrips, value); break;
                case "memstore.mcas.requests": Interlocked.Add(ref _requests, value); break;
                case "memstore.mcas.conflicts": Interlocked.Add(ref _conflicts, value); break;
                case "memstore.mcas.retries": Interlocked.Add(ref _retries, value); break;
            }
        });
        listener.Start();
        await using var client = MemcacheClient.Create(servers);
        Console.WriteLine($"servers: {servers}");
        await RoundTripsAsync(client);
        foreach (var callers in new[] { 1, 4, 16 })
        {
            await CommitsAsync(client, callers);
        }
        await DequeAsync(servers, clients: 1, sharded: false);
        await DequeAsync(servers, clients: 8, sharded: false);
        await DequeAsync(servers, clients: 8, sharded: true);
        await DequeConcurrentOneClientAsync(client);
    }

    private static async Task RoundTripsAsync(MemcacheClient client)
    {
        var mcas = new McasClient(client);
        Console.WriteLine("| k | round trips per MCAS | requests per MCAS | µs per MCAS |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var k in new[] { 1, 2, 4, 8 })
        {
            var keys = Enumerable.Range(0, k).Select(i => $"bench:rt:{k}:{i}:{Guid.NewGuid():N}").ToArray();
            const int iterations = 300;
            long trips = 0, requests = 0, ticks = 0;
            for (var n = 0; n < iterations; n++)
            {
                var entries = await mcas.GetManyAsync(keys);
                var (t0, r0) = (Interlocked.Read(ref _roundTrips), Interlocked.Read(ref _requests));
                var clock = Stopwatch.StartNew();
                var ok = await mcas.CompareAndSwapAsync([.. entries.Select(e => McasUpdate.Set(e, BitConverter.GetBytes(n)))]);
                ticks += clock.ElapsedTicks;
                trips += Interlocked.Read(ref _roundTrips) - t0;
                requests += Interlocked.Read(ref _requests) - r0;
                if (!ok)
                {
                    throw new InvalidOperationException("uncontended MCAS failed");
                }
            }
            Console.WriteLine($"| {k} | {(double)trips / iterations:F2} | {(double)requests / iterations:F2} | {ticks * 1e6 / Stopwatch.Frequency / iterations:F0} |");
        }
        await mcas.FlushAsync();
    }

    private static async Task CommitsAsync(MemcacheClient client, int callers)
    {
        var keys = Enumerable.Range(0, 8).Select(i => $"bench:shared:{callers}:{i}:{Guid.NewGuid():N}").ToArray();
        var mcas = new McasClient(client, new McasOptions { RetryBudget = TimeSpan.FromSeconds(60) });
        var duration = TimeSpan.FromSeconds(3);
        var (c0, r0) = (Interlocked.Read(ref _conflicts), Interlocked.Read(ref _retries));
        var commits = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            while (clock.Elapsed < duration)
            {
                var a = keys[random.Next(keys.Length)];
                var b = keys[(Array.IndexOf(keys, a) + 1 + random.Next(keys.Length - 1)) % keys.Length];
                await mcas.TransactAsync(async (tx, ct) =>
                {
                    foreach (var entry in await tx.GetManyAsync([a, b], ct))
                    {
                        var n = entry.Exists ? BitConverter.ToInt64(entry.Value!) : 0;
                        tx.Set(entry.Key, BitConverter.GetBytes(n + 1));
                    }
                });
                Interlocked.Increment(ref commits);
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"commits/s with {callers,2} callers on 8 shared keys (2 keys per transaction): {commits / seconds:F0}  conflicts: {Interlocked.Read(ref _conflicts) - c0}  retries: {Interlocked.Read(ref _retries) - r0}");
        await mcas.FlushAsync();
    }

    private static async Task DequeAsync(string servers, int clients, bool sharded)
    {
        var name = $"bench:dq:{Guid.NewGuid():N}";
        await using (var setup = MemcacheClient.Create(servers))
        {
            if (sharded) { await ShardedMemcacheDeque.CreateAsync(setup, name, 8); } else { await MemcacheDeque.CreateAsync(setup, name); }
        }
        var duration = TimeSpan.FromSeconds(3);
        var ops = 0L;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            await using var client = MemcacheClient.Create(servers);
            Func<ReadOnlyMemory<byte>, ValueTask> push;
            Func<ValueTask<DequePopResult>> pop;
            if (sharded)
            {
                var d = await ShardedMemcacheDeque.BindAsync(client, name);
                (push, pop) = (v => d.PushRightAsync(v), () => d.TryPopLeftAsync());
            }
            else
            {
                var d = await MemcacheDeque.BindAsync(client, name);
                (push, pop) = (v => d.PushRightAsync(v), () => d.TryPopLeftAsync());
            }
            var payload = Encoding.UTF8.GetBytes(new string('x', 32));
            while (clock.Elapsed < duration)
            {
                await push(payload);
                await pop();
                Interlocked.Add(ref ops, 2);
            }
        })));
        Console.WriteLine($"deque ops/s, {clients} client(s), one sequential caller each, {(sharded ? "sharded x8" : "one anchor")}: {ops / clock.Elapsed.TotalSeconds:F0}");
    }

    private static async Task DequeConcurrentOneClientAsync(MemcacheClient client)
    {
        var name = $"bench:dq1:{Guid.NewGuid():N}";
        await ShardedMemcacheDeque.CreateAsync(client, name, 16);
        var duration = TimeSpan.FromSeconds(3);
        var ops = 0L;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            var d = await ShardedMemcacheDeque.BindAsync(client, name);
            var payload = new byte[32];
            while (clock.Elapsed < duration)
            {
                await d.PushRightAsync(payload);
                await d.TryPopLeftAsync();
                Interlocked.Add(ref ops, 2);
            }
        })));
        Console.WriteLine($"deque ops/s, 1 client, 16 concurrent callers, sharded x16: {ops / clock.Elapsed.TotalSeconds:F0}");
    }
}
