using System.Diagnostics;
using System.Text;
using Memstore;

/// <summary>
/// <c>stampede &lt;servers&gt; &lt;key&gt; &lt;callers&gt; &lt;factory-ms&gt; &lt;start-unix-ms&gt; [naive]</c>: at the given
/// moment (so every process starts together), <c>callers</c> concurrent calls ask for one cold key whose factory
/// takes <c>factory-ms</c>. Each factory run is counted in memcached (<c>&lt;key&gt;:runs</c>) and printed as
/// <c>RUNS n</c>, with every caller's value (<c>VALUES v1|v2…</c>) and the callers' latency
/// (<c>LATENCY p50 p99</c>, ms). <c>naive</c> does what code without leases does: get, and on a miss compute and set.
/// </summary>
internal static class Stampede
{
    public static async Task RunAsync(MemcacheClient client, string key, int callers, int factoryMs, long startUnixMs, bool naive)
    {
        var runs = 0;
        async ValueTask<byte[]> Factory(CancellationToken token)
        {
            Interlocked.Increment(ref runs);
            await client.IncrementAsync(key + ":runs", 1, initialValue: 1, cancellationToken: token);
            await Task.Delay(factoryMs, token);
            return Encoding.UTF8.GetBytes($"made-by-{Environment.ProcessId}");
        }
        var wait = startUnixMs - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(wait));
        }
        var latencies = new double[callers];
        var values = await Task.WhenAll(Enumerable.Range(0, callers).Select(async i =>
        {
            var started = Stopwatch.GetTimestamp();
            CacheValue value;
            if (naive)
            {
                value = await client.GetAsync(key);
                if (!value.Found)
                {
                    var made = await Factory(CancellationToken.None);
                    await client.SetAsync(key, made);
                    value = new CacheValue(made, 0, CasToken.None);
                }
            }
            else
            {
                value = await client.GetOrCreateAsync(key, Factory);
            }
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            return value.AsString();
        }));
        Array.Sort(latencies);
        Console.WriteLine($"RUNS {runs}");
        Console.WriteLine($"VALUES {string.Join('|', values.Distinct())}");
        Console.WriteLine($"LATENCY {latencies[callers / 2]:0.0} {latencies[(int)(callers * 0.99)]:0.0}");
    }
}
