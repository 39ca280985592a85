using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using MessagePack;

namespace Memstore.Benchmarks;

/// <summary>
/// The generated path's cost over the raw client, measured so machine noise cancels: raw and typed variants
/// run in interleaved rounds against the same memcached, and the report gives each variant's median round
/// and the typed/raw ratio of medians. A round trip costs tens of microseconds, so a shared 2-core machine
/// moves single BenchmarkDotNet means by more than the difference being measured; interleaving does not.
/// </summary>
internal static class TypedOverheadCheck
{
    public static async Task<int> RunAsync(int rounds, int operationsPerRound, string? only = null)
    {
        await using var seeded = await SeededStore.StartAsync().ConfigureAwait(false);
        var (client, store, blob, order, orderBytes) = (seeded.Client, seeded.Store, seeded.Blob, seeded.Order, seeded.OrderBytes);
        var generated = SerializerOptions.Generated;

        var pairs = new (string Name, Func<ValueTask> Raw, Func<ValueTask> Typed)[]
        {
            ("get_100B", () => Ignore(client.GetAsync("bench:blob:1")), () => Ignore(store.Blobs.TryGetAsync(1))),
            ("set_100B", () => Ignore(client.SetAsync("bench:blob:2", blob)), () => Ignore(store.Blobs.SetAsync(2, blob))),
            // The order pairs compare against the raw bytes; the typed side adds (de)serialization.
            ("get_order", () => Ignore(client.GetAsync("bench:order:1")), () => Ignore(store.Orders.TryGetAsync(1))),
            // Raw get plus the same generated deserialization, by hand: what the typed read does, without the keyspace.
            ("get_order_decoded", () => Ignore(GetAndDecodeAsync()), () => Ignore(store.Orders.TryGetAsync(1))),
            // GetOrCreateAsync on a hit (the factory never runs): its lease read and single flight against a plain get.
            ("get_or_create_hit", () => Ignore(client.GetAsync("bench:blob:1")), () => Ignore(client.GetOrCreateAsync("bench:blob:1", NeverCalled))),
            ("get_or_create_hit_typed", () => Ignore(store.Blobs.TryGetAsync(1)), () => Ignore(store.Blobs.GetOrCreateAsync(1, static (_, _) => throw new InvalidOperationException("a hit")))),
            ("set_order", () => Ignore(client.SetAsync("bench:order:2", orderBytes, flags: MemcacheFlags.MessagePack)), () => Ignore(store.Orders.SetAsync(2, order))),
            // The same generated serialization by hand, then a raw set.
            ("set_order_encoded", () => Ignore(client.SetAsync("bench:order:2", MessagePackSerializer.Serialize(order, generated), flags: MemcacheFlags.MessagePack)),
                () => Ignore(store.Orders.SetAsync(2, order))),
        };

        static ValueTask<byte[]> NeverCalled(CancellationToken _) => throw new InvalidOperationException("the key is seeded: a hit");

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        async ValueTask<BenchOrder> GetAndDecodeAsync() =>
            MessagePackSerializer.Deserialize<BenchOrder>((await client.GetAsync("bench:order:1").ConfigureAwait(false)).Value, generated);

        foreach (var (name, raw, typed) in pairs.Where(p => only is null || p.Name == only))
        {
            await RunRoundAsync(raw, operationsPerRound).ConfigureAwait(false); // warm-up
            await RunRoundAsync(typed, operationsPerRound).ConfigureAwait(false);
            var rawRounds = new List<(double Wall, double Cpu)>(rounds);
            var typedRounds = new List<(double Wall, double Cpu)>(rounds);
            for (var round = 0; round < rounds; round++)
            {
                // Alternate which goes first so a slow spell does not always land on the same side.
                if (round % 2 == 0)
                {
                    rawRounds.Add(await RunRoundAsync(raw, operationsPerRound).ConfigureAwait(false));
                    typedRounds.Add(await RunRoundAsync(typed, operationsPerRound).ConfigureAwait(false));
                }
                else
                {
                    typedRounds.Add(await RunRoundAsync(typed, operationsPerRound).ConfigureAwait(false));
                    rawRounds.Add(await RunRoundAsync(raw, operationsPerRound).ConfigureAwait(false));
                }
            }
            var (rawWall, typedWall) = (Median(rawRounds, r => r.Wall), Median(typedRounds, r => r.Wall));
            var (rawCpu, typedCpu) = (Median(rawRounds, r => r.Cpu), Median(typedRounds, r => r.Cpu));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: raw_us={rawWall:0.00} typed_us={typedWall:0.00} typed_over_raw={typedWall / rawWall:0.000} "
                + $"raw_cpu_us={rawCpu:0.00} typed_cpu_us={typedCpu:0.00} cpu_typed_over_raw={typedCpu / rawCpu:0.000} rounds={rounds} ops_per_round={operationsPerRound}"));
        }
        return 0;
    }

    /// <summary>
    /// Wall-clock and client-process CPU microseconds per operation over one round of sequential calls (CPU
    /// counts every thread of this process, the connection's loops included, and none of memcached's).
    /// </summary>
    private static async Task<(double Wall, double Cpu)> RunRoundAsync(Func<ValueTask> operation, int count)
    {
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            await operation().ConfigureAwait(false);
        }
        var wall = Stopwatch.GetElapsedTime(started).TotalMicroseconds / count;
        return (wall, (Environment.CpuUsage.TotalTime - cpuBefore).TotalMicroseconds / count);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask Ignore<T>(ValueTask<T> pending) => await pending.ConfigureAwait(false);

    private static double Median<T>(List<T> rounds, Func<T, double> measure)
    {
        var values = rounds.Select(measure).Order().ToList();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }
}
