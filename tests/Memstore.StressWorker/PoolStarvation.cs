using Memstore;

/// <summary>
/// The "starved" mode (tests/Memstore.Tests/Client/PoolStarvationTests.cs): while every thread-pool thread is
/// blocked for three operation timeouts, one call goes to a live server and one to a server the test froze.
/// The client's timeout thread keeps running: it must not take the live server's unread reply for silence (that
/// server stays in service, and its call succeeds once the pool runs again), and it must still mark the frozen
/// server dead, whose socket holds nothing. A third call goes to a frozen server this process kills once the requests
/// are out:
/// its connection's end waits unread like a reply, so that call must fail with the connection's error once the pool
/// runs again, not with a timeout (which would also count towards marking the server dead).
/// Runs in its own process because it shrinks and blocks the process's thread pool.
/// </summary>
internal static class PoolStarvation
{
    public static async Task<int> RunAsync(string live, string frozen, string closed, int closedProcessId, TimeSpan timeout)
    {
        await using var liveClient = new MemcacheClient(Options(live, timeout));
        await using var frozenClient = new MemcacheClient(Options(frozen, timeout));
        await using var closedClient = new MemcacheClient(Options(closed, timeout));
        await liveClient.PingAsync();
        await frozenClient.PingAsync();
        await closedClient.PingAsync();
        Console.WriteLine("READY");
        // The test freezes the second server, then answers.
        if (await Console.In.ReadLineAsync() != "GO")
        {
            return 2;
        }
        // A thread of its own: everything from here to the release must run without a pool thread.
        var (liveCall, frozenCall, closedCall, report) = await Task.Factory.StartNew(
            () => CallWhileStarved(liveClient, frozenClient, closedClient, closedProcessId, timeout), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Console.WriteLine(report);
        try
        {
            var result = await liveCall;
            Console.WriteLine($"live call: {(result.Stored ? "stored" : "not stored")}");
        }
        catch (MemcacheException ex)
        {
            Console.WriteLine($"live call: {ex.GetType().Name}: {ex.Message}");
        }
        try
        {
            await frozenCall;
            Console.WriteLine("frozen call: answered");
        }
        catch (MemcacheException ex)
        {
            Console.WriteLine($"frozen call: {ex.GetType().Name}");
        }
        try
        {
            await closedCall;
            Console.WriteLine("closed call: answered");
        }
        catch (MemcacheException ex)
        {
            Console.WriteLine($"closed call: {ex.GetType().Name}");
        }
        for (var i = 0; i < 100 && frozenClient.ServerHealth.Values.Single(); i++)
        {
            await Task.Delay(50);
        }
        Console.WriteLine($"after: live server in service {liveClient.ServerHealth.Values.Single()}, frozen server in service {frozenClient.ServerHealth.Values.Single()}");
        return 0;
    }

    private static MemcacheClientOptions Options(string server, TimeSpan timeout)
    {
        var options = MemcacheClientOptions.Parse(server);
        options.OperationTimeout = timeout;
        options.ServerTimeoutLimit = 1;
        options.DeadTime = TimeSpan.FromSeconds(30);
        return options;
    }

    private static (Task<StoreResult> Live, Task<StoreResult> Frozen, Task<StoreResult> Closed, string Report) CallWhileStarved(
        MemcacheClient liveClient, MemcacheClient frozenClient, MemcacheClient closedClient, int closedProcessId, TimeSpan timeout)
    {
        var threads = Environment.ProcessorCount;
        ThreadPool.GetMaxThreads(out var maxWorkers, out var maxIo);
        ThreadPool.GetMinThreads(out var minWorkers, out var minIo);
        if (!ThreadPool.SetMinThreads(1, minIo) || !ThreadPool.SetMaxThreads(threads, maxIo))
        {
            throw new InvalidOperationException("could not limit the thread pool");
        }
        using var release = new ManualResetEventSlim();
        using var blocked = new CountdownEvent(threads);
        for (var i = 0; i < threads; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_ =>
            {
                blocked.Signal();
                release.Wait();
            }, null);
        }
        if (!blocked.Wait(TimeSpan.FromSeconds(10)))
        {
            throw new InvalidOperationException("the thread pool did not run the blocking work items");
        }
        // The requests are written inline on this thread; their replies (or silence, or the end of the connection) come
        // while no pool thread can run. The third server, frozen by the test, is killed at once: it never answers, and
        // its connection's end arrives long before the timeout.
        var live = liveClient.SetAsync("starved:live", "v").AsTask();
        var frozen = frozenClient.SetAsync("starved:frozen", "v").AsTask();
        var closed = closedClient.SetAsync("starved:closed", "v").AsTask();
        using (var server = System.Diagnostics.Process.GetProcessById(closedProcessId))
        {
            server.Kill();
        }
        Thread.Sleep(timeout * 3);
        var report = $"while starved: live server in service {liveClient.ServerHealth.Values.Single()}, "
            + $"frozen server in service {frozenClient.ServerHealth.Values.Single()}, "
            + $"closed server in service {closedClient.ServerHealth.Values.Single()}, pool items waiting {ThreadPool.PendingWorkItemCount}";
        release.Set();
        ThreadPool.SetMaxThreads(maxWorkers, maxIo);
        ThreadPool.SetMinThreads(minWorkers, minIo);
        return (live, frozen, closed, report);
    }
}
