using Memstore.Mcas;
using Memstore.Tests.Infrastructure;

using static Memstore.Tests.Mcas.McasRequestLines;

namespace Memstore.Tests.Mcas;

/// <summary>
/// docs/mcas.md 4.2, "When the owner's own request fails": a request of an operation fails before the owner returns
/// (here its decide is dropped and its connection closed, or the caller cancels), so the outcome is unknown to the
/// owner although the descriptor may be stored. The owner settles it as any participant would and returns the real
/// outcome; when it cannot read the descriptor it says the outcome is unknown and finishes the operation in the
/// background. Two servers behind <see cref="HoldingProxy"/>s; the descriptor lives with the first key.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class SettleAfterFailureTests(ThreeServerFixture cluster) : ProxiedMcasTests(cluster), IClassFixture<ThreeServerFixture>
{
    [Fact]
    public async Task A_lost_decide_is_settled_by_the_owner_who_returns_the_outcome()
    {
        var (p1, p2) = Proxies();
        var log = new LogCapture();
        var owner = NewMcas(p1, p2, log);
        var (k1, k2) = await SeededKeysOnAsync(owner.Client, p1, p2);
        var entries = await owner.GetManyAsync([k1, k2]);
        p1.CloseInstead(IsDecide).Release();                       // the decide never arrives; its connection drops

        Assert.True(await owner.CompareAndSwapAsync([McasUpdate.Set(entries[0], Utf8("a1")), McasUpdate.Set(entries[1], Utf8("b1"))]).AsTask().WaitAsync(Wait));
        await owner.FlushAsync();

        Assert.Contains(log.Messages, m => m.EventId == 29 && m.Text.Contains("settled it on try 1 (succeeded: True)", StringComparison.Ordinal));
        await AssertNoMarkerAsync(k1, k2);
        Assert.Equal("a1", (await owner.Client.GetAsync(k1)).AsString());
        Assert.Equal("b1", (await owner.Client.GetAsync(k2)).AsString());
    }

    [Fact]
    public async Task When_the_descriptor_cannot_be_read_the_outcome_is_unknown_and_the_operation_is_finished_in_the_background()
    {
        var (p1, p2) = Proxies();
        var owner = NewMcas(p1, p2);
        var (k1, k2) = await SeededKeysOnAsync(owner.Client, p1, p2);
        var entries = await owner.GetManyAsync([k1, k2]);
        p1.CloseInstead(IsDecide).Release();
        for (var i = 0; i < 3; i++)                                 // each of the owner's three tries to read the descriptor
        {
            p1.CloseInstead(IsDescriptorRead).Release();
        }

        var unknown = await Assert.ThrowsAsync<McasOutcomeUnknownException>(() =>
            owner.CompareAndSwapAsync([McasUpdate.Set(entries[0], Utf8("a1")), McasUpdate.Set(entries[1], Utf8("b1"))]).AsTask().WaitAsync(Wait));
        Assert.IsType<MemcacheConnectionException>(unknown.InnerException);
        Assert.Equal([k1, k2], unknown.Keys);
        Assert.Contains("do not simply run a non-idempotent change again", unknown.Message, StringComparison.Ordinal);
        await owner.FlushAsync().AsTask().WaitAsync(Wait);          // the background finishing reads it and decides

        await AssertNoMarkerAsync(k1, k2);
        Assert.Equal("a1", (await owner.Client.GetAsync(k1)).AsString());
        Assert.Equal("b1", (await owner.Client.GetAsync(k2)).AsString());
    }

    [Fact]
    public async Task A_caller_that_cancels_halfway_gets_its_cancellation_and_the_operation_is_finished_in_the_background()
    {
        var (p1, p2) = Proxies();
        var owner = NewMcas(p1, p2);
        var (k1, k2) = await SeededKeysOnAsync(owner.Client, p1, p2);
        var entries = await owner.GetManyAsync([k1, k2]);
        var install = p2.HoldNext(line => IsMarkerInstall(line, k2));
        using var cancel = new CancellationTokenSource();

        var commit = owner.CompareAndSwapAsync([McasUpdate.Set(entries[0], Utf8("a1")), McasUpdate.Set(entries[1], Utf8("b1"))], cancel.Token).AsTask();
        await install.Reached.WaitAsync(Wait);                      // the descriptor and k1's marker are in; k2's is held
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => commit.WaitAsync(Wait));
        await UntilMarkedAsync(S1, k1);
        install.Release();                                          // arrives late: it was the owner's, and still counts
        await owner.FlushAsync().AsTask().WaitAsync(Wait);

        await AssertNoMarkerAsync(k1, k2);                          // finished by the owner's client, no reader needed
        Assert.Equal("a1", (await owner.Client.GetAsync(k1)).AsString());
        Assert.Equal("b1", (await owner.Client.GetAsync(k2)).AsString());
    }

    [Fact]
    public async Task A_commit_refused_unsent_by_a_dead_server_fails_at_once_with_nothing_to_settle()
    {
        await using var server = await MemcachedServer.StartAsync();
        await using var client = new MemcacheClient(OwnServerOptions(server, options =>
        {
            options.Failover = FailoverPolicy.FailFast;
            options.DeadTime = TimeSpan.FromSeconds(30);
        }));
        var (mcas, k1, entries) = await SeededTwoKeysAsync(client);
        var dead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ServerHealthChanged += (_, e) => { if (!e.IsAlive) { dead.TrySetResult(); } };
        await server.KillAsync();
        await Assert.ThrowsAnyAsync<MemcacheException>(async () => await client.GetAsync(k1));
        await dead.Task.WaitAsync(Wait);

        // Its own error, not McasOutcomeUnknownException: a settle would have ended in that or in an outcome.
        await Assert.ThrowsAsync<ServerUnavailableException>(() => CommitAsync(mcas, entries));
        await mcas.DisposeAsync();
    }

    [Fact]
    public async Task A_commit_refused_unsent_by_an_unreachable_server_fails_with_that_error()
    {
        await using var server = await MemcachedServer.StartAsync();
        await using var client = new MemcacheClient(OwnServerOptions(server, options =>
        {
            options.ServerFailureLimit = 1000;                        // unreachable, never marked dead
            options.ReconnectDelay = TimeSpan.FromSeconds(1);          // and refused at once between attempts
            options.MaxReconnectDelay = TimeSpan.FromSeconds(1);
        }));
        var (mcas, k1, entries) = await SeededTwoKeysAsync(client);
        await server.KillAsync();
        MemcacheException? refused = null;
        for (var i = 0; i < 100 && refused is null; i++)                // until a plain call is refused unsent
        {
            try
            {
                await client.GetAsync(k1);
            }
            catch (MemcacheException error) when (error.NotSent)
            {
                refused = error;
            }
            catch (MemcacheException)
            {
                await Task.Delay(20);                                   // the connection's loss itself, while in flight
            }
        }
        Assert.NotNull(refused);

        var failure = await Assert.ThrowsAnyAsync<MemcacheException>(() => CommitAsync(mcas, entries));
        Assert.IsType<MemcacheConnectionException>(failure);            // nothing was sent: its own error, not "unknown"
        Assert.True(failure.NotSent, failure.ToString());
        await mcas.DisposeAsync();
    }

    /// <summary>Options for a server of the test's own, which it may kill: 2 s operation timeout, then <paramref name="configure"/>.</summary>
    private static MemcacheClientOptions OwnServerOptions(MemcachedServer server, Action<MemcacheClientOptions> configure)
    {
        var options = MemcacheClientOptions.Parse(server.ConnectionString);
        options.OperationTimeout = TimeSpan.FromSeconds(2);
        configure(options);
        return options;
    }

    /// <summary>Two keys holding "a0" and "b0", read through McasGet.</summary>
    private static async Task<(McasClient Mcas, string FirstKey, McasEntry[] Entries)> SeededTwoKeysAsync(MemcacheClient client)
    {
        var prefix = TestKeys.Unique("own");
        var (k1, k2) = ($"{prefix}:1", $"{prefix}:2");
        await client.SetAsync(k1, "a0");
        await client.SetAsync(k2, "b0");
        var mcas = new McasClient(client);
        return (mcas, k1, await mcas.GetManyAsync([k1, k2]));
    }

    private static async Task CommitAsync(McasClient mcas, McasEntry[] entries) =>
        await mcas.CompareAndSwapAsync([McasUpdate.Set(entries[0], Utf8("a1")), McasUpdate.Set(entries[1], Utf8("b1"))]);
}
