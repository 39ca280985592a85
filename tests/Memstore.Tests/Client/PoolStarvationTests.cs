using System.Globalization;
using Memstore.Tests.Infrastructure;
using Memstore.Tests.Mcas;

namespace Memstore.Tests.Client;

/// <summary>
/// With every thread-pool thread blocked (application code that blocks, or a pool slow to add threads on a
/// small machine), replies wait unread in the socket. The timeout thread must not take that for silence: the
/// live server stays in service and its call succeeds once the pool runs again, while the frozen server, whose
/// socket holds nothing, is still marked dead on time. A connection closed by its server (frozen, then killed by the
/// worker once the request is out) holds no bytes either, but its end waits unread: that call fails with the connection's error, not a timeout.
/// The pool is blocked in a worker process
/// (tests/Memstore.StressWorker, mode "starved"), not in the test host.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class PoolStarvationTests
{
    [Fact]
    public async Task Replies_are_read_and_timeouts_enforced_while_the_thread_pool_is_blocked()
    {
        await using var live = await MemcachedServer.StartAsync();
        await using var frozen = await MemcachedServer.StartAsync();
        await using var closed = await MemcachedServer.StartAsync();
        var finished = false;
        var worker = WorkerProcesses.Start("dotnet",
            [WorkerProcesses.WorkerPath, "starved", live.ConnectionString, frozen.ConnectionString, closed.ConnectionString, closed.ProcessId.ToString(CultureInfo.InvariantCulture), "400"],
            redirectInput: true);
        try
        {
            Assert.Equal("READY", await worker.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
            frozen.Pause();
            closed.Pause(); // the worker kills it once the request is out, so it dies without answering it
            await worker.StandardInput.WriteLineAsync("GO");
            await worker.StandardInput.FlushAsync();
            finished = true; // FinishAsync disposes the process, killing it on timeout
            var output = await WorkerProcesses.FinishAsync(worker, TimeSpan.FromSeconds(30));
            Assert.True(output.Contains("while starved: live server in service True, frozen server in service False, closed server in service True", StringComparison.Ordinal), output);
            Assert.True(output.Contains("live call: stored", StringComparison.Ordinal), output);
            Assert.True(output.Contains("frozen call: MemcacheTimeoutException", StringComparison.Ordinal), output);
            Assert.True(output.Contains("closed call: MemcacheConnectionException", StringComparison.Ordinal), output);
            Assert.True(output.Contains("after: live server in service True, frozen server in service False", StringComparison.Ordinal), output);
        }
        finally
        {
            frozen.Resume();
            if (!finished)
            {
                await WorkerProcesses.KillAsync(worker);
            }
        }
    }
}
