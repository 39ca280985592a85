using Memstore.Mcas;
using Memstore.Tests.Infrastructure;

using static Memstore.Tests.Mcas.McasRequestLines;

namespace Memstore.Tests.Mcas;

/// <summary>
/// Forced interleavings for phase 1 as one wave (docs/mcas.md 4.3, format version 3): markers go in in any order,
/// so an operation can hold a later key while an earlier one is still in flight, and two operations can each hold a
/// key expected absent that the other needs. Two servers, each behind a <see cref="HoldingProxy"/> that every
/// participant goes through (so all place keys alike); one chosen install is held there.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class OutOfOrderTests(ThreeServerFixture cluster) : ProxiedMcasTests(cluster), IClassFixture<ThreeServerFixture>
{
    [Fact]
    public async Task A_reader_finishes_an_operation_whose_later_marker_went_in_first_and_the_owner_agrees()
    {
        var (p1, p2) = Proxies();
        var owner = NewMcas(p1, p2);
        var reader = NewMcas(p1, p2);
        var (k1, k2) = await SeededKeysOnAsync(owner.Client, p1, p2);
        var id = FreshIdOn(owner.Client, p2);                       // not with k1: add first, then both installs at once
        owner.DescriptorIdForTesting = () => id;
        var entries = await owner.GetManyAsync([k1, k2]);
        var held = p1.HoldNext(line => IsMarkerInstall(line, k1));

        var committing = owner.CompareAndSwapAsync([McasUpdate.Set(entries[0], Utf8("a1")), McasUpdate.Set(entries[1], Utf8("b1"))]).AsTask();
        await held.Reached.WaitAsync(Wait);
        await UntilMarkedAsync(S2, k2);                            // k2 taken while k1, before it in key order, is not

        Assert.Equal("b1", Text(await reader.GetAsync(k2)));       // the reader installs k1 itself and completes the operation
        Assert.False(committing.IsCompleted);
        held.Release();                                           // the owner's install of k1 now finds the outcome

        Assert.True(await committing.WaitAsync(Wait));
        await owner.FlushAsync();
        Assert.Equal(["a1", "b1"], (await reader.GetManyAsync([k1, k2])).Select(Text));
        await AssertNoMarkerAsync(k1, k2);
    }

    [Fact]
    public async Task Two_operations_holding_each_others_key_expected_absent_break_the_cycle_and_one_commits()
    {
        // A and B both create x and y. A holds y while its install of x is held; B holds x while its install of y is
        // held. Released, A meets B's marker on x and helps B, whose y holds A's marker: A is on the helper's path, so
        // B fails instead of helping A again (a cycle); B's x goes, A takes it and commits. B's own late install of y
        // then finds A's value: B reports a conflict.
        var (p1, p2) = Proxies();
        var a = NewMcas(p1, p2);
        var b = NewMcas(p1, p2);
        var (x, y) = KeysOn(a.Client, p1, p2);
        var (idA, idB) = (FreshIdOn(a.Client, p2), FreshIdOn(b.Client, p1));
        a.DescriptorIdForTesting = () => idA;                      // A: add on S2, then x and y at once
        b.DescriptorIdForTesting = () => idB;                      // B: add and x in one write on S1, then y

        var heldAx = p1.HoldNext(line => IsMarkerInstall(line, x));
        var committingA = a.CompareAndSwapAsync([McasUpdate.Set(McasEntry.Absent(x), Utf8("ax")), McasUpdate.Set(McasEntry.Absent(y), Utf8("ay"))]).AsTask();
        await heldAx.Reached.WaitAsync(Wait);
        await UntilMarkedAsync(S2, y);
        var heldBy = p2.HoldNext(line => IsMarkerInstall(line, y));
        var committingB = b.CompareAndSwapAsync([McasUpdate.Set(McasEntry.Absent(x), Utf8("bx")), McasUpdate.Set(McasEntry.Absent(y), Utf8("by"))]).AsTask();
        await heldBy.Reached.WaitAsync(Wait);
        await UntilMarkedAsync(S1, x);
        Assert.Equal("memstore:mcas:" + idB, await DescriptorOfMarkerAsync(S1, x));
        Assert.Equal("memstore:mcas:" + idA, await DescriptorOfMarkerAsync(S2, y));

        heldAx.Release();
        Assert.True(await committingA.WaitAsync(Wait));
        heldBy.Release();
        Assert.False(await committingB.WaitAsync(Wait));

        await a.FlushAsync();
        await b.FlushAsync();
        Assert.Equal(["ax", "ay"], (await NewMcas(p1, p2).GetManyAsync([x, y])).Select(Text));
        await AssertNoMarkerAsync(x, y);
    }

    [Fact]
    public async Task A_transaction_retry_takes_its_keys_in_order()
    {
        // Attempt 1 fails (k1 changes under it). Attempt 2 acquires in key order: with its install of k1 held, k2 is not
        // even attempted, where a first attempt would have sent both installs at once (the first test above).
        var (p1, p2) = Proxies();
        var t = NewMcas(p1, p2);
        var other = NewMcas(p1, p2);
        var (k1, k2) = await SeededKeysOnAsync(t.Client, p1, p2);
        t.DescriptorIdForTesting = () => FreshIdOn(t.Client, p2); // not with k1: the descriptor's add goes alone
        HeldRequest? held = null;
        var attempts = 0;
        var committing = t.TransactAsync(async (tx, ct) =>
        {
            attempts = tx.Attempt;
            var (e1, e2) = (await tx.GetAsync(k1, ct), await tx.GetAsync(k2, ct));
            if (tx.Attempt == 1)
            {
                await other.Client.SetAsync(k1, "changed", cancellationToken: ct);
            }
            else
            {
                held = p1.HoldNext(line => IsMarkerInstall(line, k1));
            }
            tx.Set(k1, Utf8(Text(e1) + "+1"));
            tx.Set(k2, Utf8(Text(e2) + "+1"));
        }).AsTask();
        await UntilAsync(() => held is not null);
        await held!.Reached.WaitAsync(Wait);
        await Task.Delay(300);
        Assert.DoesNotContain(ReservedFlag[1..], await S2.RawAsync($"mg {k2} f\r\n"), StringComparison.Ordinal);

        held.Release();
        await committing.WaitAsync(Wait);
        Assert.Equal(2, attempts);
        await t.FlushAsync();
        Assert.Equal(["changed+1", "b0+1"], (await other.GetManyAsync([k1, k2])).Select(Text));
        await AssertNoMarkerAsync(k1, k2);
    }

    [Fact]
    public async Task A_transaction_retry_in_order_helps_an_operation_holding_its_first_key_then_commits_on_top()
    {
        // A holds k1 while its install of k2 is held. T's second attempt (in key order) meets A's marker on k1: it helps
        // A to its end (installing k2 itself), fails that attempt because k1's token is spent, and its third attempt
        // commits on A's values. All of this while A's own install is still held; A then learns it succeeded.
        var (p1, p2) = Proxies();
        var a = NewMcas(p1, p2);
        var t = NewMcas(p1, p2);
        var (k1, k2) = await SeededKeysOnAsync(a.Client, p1, p2);
        var idA = FreshIdOn(a.Client, p2);                         // not with k1: add, then both installs at once
        a.DescriptorIdForTesting = () => idA;
        McasEntry[]? entriesA = null;
        HeldRequest? heldA = null;
        Task<bool>? committingA = null;
        var attempts = 0;
        var transaction = t.TransactAsync(async (tx, ct) =>
        {
            attempts = tx.Attempt;
            var (e1, e2) = (await tx.GetAsync(k1, ct), await tx.GetAsync(k2, ct));
            if (tx.Attempt == 1)
            {
                await a.Client.SetAsync(k2, "changed", cancellationToken: ct);   // attempt 1 conflicts
            }
            else if (tx.Attempt == 2)
            {
                // A starts after T's reads: its k1 marker stands when T's in-order commit reaches k1.
                entriesA = await a.GetManyAsync([k1, k2], ct);
                heldA = p2.HoldNext(line => IsMarkerInstall(line, k2));
                committingA = a.CompareAndSwapAsync([McasUpdate.Set(entriesA[0], Utf8("a1")), McasUpdate.Set(entriesA[1], Utf8("b1"))], ct).AsTask();
                await heldA.Reached.WaitAsync(Wait, ct);
                await UntilMarkedAsync(S1, k1);
            }
            tx.Set(k1, Utf8(Text(e1) + "+t"));
            tx.Set(k2, Utf8(Text(e2) + "+t"));
        }).AsTask();

        await transaction.WaitAsync(Wait);
        Assert.Equal(3, attempts);
        Assert.False(committingA!.IsCompleted);                   // A's own install is still held: T finished A
        Assert.Equal(["a1+t", "b1+t"], (await t.GetManyAsync([k1, k2])).Select(Text));
        heldA!.Release();
        Assert.True(await committingA.WaitAsync(Wait));
        await a.FlushAsync();
        await t.FlushAsync();
        Assert.Equal(["a1+t", "b1+t"], (await t.GetManyAsync([k1, k2])).Select(Text));
        await AssertNoMarkerAsync(k1, k2);
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition());
    }

    [Fact]
    public async Task An_operation_that_meets_another_ones_marker_on_a_key_with_a_value_fails_without_helping_it()
    {
        // B read k2 before A took it: B's token is spent, so B fails at once and puts k3 back; A, whose install of k1
        // is held, is not helped along (still held) and commits once released.
        var (p1, p2) = Proxies();
        var a = NewMcas(p1, p2);
        var b = NewMcas(p1, p2);
        var (k1, k2) = KeysOn(a.Client, p1, p2);
        var (k3, _) = KeysOn(a.Client, p2, p1);
        await a.Client.SetAsync(k1, "a0");
        await a.Client.SetAsync(k2, "b0");
        await a.Client.SetAsync(k3, "c0");
        var idA = FreshIdOn(a.Client, p2);
        a.DescriptorIdForTesting = () => idA;
        var entriesA = await a.GetManyAsync([k1, k2]);
        var entriesB = await b.GetManyAsync([k2, k3]);
        var held = p1.HoldNext(line => IsMarkerInstall(line, k1));
        var committingA = a.CompareAndSwapAsync([McasUpdate.Set(entriesA[0], Utf8("a1")), McasUpdate.Set(entriesA[1], Utf8("b1"))]).AsTask();
        await held.Reached.WaitAsync(Wait);
        await UntilMarkedAsync(S2, k2);

        Assert.False(await b.CompareAndSwapAsync([McasUpdate.Set(entriesB[0], Utf8("x2")), McasUpdate.Set(entriesB[1], Utf8("x3"))]).AsTask().WaitAsync(Wait));
        await b.FlushAsync();
        Assert.False(committingA.IsCompleted);                     // B did not help A: A's install of k1 is still held
        Assert.Equal("memstore:mcas:" + idA, await DescriptorOfMarkerAsync(S2, k2));
        Assert.Equal("c0", Text(await b.GetAsync(k3)));

        held.Release();
        Assert.True(await committingA.WaitAsync(Wait));
        await a.FlushAsync();
        Assert.Equal(["a1", "b1", "c0"], (await b.GetManyAsync([k1, k2, k3])).Select(Text));
        await AssertNoMarkerAsync(k1, k2, k3);
    }
}
