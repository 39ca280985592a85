using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using MessagePack;

namespace Memstore.Benchmarks;

/// <summary>
/// Counts the bytes allocated, process-wide (every thread, including the connection's reader and writer
/// loops), per operation after warm-up: a cross-check of the MemoryDiagnoser figures that timing noise
/// cannot blur. Covers the raw get into a reused buffer and the generated store against the raw client
/// plus MessagePack's reflection resolver.
/// </summary>
internal static class AllocationCheck
{
    public static async Task<int> RunAsync(int operations)
    {
        await using var seeded = await SeededStore.StartAsync().ConfigureAwait(false);
        var (client, store, order) = (seeded.Client, seeded.Store, seeded.Order);
        var writer = new ArrayBufferWriter<byte>(4096);

        await MeasureAsync("get_into_writer", operations, () =>
        {
            writer.ResetWrittenCount();
            return client.GetAsync("bench:blob:1", writer);
        }).ConfigureAwait(false);
        await MeasureAsync("typed_set_order", operations, () => store.Orders.SetAsync(2, order)).ConfigureAwait(false);
        await MeasureAsync("reflection_serialize_raw_set_order", operations, () =>
            client.SetAsync("bench:order:3", MessagePackSerializer.Serialize(order, SerializerOptions.Contractless), flags: MemcacheFlags.MessagePack)).ConfigureAwait(false);
        await MeasureAsync("typed_get_order", operations, () => store.Orders.TryGetAsync(1)).ConfigureAwait(false);
        await MeasureAsync("raw_get_reflection_deserialize_order", operations, GetWithReflectionAsync).ConfigureAwait(false);

        // Pooled like the library's own async methods, so the comparison counts no extra state machine.
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        async ValueTask<BenchOrder> GetWithReflectionAsync() =>
            MessagePackSerializer.Deserialize<BenchOrder>((await client.GetAsync("bench:order:1").ConfigureAwait(false)).Value, SerializerOptions.Contractless);
        return 0;
    }

    private static async Task MeasureAsync<T>(string name, int operations, Func<ValueTask<T>> operation)
    {
        for (var i = 0; i < 20_000; i++)
        {
            await operation().ConfigureAwait(false);
        }
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < operations; i++)
        {
            await operation().ConfigureAwait(false);
        }
        var after = GC.GetTotalAllocatedBytes(precise: true);
        var perOp = (after - before) / (double)operations;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}_bytes_per_op={perOp:0.000} total_bytes={after - before} operations={operations}"));
    }
}
