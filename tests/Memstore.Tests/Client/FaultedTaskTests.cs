using System.Diagnostics;
using System.Text;
using Memstore.Tests.Infrastructure;

// Calls expected to throw before returning are discarded with _ =: there is no ValueTask to await.
#pragma warning disable CA2012

namespace Memstore.Tests.Client;

/// <summary>
/// The rule: a ValueTask-returning method throws synchronously only for the caller's own argument mistakes
/// (ArgumentException and its subtypes InvalidKeyException, ValueTooLargeException, ArgumentNullException,
/// ArgumentOutOfRangeException). Every other failure, whatever the state of servers or client, arrives through
/// the returned task, so <c>var t = client.GetAsync(k); ...; await t</c> inside a try block and
/// <c>.AsTask()</c> both see it.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class FaultedTaskTests
{
    /// <summary>Every single-key and multi-server call shape, each as a function that starts the call and returns its task unawaited.</summary>
    private static IEnumerable<(string Name, Func<MemcacheClient, Func<Task>> Start)> Calls()
    {
        yield return ("GetAsync", c => Deferred(c.GetAsync("k")));
        yield return ("GetAsync(writer)", c => Deferred(c.GetAsync("k", new System.Buffers.ArrayBufferWriter<byte>())));
        yield return ("GetLeaseAsync", c => Deferred(c.GetLeaseAsync("k")));
        yield return ("GetAndTouchAsync", c => Deferred(c.GetAndTouchAsync("k", TimeSpan.FromMinutes(1))));
        yield return ("TouchAsync", c => Deferred(c.TouchAsync("k", TimeSpan.FromMinutes(1))));
        yield return ("SetAsync", c => Deferred(c.SetAsync("k", "v")));
        yield return ("AddAsync", c => Deferred(c.AddAsync("k", Encoding.UTF8.GetBytes("v"))));
        yield return ("CompareAndSetAsync", c => Deferred(c.CompareAndSetAsync("k", Encoding.UTF8.GetBytes("v"), new CasToken(5))));
        yield return ("DeleteAsync", c => Deferred(c.DeleteAsync("k")));
        yield return ("IncrementAsync", c => Deferred(c.IncrementAsync("k", 1, 0)));
        yield return ("DecrementAsync", c => Deferred(c.DecrementAsync("k")));
        yield return ("GetAsync(utf8)", c => Deferred(c.GetAsync("k"u8)));
        yield return ("StoreAsync(utf8)", c => Deferred(c.StoreAsync(StoreMode.Set, "k"u8, "v"u8)));
        yield return ("DeleteAsync(utf8)", c => Deferred(c.DeleteAsync("k"u8)));
        yield return ("GetManyAsync", c => Deferred(c.GetManyAsync(["k", "l"])));
        yield return ("PingAsync", c => Deferred(c.PingAsync()));
        yield return ("GetVersionsAsync", c => Deferred(c.GetVersionsAsync()));
    }

    // Turning the ValueTask into a Task here would hide a synchronous throw inside the factory, so the
    // factory only calls the method; Deferred keeps the ValueTask itself, unawaited, for the check.
    private static Func<Task> Deferred<T>(ValueTask<T> task) => async () => await task;

    private static Func<Task> Deferred(ValueTask task) => async () => await task;

    /// <summary>Starts each call outside any handler (it must not throw), awaits it later, and does the same through AsTask.</summary>
    private static async Task AssertEveryCallFaults<TException>(MemcacheClient client) where TException : Exception
    {
        foreach (var (name, start) in Calls())
        {
            Func<Task> awaitLater = null!;
            var thrown = Record.Exception(() => { awaitLater = start(client); });
            Assert.True(thrown is null, $"{name} threw synchronously: {thrown}");
            await Task.Yield();
            var error = await Record.ExceptionAsync(awaitLater);
            // Ping and versions address every server's connection directly: a dead or down one fails them
            // with its connection error; what matters here is that it comes through the task.
            var everywhere = name is "PingAsync" or "GetVersionsAsync";
            Assert.True(error is TException || (everywhere && error is MemcacheException), $"{name} faulted with {error?.GetType().Name ?? "nothing"}, expected {typeof(TException).Name}: {error?.Message}");
        }
        // .AsTask() of a call made directly: the conversion must not throw either.
        Task? asTask = null;
        var direct = Record.Exception(() => { asTask = client.GetAsync("k").AsTask(); });
        Assert.Null(direct);
        await Assert.ThrowsAsync<TException>(() => asTask!);
        var setTask = Record.Exception(() => { asTask = client.SetAsync("k", "v").AsTask(); });
        Assert.Null(setTask);
        await Assert.ThrowsAsync<TException>(() => asTask!);
    }

    [Fact]
    public async Task A_dead_servers_ServerUnavailableException_arrives_through_the_task()
    {
        var options = MemcacheClientOptions.Parse($"127.0.0.1:{MemcachedServer.RefusingPort()}");
        options.ServerFailureLimit = 1;
        options.DeadTime = TimeSpan.FromMinutes(1);
        await using var client = new MemcacheClient(options);
        var deadline = Stopwatch.StartNew();
        while (client.ServerHealth.Values.Single() && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(20);
        }
        Assert.False(client.ServerHealth.Values.Single());
        await AssertEveryCallFaults<ServerUnavailableException>(client);
    }

    [Fact]
    public async Task An_unreachable_servers_MemcacheConnectionException_arrives_through_the_task()
    {
        var options = MemcacheClientOptions.Parse($"127.0.0.1:{MemcachedServer.RefusingPort()}");
        options.ServerFailureLimit = 1000;
        options.ReconnectDelay = TimeSpan.FromSeconds(30);
        options.MaxReconnectDelay = TimeSpan.FromSeconds(30);
        await using var client = new MemcacheClient(options);
        // The first connect attempt fails at once (nothing listens); from then on the connection is down.
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            var error = await Record.ExceptionAsync(async () => await client.GetAsync("k"));
            if (error is MemcacheConnectionException { Message: var m } && m.Contains("unreachable", StringComparison.Ordinal))
            {
                break;
            }
            await Task.Delay(20);
        }
        await AssertEveryCallFaults<MemcacheConnectionException>(client);
    }

    [Fact]
    public async Task A_disposed_clients_ObjectDisposedException_arrives_through_the_task()
    {
        var client = MemcacheClient.Create($"127.0.0.1:{MemcachedServer.RefusingPort()}");
        await client.DisposeAsync();
        await AssertEveryCallFaults<ObjectDisposedException>(client);
    }

    [Fact]
    public async Task A_silent_servers_refusal_arrives_through_the_task()
    {
        await using var server = await MemcachedServer.StartAsync();
        var options = MemcacheClientOptions.Parse(server.ConnectionString);
        options.OperationTimeout = TimeSpan.FromMilliseconds(300);
        options.ServerTimeoutLimit = 1000; // refused, not yet marked dead: the refusal itself is what is checked
        await using var client = new MemcacheClient(options);
        await client.PingAsync();
        server.Pause();
        try
        {
            await Assert.ThrowsAsync<MemcacheTimeoutException>(async () => await client.GetAsync("first"));
            // Ping and versions go to every server without routing by key; here they would simply time out.
            foreach (var (name, start) in Calls().Where(c => c.Name is not ("PingAsync" or "GetVersionsAsync")))
            {
                Func<Task> awaitLater = null!;
                Assert.Null(Record.Exception(() => { awaitLater = start(client); }));
                var error = await Record.ExceptionAsync(awaitLater);
                Assert.True(error is MemcacheTimeoutException { Message: var m } && m.Contains("without being sent", StringComparison.Ordinal), $"{name}: {error}");
            }
        }
        finally
        {
            server.Resume();
        }
    }

    [Fact]
    public async Task Argument_mistakes_are_thrown_by_the_call_itself()
    {
        await using var server = await MemcachedServer.StartAsync();
        await using var client = MemcacheClient.Create(server.ConnectionString);
        await client.PingAsync(); // connected and probed, so the server's item size is known
        Assert.Throws<InvalidKeyException>(() => { _ = client.GetAsync("has space"); });
        Assert.Throws<InvalidKeyException>(() => { _ = client.SetAsync(new string('k', 251), "v"); });
        Assert.Throws<ValueTooLargeException>(() => { _ = client.SetAsync("k", new byte[2 * 1024 * 1024]); });
        Assert.Throws<ValueTooLargeException>(() => { _ = client.SetAsync("k", new byte[1024 * 1024]); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = client.SetAsync("k", "v", TimeSpan.FromDays(365 * 50)); });
        Assert.Throws<ArgumentNullException>(() => { _ = client.GetAsync((string)null!); });
        Assert.Throws<ArgumentException>(() => { _ = client.CompareAndSetAsync("k", new byte[1], CasToken.None); });
    }
}
