using System.Buffers;

namespace Memstore.Benchmarks;

/// <summary>
/// Counts the bytes allocated, process-wide (every thread, including the connection's reader and writer
/// loops), per GetAsync(key, IBufferWriter) after warm-up. A cross-check of the MemoryDiagnoser figure.
/// </summary>
internal static class AllocationCheck
{
    public static async Task<int> RunAsync(int operations)
    {
        using var server = MemcachedServer.Start();
        await using var client = MemcacheClient.Create(server.Endpoint);
        var value = new byte[100];
        await client.SetAsync("alloc:key", value).ConfigureAwait(false);
        var writer = new ArrayBufferWriter<byte>(4096);
        for (var i = 0; i < 20_000; i++)
        {
            writer.ResetWrittenCount();
            await client.GetAsync("alloc:key", writer).ConfigureAwait(false);
        }
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < operations; i++)
        {
            writer.ResetWrittenCount();
            await client.GetAsync("alloc:key", writer).ConfigureAwait(false);
        }
        var after = GC.GetTotalAllocatedBytes(precise: true);
        var perOp = (after - before) / (double)operations;
        Console.WriteLine($"get_into_writer_bytes_per_op={perOp:0.000} total_bytes={after - before} operations={operations}");
        return 0;
    }
}
