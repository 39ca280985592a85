using System.Diagnostics;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Client;

/// <summary>Killed, paused and restarted servers: prompt failures, clear messages, recovery.</summary>
[Trait("Category", "Memcached")]
public sealed class ConnectionFailureTests
{
    private static MemcacheClientOptions Options(MemcachedServer server, int timeoutMs = 1000)
    {
        var options = MemcacheClientOptions.Parse(server.ConnectionString);
        options.OperationTimeout = TimeSpan.FromMilliseconds(timeoutMs);
        options.ReconnectDelay = TimeSpan.FromMilliseconds(20);
        options.MaxReconnectDelay = TimeSpan.FromMilliseconds(200);
        options.DeadTime = TimeSpan.FromMilliseconds(300);
        return options;
    }

    [Fact]
    public async Task Killed_server_fails_in_flight_calls_promptly_and_the_client_recovers_when_it_returns()
    {
        await using var server = await MemcachedServer.StartAsync();
        await using var client = new MemcacheClient(Options(server, timeoutMs: 5000));
        await client.SetAsync("k", "v");

        // Pause so requests pile up in flight, then kill: they must fail with a connection error, not time out.
        server.Pause();
        var inFlight = Enumerable.Range(0, 20).Select(i => client.GetAsync($"k{i}").AsTask()).ToArray();
        await Task.Delay(200);
        var watch = Stopwatch.StartNew();
        await server.KillAsync();
        foreach (var call in inFlight)
        {
            var error = await Assert.ThrowsAsync<MemcacheConnectionException>(() => call);
            Assert.Contains(server.Address.ToString(), error.Message);
            Assert.Contains("in flight", error.Message);
        }
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"in-flight calls took {watch.Elapsed} to fail");

        // While down: calls fail fast rather than hang.
        watch.Restart();
        await Assert.ThrowsAnyAsync<MemcacheException>(async () => await client.GetAsync("k"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"a call to a dead server took {watch.Elapsed}");

        await server.RestartAsync();
        var recovered = await RetryAsync(async () => await client.SetAsync("k", "back"));
        Assert.True(recovered.Stored);
        Assert.Equal("back", (await client.GetAsync("k")).AsString());
    }

    [Fact]
    public async Task Timeout_message_names_server_operation_key_and_queue_counters()
    {
        await using var server = await MemcachedServer.StartAsync();
        var options = Options(server, timeoutMs: 300);
        options.ServerTimeoutLimit = 0; // queue behind the paused server as before: this test is about the late replies
        await using var client = new MemcacheClient(options);
        await client.PingAsync();
        server.Pause();
        try
        {
            var calls = Enumerable.Range(0, 5).Select(i => client.GetAsync($"slow{i}").AsTask()).ToArray();
            var error = await Assert.ThrowsAsync<MemcacheTimeoutException>(() => calls[0]);
            Assert.Equal(server.Address.ToString(), error.Server);
            Assert.Equal("get", error.Operation);
            Assert.Equal("slow0", error.Key);
            Assert.Equal(5, error.InFlightRequests + error.QueuedRequests);
            Assert.True(error.OldestWait >= TimeSpan.FromMilliseconds(300));
            Assert.Contains("slow0", error.Message);
            Assert.Contains(server.Address.ToString(), error.Message);
            Assert.Contains("in flight", error.Message);
            Assert.Contains("oldest waited", error.Message);
            foreach (var call in calls.Skip(1))
            {
                await Assert.ThrowsAsync<MemcacheTimeoutException>(() => call);
            }
        }
        finally
        {
            server.Resume();
        }
        // The late replies are matched to the timed-out requests and dropped; new calls get their own answers.
        await client.SetAsync("after", "fine");
        Assert.Equal("fine", (await client.GetAsync("after")).AsString());
        Assert.False((await client.GetAsync("slow0")).Found);
    }

    [Fact]
    public async Task Stalled_server_connection_is_reset_after_the_stall_timeout()
    {
        await using var server = await MemcachedServer.StartAsync();
        var options = Options(server, timeoutMs: 5000);
        options.StallTimeout = TimeSpan.FromMilliseconds(300);
        await using var client = new MemcacheClient(options);
        await client.PingAsync();
        server.Pause();
        try
        {
            var watch = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<MemcacheConnectionException>(async () => await client.GetAsync("x"));
            Assert.Contains("sent nothing", error.Message);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3));
        }
        finally
        {
            server.Resume();
        }
        Assert.False((await RetryAsync(async () => await client.GetAsync("x"))).Found);
    }

    [Fact]
    public async Task Unreachable_server_fails_fast_with_a_connection_error_naming_it()
    {
        var port = MemcachedServer.RefusingPort();
        var options = MemcacheClientOptions.Parse($"127.0.0.1:{port}");
        options.ReconnectDelay = TimeSpan.FromSeconds(5);
        options.MaxReconnectDelay = TimeSpan.FromSeconds(5);
        await using var client = new MemcacheClient(options);
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<MemcacheConnectionException>(async () => await client.GetAsync("k"));
        Assert.Contains($"127.0.0.1:{port}", error.Message);
        error = await Assert.ThrowsAsync<MemcacheConnectionException>(async () => await client.GetAsync("k"));
        Assert.Contains("unreachable", error.Message);
        Assert.Contains("Next attempt", error.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Cancellation_of_a_waiting_call_does_not_disturb_later_calls()
    {
        await using var server = await MemcachedServer.StartAsync();
        await using var client = new MemcacheClient(Options(server, timeoutMs: 5000));
        await client.PingAsync();
        server.Pause();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var pending = client.GetAsync("a", cancel.Token).AsTask();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        server.Resume();
        await client.SetAsync("a", "value-a");
        Assert.Equal("value-a", (await client.GetAsync("a")).AsString());
    }

    [Fact]
    public async Task Back_pressure_makes_callers_wait_for_room_instead_of_growing_without_bound()
    {
        await using var server = await MemcachedServer.StartAsync();
        var options = Options(server, timeoutMs: 1000);
        options.MaxQueuedRequestsPerConnection = 4;
        options.ServerTimeoutLimit = 0; // about back-pressure: calls must queue behind the paused server
        await using var client = new MemcacheClient(options);
        await client.PingAsync();
        server.Pause();
        try
        {
            var calls = Enumerable.Range(0, 6).Select(i => client.GetAsync($"bp{i}").AsTask()).ToArray();
            var errors = new List<MemcacheTimeoutException>();
            foreach (var call in calls)
            {
                errors.Add(await Assert.ThrowsAsync<MemcacheTimeoutException>(() => call));
            }
            Assert.Contains(errors, e => e.Message.Contains("waiting for room", StringComparison.Ordinal));
        }
        finally
        {
            server.Resume();
        }
        Assert.False((await client.GetAsync("bp0")).Found);
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> action)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await action();
            }
            catch (MemcacheException) when (deadline.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(50);
            }
        }
    }
}
