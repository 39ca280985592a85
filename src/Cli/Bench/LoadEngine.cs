using System.Buffers;
using System.Diagnostics;
using System.Globalization;

namespace Memstore.Cli.Bench;

/// <summary>What a load run does; the options of <c>memstore bench</c> and bench/Memstore.Load.</summary>
internal sealed record LoadSettings
{
    /// <summary>Workers, each with one request in flight.</summary>
    public required int Concurrency { get; init; }

    /// <summary>Seconds measured.</summary>
    public required double DurationSeconds { get; init; }

    /// <summary>Seconds run before measuring (not recorded).</summary>
    public required double WarmupSeconds { get; init; }

    /// <summary>Share of requests that are gets (the rest are sets).</summary>
    public double GetRatio { get; init; } = 0.9;

    /// <summary>Bytes per value.</summary>
    public int ValueSize { get; init; } = 100;

    /// <summary>The keys, all set before the run.</summary>
    public required IReadOnlyList<string> Keys { get; init; }

    /// <summary>Keys per multi-get; 0 for single gets.</summary>
    public int MultiGet { get; init; }

    /// <summary>Keys named <paramref name="prefix"/> and 14 digits (with "k:", 16 bytes: memcaslap's key length).</summary>
    public static string[] KeyNames(int count, string prefix)
    {
        var keys = new string[count];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = prefix + i.ToString("D14", CultureInfo.InvariantCulture);
        }

        return keys;
    }
}

/// <summary>Where a run stands, for a progress line or the final summary.</summary>
/// <param name="Elapsed">Time measured so far.</param>
/// <param name="Requests">Requests completed while measuring.</param>
/// <param name="Units">Operations (keys, in multi-get mode) completed while measuring.</param>
/// <param name="Errors">Requests that failed while measuring.</param>
/// <param name="Latency">The latencies of <paramref name="Requests"/>.</param>
/// <param name="Stopped">Whether the run was stopped (Ctrl-C) before its duration.</param>
internal sealed record LoadProgress(TimeSpan Elapsed, long Requests, long Units, long Errors, Histogram Latency, bool Stopped)
{
    /// <summary>Units per second measured.</summary>
    public double UnitsPerSecond => Elapsed.TotalSeconds > 0 ? Units / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Closed loop: N workers each issue one request, wait for it, record its latency and issue the next.
/// Phases: pre-populate every key, warm up (not recorded), measure for the duration or until cancelled.
/// Shared by <c>memstore bench</c> and bench/Memstore.Load.
/// </summary>
internal sealed class LoadEngine
{
    private const int Warmup = 0, Measure = 1, Stop = 2;
    private readonly MemcacheClient _client;
    private readonly LoadSettings _settings;
    private readonly Action<long, Exception>? _onError;
    private readonly byte[] _value;
    private int _phase;
    private long _errors;
    private Worker[] _workers = [];
    private long _measureStart;

    /// <summary>Creates the engine; <paramref name="onError"/> hears of every failed request (its count so far, and the error).</summary>
    public LoadEngine(MemcacheClient client, LoadSettings settings, Action<long, Exception>? onError = null)
    {
        _client = client;
        _settings = settings;
        _onError = onError;
        _value = RandomValue(settings.ValueSize);
    }

    /// <summary>Sets every key; returns how many sets failed.</summary>
    public async Task<long> PopulateAsync(CancellationToken cancellationToken)
    {
        long failed = 0;
        await Parallel.ForEachAsync(
            _settings.Keys,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(16, _settings.Concurrency), CancellationToken = cancellationToken },
            async (key, token) =>
            {
                try
                {
                    await _client.SetAsync(key, _value, cancellationToken: token).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // errors are counted, not fatal
                catch (Exception error)
#pragma warning restore CA1031
                {
                    _onError?.Invoke(Interlocked.Increment(ref failed), error);
                }
            }).ConfigureAwait(false);
        return failed;
    }

