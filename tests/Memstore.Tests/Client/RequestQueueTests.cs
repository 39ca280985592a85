using System.Diagnostics;
using Memstore.Protocol;
using Memstore.Transport;

namespace Memstore.Tests.Client;

/// <summary>A connection's request queue on its own: back-pressure, the timeout rule and what a lost session takes, without sockets.</summary>
[Trait("Category", "Unit")]
public sealed class RequestQueueTests
{
    private static readonly long Second = Stopwatch.Frequency;

    private static MetaOperation Request(string key, long enqueuedAt, bool linked = false)
    {
        var operation = MetaOperation.Rent("get", key, ValueTarget.None, hasDataBlock: false, accepted: ReplyKinds.Get);
        operation.Prepare(CancellationToken.None);
        operation.EnqueuedAt = enqueuedAt;
        operation.SendOnlyAfterPrevious = linked;
        return operation;
    }

    [Fact]
    public async Task Room_is_taken_whole_or_not_at_all_and_a_drop_frees_it()
    {
        var queue = new RequestQueue(capacity: 3);
        Assert.True(queue.TryReserve(2));
        Assert.False(queue.TryReserve(2)); // one left: nothing taken
        Assert.True(queue.TryReserve());
        Assert.False(queue.TryReserve());
        Assert.False(await queue.WaitForRoomAsync(TimeSpan.FromMilliseconds(20), CancellationToken.None));

        var waiter = queue.WaitForRoomAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.False(waiter.IsCompleted);
        var operation = Request("k", 0);
        lock (queue.Sync)
        {
            queue.Enqueue(operation);
            Assert.Same(operation, queue.TakeWaiting());
        }
        queue.Drop(operation);
        Assert.True(await waiter);
        operation.ReleaseByCaller();
    }

    [Fact]
    public void Waiting_requests_expire_in_order_and_the_scan_stops_at_the_first_in_time()
    {
        var queue = new RequestQueue(10);
        lock (queue.Sync) // the connection's lock, which every queue member expects
        {
            var old1 = Request("a", 0);
            var old2 = Request("b", Second / 2);
            var fresh = Request("c", 2 * Second);
            var laterOld = Request("d", 0); // behind a fresh one: not reached (submission order)
            foreach (var operation in new[] { old1, old2, fresh, laterOld })
            {
                queue.Enqueue(operation);
            }

            var found = queue.Expire(timeoutTicks: Second, waitingSeen: 2 * Second, inFlightSeen: 2 * Second, now: 2 * Second);

            Assert.Equal([old1, old2], found.Operations!);
            Assert.Equal(0, found.ExpiredInFlight);
            Assert.Equal(4, found.Waiting);
            Assert.Equal(0, found.Oldest);
        }
    }

    [Fact]
    public void Requests_in_flight_are_not_judged_while_their_replies_may_be_unread()
    {
        var queue = new RequestQueue(10);
        lock (queue.Sync) // the connection's lock, which every queue member expects
        {
            var written = Request("a", 0);
            var waiting = Request("b", 0);
            queue.AddInFlight(written);
            queue.Enqueue(waiting);

            var unread = queue.Expire(Second, waitingSeen: 5 * Second, inFlightSeen: null, now: 5 * Second);
            Assert.Equal([waiting], unread.Operations!);
            Assert.Equal(0, unread.ExpiredInFlight);

            var caughtUp = queue.Expire(Second, waitingSeen: 5 * Second, inFlightSeen: 5 * Second, now: 5 * Second);
            Assert.Equal([written, waiting], caughtUp.Operations!);
            Assert.Equal(1, caughtUp.ExpiredInFlight);
        }
    }

    [Fact]
    public void Completed_requests_are_skipped_and_do_not_stop_the_scan()
    {
        var queue = new RequestQueue(10);
        lock (queue.Sync) // the connection's lock, which every queue member expects
        {
            var gaveUp = Request("a", 3 * Second);
            var old = Request("b", 0);
            queue.AddInFlight(gaveUp);
            queue.AddInFlight(old);
            Assert.True(gaveUp.TryFail(new OperationCanceledException()));

            var found = queue.Expire(Second, waitingSeen: 4 * Second, inFlightSeen: 4 * Second, now: 4 * Second);

            Assert.Equal([old], found.Operations!);
            Assert.Equal(0, found.Oldest);
        }
    }

    [Fact]
    public void A_lost_session_takes_what_was_in_flight_and_the_linked_requests_behind_it()
    {
        var queue = new RequestQueue(10);
        lock (queue.Sync) // the connection's lock, which every queue member expects
        {
            var sent = Request("a", 0);
            var linked = Request("b", 0, linked: true);
            var alsoLinked = Request("c", 0, linked: true);
            var independent = Request("d", 0);
            queue.AddInFlight(sent);
            queue.Enqueue(linked);
            queue.Enqueue(alsoLinked);
            queue.Enqueue(independent);

            Assert.Equal([sent, linked, alsoLinked], queue.TakeLostWithSession());
            Assert.Equal(0, queue.InFlight);
            Assert.Equal(1, queue.Waiting);
            Assert.Equal([independent], queue.TakeAllWaiting());
            Assert.True(queue.IsIdle);
        }
    }
}
