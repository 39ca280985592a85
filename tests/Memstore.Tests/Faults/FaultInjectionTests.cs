using Memstore.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Memstore.Tests.Faults;

/// <summary>
/// Sixteen callers against a real memcached behind <see cref="FaultProxy"/>, one fault mode at a time: no
/// call hangs, no caller reads a value it did not write or gets a wrong status, only Memstore's typed
/// exceptions, full recovery once the proxy passes through again, and bounded memory against huge lengths.
/// </summary>
[Collection(FaultTestGroup.Name)]
[Trait("Category", "Memcached")]
public sealed class FaultInjectionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan CallLimit = OperationTimeout + TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan FaultDuration = TimeSpan.FromSeconds(1.2);

    private MemcachedServer _server = null!;
    private FaultProxy _proxy = null!;
    private MemcacheClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await MemcachedServer.StartAsync();
        _proxy = FaultProxy.Start(_server.Port);
        var options = new MemcacheClientOptions
        {
            OperationTimeout = OperationTimeout,
            ConnectTimeout = TimeSpan.FromMilliseconds(500),
            StallTimeout = TimeSpan.FromMilliseconds(300),
            ReconnectDelay = TimeSpan.FromMilliseconds(10),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(100),
            DeadTime = TimeSpan.FromMilliseconds(200),
        };
        options.Servers.Add(_proxy.Address);
        _client = new MemcacheClient(options);
        Assert.Equal(StoreStatus.Stored, (await _client.SetAsync(TestKeys.Unique("warm"), "x")).Status);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _proxy.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData(FaultMode.CloseAfterBytes)]
    [InlineData(FaultMode.Stall)]
    [InlineData(FaultMode.Drip)]
    [InlineData(FaultMode.FlipBytes)]
    [InlineData(FaultMode.Garbage)]
    [InlineData(FaultMode.HalfClose)]
    [InlineData(FaultMode.ExtraReply)]
    [InlineData(FaultMode.LostReply)]
    public async Task Callers_never_read_a_wrong_value_and_recover(FaultMode mode)
    {
        var workload = await RunAsync(mode);
        if (mode != FaultMode.Drip)
        {
            Assert.True(workload.Failures.Sum(f => f.Value) > 0, $"{mode}: no call failed, so the fault did not reach the client");
        }
    }

    [Theory]
    [InlineData(FaultMode.HugeLengthThenClose)]
    [InlineData(FaultMode.HugeLengthThenStall)]
    public async Task A_huge_announced_length_is_refused_without_allocating_it(FaultMode mode)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var committedBefore = GC.GetGCMemoryInfo().TotalCommittedBytes;

        var workload = await RunAsync(mode);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        GC.Collect();
        var committedGrowth = GC.GetGCMemoryInfo().TotalCommittedBytes - committedBefore;
        Assert.True(workload.Failures.ContainsKey(nameof(MemcacheProtocolException)), $"{mode}: no call failed with a protocol error: {Describe(workload)}");
        // One announced value alone would be 1 GiB; the whole run of several hundred calls stays far below.
        Assert.True(allocated < 256L * 1024 * 1024, $"{mode}: {allocated / (1024 * 1024)} MiB allocated during the run");
        Assert.True(committedGrowth < 128L * 1024 * 1024, $"{mode}: committed memory grew by {committedGrowth / (1024 * 1024)} MiB");
        output.WriteLine($"{mode}: allocated {allocated / (1024 * 1024)} MiB, committed growth {committedGrowth / (1024 * 1024)} MiB");
    }

    private async Task<CallerWorkload> RunAsync(FaultMode mode)
    {
        var workload = new CallerWorkload(_client, callers: 16, prefix: TestKeys.Unique(mode.ToString()), CallLimit);
        await workload.RunAsync(TimeSpan.FromMilliseconds(150)); // some confirmed values before the fault
        _proxy.Set(mode, every: 25, closeAfterBytes: 300);
        await workload.RunAsync(FaultDuration);
        _proxy.Set(FaultMode.PassThrough);
        var recovery = await workload.RecoverAsync(TimeSpan.FromSeconds(5));
        await workload.RunAsync(TimeSpan.FromMilliseconds(150)); // and clean traffic after it
        Assert.True(workload.Violations.IsEmpty, $"{mode}: {workload.Violations.Count} violations, e.g.\n{string.Join("\n", workload.Violations.Take(10))}\n{Describe(workload)}");
        Assert.True(workload.Successes > 0, $"{mode}: nothing succeeded");
        Assert.True(recovery < TimeSpan.FromSeconds(5), $"{mode}: recovery took {recovery.TotalMilliseconds:0} ms");
        output.WriteLine($"{mode}: {Describe(workload)}, recovery {recovery.TotalMilliseconds:0} ms");
        return workload;
    }

    private string Describe(CallerWorkload workload) =>
        $"calls {workload.Calls}, succeeded {workload.Successes}, longest {workload.LongestCall.TotalMilliseconds:0} ms, injected {_proxy.Injected}, "
        + $"connections {_proxy.Accepted}, failures: {string.Join(", ", workload.Failures.Select(f => $"{f.Key} {f.Value}"))}";
}

/// <summary>The fault tests measure process-wide allocation and load the machine: they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultTestGroup
{
    public const string Name = "Faults";
}
