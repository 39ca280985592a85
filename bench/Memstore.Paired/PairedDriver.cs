using System.Buffers;
using System.Diagnostics;
using System.Globalization;

namespace Memstore.Paired;

/// <summary>
/// The half of the paired runner that lives in each load context, next to its own build of Memstore. The host
/// reaches it by reflection once, through <see cref="CreateAsync"/>, and from then on only through delegates of
/// framework types, which mean the same in every load context. Same workload as bench/Memstore.Load: N closed-loop
/// workers, gets and sets of 100-byte values over 10,000 keys of 16 bytes, or multi-gets. It does not link
/// src/Cli/Bench/LoadEngine.cs as the load runner does: it is built against older commits too, which lack that file,
/// and it runs in slices rather than one measured window.
/// </summary>
public static class PairedDriver
{
    /// <summary>
    /// Connects, sets every key, and returns a slice runner and a disposer. The slice runner runs the workers for the
    /// given seconds and returns [requests, units (keys for multi-gets), errors].
    /// </summary>
    public static async Task<(Func<double, Task<long[]>> RunSlice, Func<Task> Dispose)> CreateAsync(
        string servers, int concurrency, double getRatio, int multiGet, int valueSize, int keyCount)
    {
        var keys = new string[keyCount];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = "k:" + i.ToString("D14", CultureInfo.InvariantCulture);
        }

        var value = new byte[valueSize];
        new Random(42).NextBytes(value);
        var client = MemcacheClient.Create(servers);
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (key, token) => await client.SetAsync(key, value, cancellationToken: token).ConfigureAwait(false)).ConfigureAwait(false);
        var workers = Enumerable.Range(0, concurrency).Select(i => new Worker(client, keys, value, getRatio, multiGet, (i * 7919) + 17)).ToArray();
        return (seconds => RunSliceAsync(workers, seconds), async () => await client.DisposeAsync().ConfigureAwait(false));
    }

    private static async Task<long[]> RunSliceAsync(Worker[] workers, double seconds)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var runs = workers.Select(w => Task.Run(() => w.RunUntilAsync(deadline))).ToArray();
        var totals = new long[3];
        foreach (var counts in await Task.WhenAll(runs).ConfigureAwait(false))
        {
            for (int i = 0; i < totals.Length; i++)
            {
                totals[i] += counts[i];
            }
        }

        return totals;
    }

    private sealed class Worker(MemcacheClient client, string[] keys, byte[] value, double getRatio, int multiGet, int seed)
    {
        private readonly Random _random = new(seed);
        private readonly ArrayBufferWriter<byte> _buffer = new(Math.Max(256, value.Length * 2));
        private readonly string[] _batch = new string[Math.Max(1, multiGet)];

        public async Task<long[]> RunUntilAsync(long deadline)
        {
            long requests = 0, units = 0, errors = 0;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                try
                {
                    if (getRatio < 1 && _random.NextDouble() >= getRatio)
                    {
                        await client.SetAsync(keys[_random.Next(keys.Length)], value).ConfigureAwait(false);
                        units++;
                    }
                    else if (multiGet > 0)
                    {
                        for (int i = 0; i < _batch.Length; i++)
                        {
                            _batch[i] = keys[_random.Next(keys.Length)];
                        }

                        await client.GetManyAsync(_batch).ConfigureAwait(false);
                        units += multiGet;
                    }
                    else
                    {
                        _buffer.ResetWrittenCount();
                        await client.GetAsync(keys[_random.Next(keys.Length)], _buffer).ConfigureAwait(false);
                        units++;
                    }

                    requests++;
                }
#pragma warning disable CA1031 // counted, not fatal: the host reports them
                catch (Exception)
#pragma warning restore CA1031
                {
                    errors++;
                }
            }

            return [requests, units, errors];
        }
    }
}
