using System.Diagnostics.Metrics;
using System.Text;
using Memstore.Mcas;
using Memstore.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

using static Memstore.Tests.Mcas.McasRequestLines;

namespace Memstore.Tests.Mcas;

/// <summary>
/// Forced interleavings for the two wave savings of docs/mcas.md 4.2 and 4.3: the owner returns right after the
/// decide with its releases queued (a held, or failed, background release), and the descriptor travels with the
/// first marker (an add that is refused, dropped or cut off). Two servers, each behind a <see cref="HoldingProxy"/>;
/// every participant connects through the proxies so that all place keys alike.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class FewerWavesTests(ThreeServerFixture cluster) : ProxiedMcasTests(cluster), IClassFixture<ThreeServerFixture>
{
    [Fact]
    public async Task The_owner_returns_before_its_release_and_deletes_the_descriptor_only_after_the_release_was_answered()
    {
        var (p1, p2) = Proxies();
        var owner = NewMcas(p1, p2);
        var reader = NewMcas(p1, p2);
        var (k1, k2) = KeysOn(owner.Client, p1, p2);
        var (k3, k4) = KeysOn(owner.Client, p1, p1);
        foreach (var (key, value) in new[] { (k1, "a0"), (k2, "b0"), (k3, "c0"), (k4, "d0") })
        {
            await reader.Client.SetAsync(key, value);
        }
        var entries = await owner.GetManyAsync([k1, k2]);
        var held = p2.HoldNext(line => IsRelease(line, k2));

        Assert.True(await owner.CompareAndSwapAsync([McasUpdate.Set(entries[0], Utf8("a1")), McasUpdate.Set(entries[1], Utf8("b1"))]).AsTask().WaitAsync(Wait));
        await held.Reached.WaitAsync(Wait);                       // returned while the release of k2 is held
        var descriptorKey = await DescriptorOfMarkerAsync(S2, k2);
        Assert.StartsWith("VA", await S1.RawAsync($"mg {descriptorKey} v\r\n"), StringComparison.Ordinal); // with k1, on S1

        // The owner's next operation (keys on S1 only) runs and cleans up, but not the descriptor still waiting for k2.
        var next = await owner.GetManyAsync([k3, k4]);
        Assert.Equal("a1", Text(await owner.GetAsync(k1)));
        Assert.True(await owner.CompareAndSwapAsync([McasUpdate.Set(next[0], Utf8("c1")), McasUpdate.Set(next[1], Utf8("d1"))]));
        Assert.Equal("c1", Text(await owner.GetAsync(k3)));
        Assert.StartsWith("VA", await S1.RawAsync($"mg {descriptorKey} v\r\n"), StringComparison.Ordinal);
        var flush = owner.FlushAsync().AsTask();
        await Task.Delay(200);
        Assert.False(flush.IsCompleted);                          // FlushAsync waits for the held release

        Assert.Equal("b1", Text(await reader.GetAsync(k2)));         // a reader meets the recorded marker and releases it
        held.Release();                                           // the owner's release arrives late: EX, harmless
        await flush.WaitAsync(Wait);
        Assert.StartsWith("EN", await S1.RawAsync($"mg {descriptorKey} v\r\n"), StringComparison.Ordinal);
        Assert.Equal(["a1", "b1", "c1", "d1"], (await reader.GetManyAsync([k1, k2, k3, k4])).Select(Text));
        await AssertNoMarkerAsync(k1, k2, k3, k4);
    }

    [Fact]
    public async Task A_background_release_that_fails_is_counted_logged_and_finished_by_the_owners_client()
    {
        var (p1, p2) = Proxies();
        var log = new CapturingLoggerFactory();
        var owner = NewMcas(p1, p2, log);
        var (k1, k2) = await SeededKeysOnAsync(owner.Client, p1, p2);
        var entries = await owner.GetManyAsync([k1, k2]);
        p2.CloseInstead(line => IsRelease(line, k2)).Release();  // the release never arrives; its connection drops
        using var failures = new MetricCount("memstore.mcas.background_failures");
        using var finishes = new MetricCount("memstore.mcas.background_finishes");
        var lostRelease = new TaskCompletionSource<WriteFailedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        owner.Client.WriteFailed += (_, e) =>
        {
            if (e.Key == k2)
            {
                lostRelease.TrySetResult(e);
            }
        };

        Assert.True(await owner.CompareAndSwapAsync([McasUpdate.Set(entries[0], Utf8("a1")), McasUpdate.Set(entries[1], Utf8("b1"))]));
        await owner.FlushAsync().AsTask().WaitAsync(Wait);        // waits for the failed release and for the finishing

        Assert.True(failures.Count >= 1);
        Assert.True(finishes.Count >= 1);
        // The lost release is reported as what it was: a CAS'd write of k2 (WriteFailed is raised on the pool, so wait for it).
        Assert.Equal("cas", (await lostRelease.Task.WaitAsync(Wait)).Operation);
        Assert.Contains(log.Messages, m => m.Level == LogLevel.Warning && m.Text.Contains("background release", StringComparison.Ordinal));
        Assert.Contains(log.Messages, m => m.Text.Contains("finished by its owner's client", StringComparison.Ordinal));
        await AssertNoMarkerAsync(k1, k2);                        // no reader was needed: plain reads see the new values
        Assert.Equal("a1", (await owner.Client.GetAsync(k1)).AsString());
        Assert.Equal("b1", (await owner.Client.GetAsync(k2)).AsString());
    }

    [Fact]
    public async Task A_reader_finishes_first_when_the_owners_finishing_is_held_and_the_late_finish_changes_nothing()
    {
        var (p1, p2) = Proxies();
        var owner = NewMcas(p1, p2);
        var reader = NewMcas(p1, p2);
        var (k1, k2) = await SeededKeysOnAsync(owner.Client, p1, p2);
        var entries = await owner.GetManyAsync([k1, k2]);
        p2.CloseInstead(line => IsRelease(line, k2)).Release();
        var finishing = p1.HoldNext(IsDescriptorRead); // its descriptor load

        Assert.True(await owner.CompareAndSwapAsync([McasUpdate.Set(entries[0], Utf8("a1")), McasUpdate.Set(entries[1], Utf8("b1"))]));
        var descriptorKey = (await finishing.Reached.WaitAsync(Wait)).Split(' ')[1];
        Assert.Equal(descriptorKey, await DescriptorOfMarkerAsync(S2, k2)); // k2 still holds the recorded marker
        Assert.Equal("b1", Text(await reader.GetAsync(k2)));         // the reader finishes the release
        var moved = await reader.GetManyAsync([k1, k2]);
        Assert.True(await reader.CompareAndSwapAsync([McasUpdate.Set(moved[0], Utf8("a2")), McasUpdate.Delete(moved[1])]));
        await reader.FlushAsync();
        finishing.Release();                                      // the owner's finishing arrives late
        await owner.FlushAsync().AsTask().WaitAsync(Wait);

        Assert.Equal("a2", Text(await reader.GetAsync(k1)));         // its releases' tokens were spent
        Assert.False((await reader.GetAsync(k2)).Exists);
        await AssertNoMarkerAsync(k1, k2);
    }

    [Fact]
    public async Task Disposing_the_owner_stops_its_finishing_and_a_reader_finishes_the_operation()
    {
        var (p1, p2) = Proxies();
        var log = new CapturingLoggerFactory();
        var owner = NewMcas(p1, p2, log);
        var reader = NewMcas(p1, p2);
        var (k1, k2) = await SeededKeysOnAsync(owner.Client, p1, p2);
        var entries = await owner.GetManyAsync([k1, k2]);
        p2.CloseInstead(line => IsRelease(line, k2)).Release();
        var finishing = p1.HoldNext(IsDescriptorRead);

        Assert.True(await owner.CompareAndSwapAsync([McasUpdate.Set(entries[0], Utf8("a1")), McasUpdate.Set(entries[1], Utf8("b1"))]));
        await finishing.Reached.WaitAsync(Wait);
        await owner.DisposeAsync().AsTask().WaitAsync(Wait);      // does not wait for the held load: it stops the finishing
        Assert.Contains(log.Messages, m => m.Level == LogLevel.Warning && m.Text.Contains("stopped finishing", StringComparison.Ordinal));
        finishing.Release();

        Assert.Equal(["a1", "b1"], (await reader.GetManyAsync([k1, k2])).Select(Text));
        await AssertNoMarkerAsync(k1, k2);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_descriptor_add_refused_after_its_first_marker_went_in_puts_the_marker_back(bool firstKeyPresent)
    {
        var (p1, p2) = Proxies();
        var log = new CapturingLoggerFactory();
        var owner = NewMcas(p1, p2, log);
        var reader = NewMcas(p1, p2);
        var (k1, k2) = KeysOn(owner.Client, p1, p2);
        if (firstKeyPresent)
        {
            await reader.Client.SetAsync(k1, "a0");
        }
        await reader.Client.SetAsync(k2, "b0");
        var id = FreshIdWith(owner.Client, k1);                  // the add and k1's marker go out together
        var descriptorKey = "memstore:mcas:" + id;
        await reader.Client.SetAsync(descriptorKey, "taken");    // so the add answers NS, the marker behind it HD
        owner.DescriptorIdForTesting = () => id;
        var entries = await owner.GetManyAsync([k1, k2]);

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await owner.CompareAndSwapAsync([McasUpdate.Set(entries[0], Utf8("a1")), McasUpdate.Set(entries[1], Utf8("b1"))]));

        Assert.Contains(log.Messages, m => m.Text.Contains("the marker was put back", StringComparison.Ordinal)); // it was installed, then undone
        var k1Now = await reader.GetAsync(k1);                   // no marker, no corruption: what it was
        Assert.Equal(firstKeyPresent, k1Now.Exists);
        if (firstKeyPresent)
        {
            Assert.Equal("a0", Text(k1Now));
        }
        Assert.Equal("b0", Text(await reader.GetAsync(k2)));
        await AssertNoMarkerAsync(k1, k2);
    }

    [Fact]
    public async Task A_descriptor_add_refused_puts_back_every_marker_that_went_in_behind_it()
    {
        // Both keys live with the descriptor, so both markers ride behind the add (format 3) and both go in.
        var (p1, p2) = Proxies();
        var log = new CapturingLoggerFactory();
        var owner = NewMcas(p1, p2, log);
        var reader = NewMcas(p1, p2);
        var (k1, k2) = KeysOn(owner.Client, p1, p1);
        await reader.Client.SetAsync(k2, "b0");                  // k1 absent, k2 present: an add and a CAS'd set
        var id = FreshIdWith(owner.Client, k1);
        await reader.Client.SetAsync("memstore:mcas:" + id, "taken");
        owner.DescriptorIdForTesting = () => id;
        var entries = await owner.GetManyAsync([k1, k2]);

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await owner.CompareAndSwapAsync([McasUpdate.Set(entries[0], Utf8("a1")), McasUpdate.Set(entries[1], Utf8("b1"))]));

        Assert.Equal(2, log.Messages.Count(m => m.Text.Contains("the marker was put back", StringComparison.Ordinal)));
        Assert.False((await reader.GetAsync(k1)).Exists);
        Assert.Equal("b0", Text(await reader.GetAsync(k2)));
        await AssertNoMarkerAsync(k1, k2);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_descriptor_add_lost_on_the_wire_is_settled_by_the_owner_or_reported_as_unknown(bool addApplied)
    {
        var (p1, p2) = Proxies();
        var owner = NewMcas(p1, p2);
        var reader = NewMcas(p1, p2);
        var (k1, k2) = await SeededKeysOnAsync(owner.Client, p1, p2);
        var id = FreshIdWith(owner.Client, k1);
        owner.DescriptorIdForTesting = () => id;
        var entries = await owner.GetManyAsync([k1, k2]);
        // Dropped: neither the add nor the marker behind it reaches memcached. Applied: the add does, and the
        // connection dies right after it, before the marker is forwarded.
        var rule = addApplied ? p1.DieAfterSending(IsDescriptorAdd) : p1.CloseInstead(IsDescriptorAdd);
        rule.Release();

        var commit = owner.CompareAndSwapAsync([McasUpdate.Set(entries[0], Utf8("a1")), McasUpdate.Set(entries[1], Utf8("b1"))]).AsTask();

        if (addApplied)
        {
            // The owner settles its own operation: the stored descriptor is helped to its end, so the caller learns the outcome.
            Assert.True(await commit.WaitAsync(Wait));
            await owner.FlushAsync();
            Assert.Equal(["a1", "b1"], (await reader.GetManyAsync([k1, k2])).Select(Text));
        }
        else
        {
            // Nothing to settle: the add may never have been executed, or may yet be. The caller is told so, with the cause.
            var unknown = await Assert.ThrowsAsync<McasOutcomeUnknownException>(() => commit.WaitAsync(Wait));
            Assert.IsType<MemcacheConnectionException>(unknown.InnerException);
            Assert.Equal($"memstore:mcas:{id}", unknown.DescriptorKey);
            await owner.FlushAsync();
            Assert.StartsWith("EN", await S1.RawAsync($"mg memstore:mcas:{id} v\r\n"), StringComparison.Ordinal);
            Assert.Equal(["a0", "b0"], (await reader.GetManyAsync([k1, k2])).Select(Text));
        }
        await AssertNoMarkerAsync(k1, k2);
    }

    private static bool IsDescriptorAdd(string line) =>
        line.StartsWith("ms memstore:mcas:", StringComparison.Ordinal) && line.Split(' ').Contains("ME");

    /// <summary>Counts one counter of the Memstore meter while alive (other tests may add to it: only a lower bound is meaningful).</summary>
    private sealed class MetricCount : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public MetricCount(string name)
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == MemstoreTelemetry.MeterName && instrument.Name == name)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }

    private sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, string Text)> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Enqueue((logLevel, formatter(state, exception)));

        public void Dispose()
        {
        }
    }
}