    /// <summary>
    /// Warms up, then measures for the duration; <paramref name="cancellationToken"/> ends either early, and the
    /// result covers what was measured until then. <paramref name="onProgress"/> is called every
    /// <paramref name="progressInterval"/> while measuring, and once at its end; <paramref name="onMeasureStart"/> when
    /// the warm-up ends.
    /// </summary>
    public async Task<LoadProgress> RunAsync(
        Action<LoadProgress>? onProgress, TimeSpan progressInterval, CancellationToken cancellationToken, Action? onMeasureStart = null)
    {
        Volatile.Write(ref _phase, Warmup);
        _workers = [.. Enumerable.Range(0, _settings.Concurrency).Select(i => new Worker(this, (i * 7919) + 17))];
        Task[] tasks = [.. _workers.Select(w => Task.Run(w.RunAsync, CancellationToken.None))];
        bool stopped = false;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(_settings.WarmupSeconds), cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref _errors, 0);
            onMeasureStart?.Invoke();
            _measureStart = Stopwatch.GetTimestamp();
            Volatile.Write(ref _phase, Measure);
            var end = TimeSpan.FromSeconds(_settings.DurationSeconds);
            while (Stopwatch.GetElapsedTime(_measureStart) is var elapsed && elapsed < end)
            {
                TimeSpan wait = end - elapsed < progressInterval ? end - elapsed : progressInterval;
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                onProgress?.Invoke(Snapshot(stopped: false));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stopped = true;
        }

        // Nothing completing after Stop is recorded, so once the workers are done the figures are exact.
        TimeSpan measured = _measureStart == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_measureStart);
        Volatile.Write(ref _phase, Stop);
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return Snapshot(stopped, measured);
    }

    /// <summary>The figures measured so far (read while the workers run: close enough for a progress line).</summary>
    private LoadProgress Snapshot(bool stopped, TimeSpan? elapsed = null)
    {
        var latency = new Histogram();
        long units = 0;
        foreach (Worker worker in _workers)
        {
            latency.Add(worker.Latency);
            units += Volatile.Read(ref worker.Units);
        }

        return new LoadProgress(elapsed ?? Stopwatch.GetElapsedTime(_measureStart), latency.Count, units, Interlocked.Read(ref _errors), latency, stopped);
    }

    private static byte[] RandomValue(int size)
    {
        var value = new byte[size];
        Random.Shared.NextBytes(value);
        return value;
    }

    private sealed class Worker(LoadEngine engine, int seed)
    {
        private readonly Random _random = new(seed);
        private readonly ArrayBufferWriter<byte> _buffer = new(Math.Max(256, engine._value.Length * 2));
        private readonly string[] _batch = new string[Math.Max(1, engine._settings.MultiGet)];

        /// <summary>Operations (or keys, in multi-get mode) completed while measuring.</summary>
        public long Units;

        public Histogram Latency { get; } = new();

        public async Task RunAsync()
        {
            LoadSettings settings = engine._settings;
            IReadOnlyList<string> keys = settings.Keys;
            while (true)
            {
                int phase = Volatile.Read(ref engine._phase);
                if (phase == Stop)
                {
                    return;
                }

                bool isGet = settings.GetRatio >= 1 || _random.NextDouble() < settings.GetRatio;
                long start = Stopwatch.GetTimestamp();
                int units = 1;
                try
                {
                    if (!isGet)
                    {
                        await engine._client.SetAsync(keys[_random.Next(keys.Count)], engine._value).ConfigureAwait(false);
                    }
                    else if (settings.MultiGet > 0)
                    {
                        for (int i = 0; i < _batch.Length; i++)
                        {
                            _batch[i] = keys[_random.Next(keys.Count)];
                        }

                        await engine._client.GetManyAsync(_batch).ConfigureAwait(false);
                        units = settings.MultiGet;
                    }
                    else
                    {
                        _buffer.ResetWrittenCount();
                        await engine._client.GetAsync(keys[_random.Next(keys.Count)], _buffer).ConfigureAwait(false);
                    }
                }
#pragma warning disable CA1031 // errors are counted, not fatal
                catch (Exception error)
#pragma warning restore CA1031
                {
                    if (phase == Measure)
                    {
                        engine._onError?.Invoke(Interlocked.Increment(ref engine._errors), error);
                    }

                    continue;
                }

                if (phase == Measure && Volatile.Read(ref engine._phase) == Measure)
                {
                    Latency.Record((long)Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                    Volatile.Write(ref Units, Units + units);
                }
            }
        }
    }
}
