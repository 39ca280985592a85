using Memstore.Tests.Infrastructure;
using Memstore.Tests.Mcas;

namespace Memstore.Tests.Client;

/// <summary>
/// With every thread-pool thread blocked (application code that blocks, or a pool slow to add threads on a
/// small machine), replies wait unread in the socket. The timeout thread must not take that for silence: the
/// live server stays in service and its call succeeds once the pool runs again, while the frozen server, whose
/// socket holds nothing, is still marked dead on time. The pool is blocked in a worker process
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
        var finished = false;
        var worker = WorkerProcesses.Start("dotnet", [WorkerProcesses.WorkerPath, "starved", live.ConnectionString, frozen.ConnectionString, "400"], redirectInput: true);
        try
        {
            Assert.Equal("READY", await worker.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
            frozen.Pause();
            await worker.StandardInput.WriteLineAsync("GO");
            await worker.StandardInput.FlushAsync();
            finished = true; // FinishAsync disposes the process, killing it on timeout
            var output = await WorkerProcesses.FinishAsync(worker, TimeSpan.FromSeconds(30));
            Assert.Contains("while starved: live server in service True, frozen server in service False", output, StringComparison.Ordinal);
            Assert.Contains("live call: stored", output, StringComparison.Ordinal);
            Assert.Contains("frozen call: MemcacheTimeoutException", output, StringComparison.Ordinal);
            Assert.Contains("after: live server in service True, frozen server in service False", output, StringComparison.Ordinal);
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
