using System.Diagnostics;
using System.Text;
using Memstore;
using Memstore.Mcas;

/// <summary>
/// <c>tokens</c> mode: T tokens (<c>tok:&lt;j&gt;</c>) move among N slots (<c>&lt;prefix&gt;slot:&lt;i&gt;</c>); each move is
/// one MCAS that deletes one slot and creates another, the workload that exposed late expected-absent installs.
/// A checker loop reads all slots in one transaction and reports any state without exactly T tokens.
/// </summary>
internal static class TokenWorkload
{
    public static string Slot(string prefix, int i) => $"{prefix}slot:{i}";

    /// <param name="tolerateTransport">
    /// Count timeouts and lost connections instead of failing on them: for runs that pause a memcached process
    /// (bench/token-stress.sh with server stops), where they are the point.
    /// </param>
    public static async Task RunAsync(MemcacheClient client, string prefix, int slots, int tokens, TimeSpan duration, int seed, int loops, bool tolerateTransport = false)
    {
        var mcas = new McasClient(client, new McasOptions { RetryBudget = TimeSpan.FromSeconds(30) });
        using var background = new BackgroundCounts();
        var clock = Stopwatch.StartNew();
        long moves = 0, checks = 0, conflicts = 0, transport = 0;
        var guard = new Guard(() => Interlocked.Increment(ref conflicts), tolerateTransport ? () => Interlocked.Increment(ref transport) : null);
        var movers = Enumerable.Range(0, loops).Select(w => Task.Run(async () =>
        {
            var random = new Random(seed * 100 + w);
            while (clock.Elapsed < duration)
            {
                if (await guard.RunAsync(() => MoveOnceAsync(mcas, prefix, slots, random)))
                {
                    Interlocked.Increment(ref moves);
                }
            }
        }));
        var checker = Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                if (await guard.RunAsync(() => CheckOnceAsync(mcas, prefix, slots, tokens)))
                {
                    Interlocked.Increment(ref checks);
                }
                await Task.Delay(5);
            }
        });
        await Task.WhenAll([.. movers, checker]);
        await mcas.FlushAsync();
        Console.WriteLine($"DONE moves={moves} checks={checks} conflicts={conflicts} transport_errors={transport} "
            + $"background_failures={background.Failures} background_finishes={background.Finishes} seconds={clock.Elapsed.TotalSeconds:F1}");
    }

    /// <summary>Runs one step; corruption is printed (the test fails on it), conflicts are counted, nothing stops the loop.</summary>
    private sealed class Guard(Action onConflict, Action? onTransport)
    {
        public async Task<bool> RunAsync(Func<Task<bool>> step)
        {
            try
            {
                return await step();
            }
            catch (McasCorruptionException error)
            {
                Console.WriteLine($"CORRUPTION {error.Message}");
                Console.Out.Flush();
            }
            catch (Exception error) when (error is McasConflictException or McasOutcomeUnknownException)
            {
                onConflict();
            }
            catch (MemcacheException error) when (onTransport is not null && error is MemcacheTimeoutException or MemcacheConnectionException or ServerUnavailableException)
            {
                onTransport();
                await Task.Delay(50);
            }
            return false;
        }
    }

    /// <summary>This process's <c>memstore.mcas.background_failures</c> and <c>background_finishes</c>.</summary>
    private sealed class BackgroundCounts : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private long _failures, _finishes;

        public BackgroundCounts()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == MemstoreTelemetry.MeterName && instrument.Name is "memstore.mcas.background_failures" or "memstore.mcas.background_finishes")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                if (instrument.Name.EndsWith("failures", StringComparison.Ordinal))
                {
                    Interlocked.Add(ref _failures, value);
                }
                else
                {
                    Interlocked.Add(ref _finishes, value);
                }
            });
            _listener.Start();
        }

        public long Failures => Interlocked.Read(ref _failures);

        public long Finishes => Interlocked.Read(ref _finishes);

        public void Dispose() => _listener.Dispose();
    }

    private static async Task<bool> MoveOnceAsync(McasClient mcas, string prefix, int slots, Random random)
    {
        var a = random.Next(slots);
        var b = (a + 1 + random.Next(slots - 1)) % slots;
        var first = await mcas.GetAsync(Slot(prefix, a));
        var second = await mcas.GetAsync(Slot(prefix, b));
        var (from, to) = first.Exists && !second.Exists ? (first, second) : second.Exists && !first.Exists ? (second, first) : (null, null);
        if (from is null || to is null)
        {
            return false;
        }
        return await mcas.CompareAndSwapAsync([McasUpdate.Delete(from), McasUpdate.Set(to, from.Value!)]);
    }

    private static async Task<bool> CheckOnceAsync(McasClient mcas, string prefix, int slots, int tokens)
    {
        string? problem = null;
        await mcas.TransactAsync(async (tx, ct) =>
        {
            var entries = await tx.GetManyAsync([.. Enumerable.Range(0, slots).Select(i => Slot(prefix, i))], ct);
            problem = Describe(entries, tokens);
        });
        if (problem is not null)
        {
            Console.WriteLine($"VIOLATION {problem}");
            Console.Out.Flush();
        }
        return true;
    }

    /// <summary>Null when the slots hold exactly <c>tok:0</c>..<c>tok:T-1</c>, each once; else what is wrong.</summary>
    public static string? Describe(IReadOnlyList<McasEntry> entries, int tokens)
    {
        var held = entries.Where(e => e.Exists).Select(e => Encoding.UTF8.GetString(e.Value!)).OrderBy(v => v, StringComparer.Ordinal).ToList();
        var expected = Enumerable.Range(0, tokens).Select(j => $"tok:{j}").OrderBy(v => v, StringComparer.Ordinal).ToList();
        return held.SequenceEqual(expected) ? null : $"slots hold [{string.Join(',', held)}], expected {tokens} distinct tokens";
    }

    /// <summary><c>tokens-seed</c>: tokens in the first T slots, the rest absent.</summary>
    public static async Task SeedAsync(MemcacheClient client, string prefix, int slots, int tokens)
    {
        for (var i = 0; i < slots; i++)
        {
            if (i < tokens)
            {
                await client.SetAsync(Slot(prefix, i), $"tok:{i}");
            }
            else
            {
                await client.DeleteAsync(Slot(prefix, i));
            }
        }
    }

    /// <summary><c>tokens-check</c>: the end-of-run invariant, read with McasGet, then plain reads for left markers.</summary>
    public static async Task<bool> CheckAsync(MemcacheClient client, string prefix, int slots, int tokens)
    {
        var mcas = new McasClient(client);
        var entries = await mcas.GetManyAsync([.. Enumerable.Range(0, slots).Select(i => Slot(prefix, i))]);
        var problem = Describe(entries, tokens);
        for (var i = 0; i < slots; i++)
        {
            var plain = await client.GetAsync(Slot(prefix, i));
            if (plain.Found && (plain.Flags & 0x80000000u) != 0)
            {
                problem = (problem is null ? "" : problem + "; ") + $"marker left in {Slot(prefix, i)}";
            }
        }
        Console.WriteLine(problem is null ? $"OK tokens={tokens}" : $"VIOLATION {problem}");
        return problem is null;
    }
}
