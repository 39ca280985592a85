using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Telemetry;

/// <summary>
/// Metrics and spans observed with MeterListener and ActivityListener. Other tests run in parallel and
/// record into the same Meter, so every assertion filters on this test's own server port.
/// </summary>
[Collection(TelemetryTestGroup.Name)]
[Trait("Category", "Memcached")]
public sealed class TelemetryTests
{
    private sealed record Measured(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();

        public Recorder()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == MemstoreTelemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
            _listener.Start();
        }

        public ConcurrentQueue<Measured> All { get; } = new();

        public void Observe() => _listener.RecordObservableInstruments();

        public List<Measured> For(string instrument, int port) =>
            All.Where(m => m.Instrument == instrument && Equals(m.Tags.GetValueOrDefault("server.port"), port)).ToList();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            All.Enqueue(new Measured(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

        public void Dispose() => _listener.Dispose();
    }

    private sealed class SpanRecorder : IDisposable
    {
        private readonly ActivityListener _listener;

        public SpanRecorder()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == MemstoreTelemetry.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = Spans.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public ConcurrentQueue<Activity> Spans { get; } = new();

        public List<Activity> For(int port) => Spans.Where(a => Equals(a.GetTagItem("server.port"), port)).ToList();

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>Waits until the connection is open, so a short operation timeout does not include the connect.</summary>
    private static async Task WarmUpAsync(MemcacheClient client)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await client.PingAsync();
                return;
            }
            catch (MemcacheException) when (attempt < 50)
            {
                await Task.Delay(50);
            }
        }
    }

    [Fact]
    public async Task Operations_durations_and_outcomes_are_counted()
    {
        await using var server = await MemcachedServer.StartAsync();
        using var recorder = new Recorder();
        await using var client = MemcacheClient.Create(server.ConnectionString);
        var key = TestKeys.Unique();
        await client.SetAsync(key, "v");
        await client.GetAsync(key);
        await client.GetAsync(TestKeys.Unique());
        await client.DeleteAsync(key);

        var operations = recorder.For(MemstoreTelemetry.Operations, server.Port);
        Assert.Equal(["set:stored", "get:hit", "get:miss", "delete:ok"],
            operations.Select(m => $"{m.Tags["db.operation.name"]}:{m.Tags["memstore.outcome"]}"));
        Assert.All(operations, m =>
        {
            Assert.Equal("memcached", m.Tags["db.system.name"]);
            Assert.Equal("127.0.0.1", m.Tags["server.address"]);
            Assert.Equal("default", m.Tags["memstore.client.name"]);
        });
        var durations = recorder.For(MemstoreTelemetry.OperationDuration, server.Port);
        Assert.Equal(4, durations.Count);
        Assert.All(durations, m => Assert.InRange(m.Value, 0, 5));
        Assert.Empty(recorder.For(MemstoreTelemetry.Errors, server.Port));
    }

    [Fact]
    public async Task Timeouts_and_connection_errors_are_counted_by_kind()
    {
        await using var server = await MemcachedServer.StartAsync();
        using var recorder = new Recorder();
        await using var client = new MemcacheClient(new MemcacheClientOptions
        {
            Servers = { server.Address },
            OperationTimeout = TimeSpan.FromMilliseconds(200),
            ServerFailureLimit = 100,
            ServerTimeoutLimit = 0, // calls after the kill must reach the connection, not be refused as to a silent server
        });
        await WarmUpAsync(client);
        server.Pause();
        await Assert.ThrowsAsync<MemcacheTimeoutException>(() => client.GetAsync(TestKeys.Unique()).AsTask());
        server.Resume();
        await server.KillAsync();
        await Assert.ThrowsAnyAsync<MemcacheException>(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await client.GetAsync(TestKeys.Unique());
                await Task.Delay(20);
            }
        });

        var errors = recorder.For(MemstoreTelemetry.Errors, server.Port);
        Assert.Contains(errors, m => (string)m.Tags["error.type"]! == "timeout" && (string)m.Tags["db.operation.name"]! == "get");
        Assert.Contains(errors, m => (string)m.Tags["error.type"]! == "connection");
        Assert.Single(recorder.For(MemstoreTelemetry.Timeouts, server.Port));
        Assert.Contains(recorder.For(MemstoreTelemetry.Operations, server.Port), m => (string)m.Tags["memstore.outcome"]! == "error");
        var events = recorder.For(MemstoreTelemetry.ConnectionEvents, server.Port).Select(m => (string)m.Tags["memstore.connection.event"]!).ToList();
        Assert.Contains("connected", events);
        Assert.Contains("lost", events);
    }

    [Fact]
    public async Task Queue_depth_and_server_health_are_observable_gauges()
    {
        await using var up = await MemcachedServer.StartAsync();
        var down = new ServerAddress("127.0.0.1", MemcachedServer.RefusingPort());
        using var recorder = new Recorder();
        await using var client = new MemcacheClient(new MemcacheClientOptions
        {
            Servers = { up.Address, down },
            ServerFailureLimit = 1,
            DeadTime = TimeSpan.FromMinutes(1),
        });
        await client.PingAsync().AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
        var deadline = Stopwatch.StartNew();
        while (client.ServerHealth[down] && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(20);
        }
        recorder.Observe();
        Assert.Equal(1, recorder.For(MemstoreTelemetry.ServerHealth, up.Port).Last().Value);
        Assert.Equal(0, recorder.For(MemstoreTelemetry.ServerHealth, down.Port).Last().Value);
        Assert.Equal(0, recorder.For(MemstoreTelemetry.QueueDepth, up.Port).Last().Value);

        up.Pause();
        var keys = Enumerable.Range(0, 100).Select(_ => TestKeys.Unique("q")).Where(k => client.Locate(k) == up.Address).Take(5);
        var pending = keys.Select(k => client.GetAsync(k).AsTask()).ToList();
        var queued = recorder.All.Count;
        recorder.Observe();
        Assert.Equal(5, recorder.All.Skip(queued).Single(m => m.Instrument == MemstoreTelemetry.QueueDepth && Equals(m.Tags["server.port"], up.Port)).Value);
        up.Resume();
        await Task.WhenAll(pending);
    }

    [Fact]
    public async Task Spans_follow_the_database_client_conventions_and_carry_no_key_by_default()
    {
        await using var server = await MemcachedServer.StartAsync();
        using var spans = new SpanRecorder();
        await using var client = MemcacheClient.Create(server.ConnectionString);
        using (var parent = new ActivitySource("test").StartActivity("parent"))
        {
            await client.SetAsync(TestKeys.Unique("secret"), "value");
        }
        var span = Assert.Single(spans.For(server.Port));
        Assert.Equal("set", span.DisplayName);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal("memcached", span.GetTagItem("db.system.name"));
        Assert.Equal("set", span.GetTagItem("db.operation.name"));
        Assert.Equal("set", span.GetTagItem("db.query.summary"));
        Assert.Equal("127.0.0.1", span.GetTagItem("server.address"));
        Assert.Equal("stored", span.GetTagItem("memstore.outcome"));
        Assert.Null(span.GetTagItem("db.query.text"));
        Assert.DoesNotContain(span.TagObjects, t => t.Value is string s && (s.Contains("secret", StringComparison.Ordinal) || s.Contains("value", StringComparison.Ordinal)));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
    }

    [Fact]
    public async Task Keys_are_recorded_only_when_the_user_opts_in_and_failures_mark_the_span()
    {
        await using var server = await MemcachedServer.StartAsync();
        using var spans = new SpanRecorder();
        await using var client = new MemcacheClient(new MemcacheClientOptions
        {
            Servers = { server.Address },
            RecordKeysInTraces = true,
            OperationTimeout = TimeSpan.FromMilliseconds(200),
        });
        await WarmUpAsync(client);
        spans.Spans.Clear();
        await client.GetAsync("user:42");
        server.Pause();
        await Assert.ThrowsAsync<MemcacheTimeoutException>(() => client.GetAsync("user:43").AsTask());
        server.Resume();
        var recorded = spans.For(server.Port);
        Assert.Equal("get user:42", recorded[0].GetTagItem("db.query.text"));
        Assert.Equal("miss", recorded[0].GetTagItem("memstore.outcome"));
        Assert.Equal(ActivityStatusCode.Error, recorded[1].Status);
        Assert.Equal("timeout", recorded[1].GetTagItem("error.type"));
        Assert.Equal("timeout", recorded[1].StatusDescription);
    }

    [Fact]
    public async Task Getting_into_a_caller_buffer_allocates_nothing_without_listeners()
    {
        await using var server = await MemcachedServer.StartAsync();
        await using var client = MemcacheClient.Create(server.ConnectionString);
        const string key = "alloc:probe";
        await client.SetAsync(key, new byte[100]);
        var allocated = -1L;
        var thread = new Thread(() =>
        {
            var writer = new ArrayBufferWriter<byte>(256);
            void Run(int times)
            {
                for (var i = 0; i < times; i++)
                {
                    writer.ResetWrittenCount();
                    var pending = client.GetAsync(key, writer);
                    var spin = new SpinWait();
                    while (!pending.IsCompleted)
                    {
                        spin.SpinOnce(sleep1Threshold: -1);
                    }
                    pending.GetAwaiter().GetResult();
                }
            }
            Run(2000); // warm the pools
            var before = GC.GetAllocatedBytesForCurrentThread();
            Run(2000);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        // The collection runs alone, so no other test's listener switches the client to the measured path.
        Assert.False(Memstore.Telemetry.MemstoreInstruments.OperationsObserved);
        thread.Start();
        thread.Join();
        Assert.True(allocated < 2000 * 8, $"2000 gets into a caller buffer allocated {allocated} bytes on the calling thread");
    }
}

/// <summary>Telemetry tests attach process-wide listeners: they run alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryTestGroup
{
    public const string Name = "Telemetry";
}
