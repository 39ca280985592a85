using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Memstore.Mcas;

public sealed partial class McasClient
{
    /// <summary>
    /// The owner's shortcut once phase 1 acquired every item (docs/mcas.md 4.3, "Return at the last install"). When no
    /// item expects its key absent and no marker can expire before the descriptor, the outcome is already fixed: every
    /// marker stands on a token the operation read, nothing can remove one before a decide is stored, and so whoever decides finds them all and decides SUCCEEDED with
    /// the same tokens. When the descriptor and every key are on one connection, the decide, the releases behind it and
    /// the descriptor's delete go out as one linked group in that order: memcached executes a prefix of them, in order,
    /// so no release is ever executed before the decide. The owner returns true at once and the group's replies are
    /// settled in the background. False, with nothing sent, when any of that does not hold; the owner then decides the
    /// usual way.
    /// </summary>
    private bool TryDecideAndReleaseInOrder(Descriptor d, CasToken[] mine)
    {
        var servers = _client.Servers.Count;
        var server = servers == 1 ? 0 : ServerOf(d.Key);
        var recorded = new ulong[d.Items.Length];
        var descriptorExpires = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + (long)_options.DescriptorTtl.TotalSeconds;
        for (var i = 0; i < d.Items.Length; i++)
        {
            // A key expected absent can be taken again after another participant decided FAILED (a cycle, or a value
            // that came and went), and a marker that expires lets a reader find the key absent and decide FAILED: in
            // both cases the outcome is the stored decide, so the owner waits for it.
            var item = d.Items[i];
            if (item.ExpectAbsent || !mine[i].HasValue || !OutlivesDescriptor(item, descriptorExpires)
                || (servers > 1 && ServerOf(item.Key) != server)) // checked before anything is encoded; TryWriteInOrder checks again
            {
                return false;
            }
            recorded[i] = mine[i].Value;
        }
        var decided = new Descriptor { Key = d.Key, Id = d.Id, Status = McasStatus.Succeeded, Items = d.Items, Recorded = recorded };
        var writes = new OrderedWrite[d.Items.Length + 2];
        writes[0] = new OrderedWrite(StoreMode.Set, d.Key, StoredRecordCodec.EncodeDescriptor(decided), _options.DescriptorTtl, MemstoreWireFormat.ReservedFlag, d.Cas);
        for (var i = 0; i < d.Items.Length; i++)
        {
            var item = d.Items[i];
            writes[i + 1] = item.NewValue is null
                ? OrderedWrite.Delete(item.Key, mine[i])
                : new OrderedWrite(StoreMode.Set, item.Key, item.NewValue, ToExpiry(item.NewExpires), item.NewFlags, mine[i]);
        }
        // Last: every recorded marker is released by then, so nobody needs the descriptor any more (docs/mcas.md, "Clean-up").
        writes[^1] = OrderedWrite.Delete(d.Key, CasToken.None);
        var results = new ValueTask<StoreResult>[writes.Length];
        try
        {
            if (!_client.TryWriteInOrder(writes, results, CancellationToken.None))
            {
                return false;
            }
        }
        catch (ArgumentException)
        {
            return false; // a new value the server cannot take: the usual path reports it through its release
        }
        McasMetrics.Requests.Add(writes.Length);
        (d.Status, d.Recorded) = (McasStatus.Succeeded, recorded);
        var job = SettleInOrderAsync(d, results);
        if (!job.IsCompleted)
        {
            _phase2[d.Key] = job;
            if (job.IsCompleted)
            {
                _phase2.TryRemove(d.Key, out _);
            }
        }
        return true;
    }

    /// <summary>
    /// The item's marker lives at least as long as the descriptor (<see cref="MarkerExpiry"/>: never when the old or the
    /// new value never expires, else the later of the two), so only what ends the whole operation can end it first.
    /// </summary>
    private static bool OutlivesDescriptor(DescriptorItem item, long descriptorExpires) =>
        item.OldExpires == 0 || item.NewExpires == 0 || Math.Max(item.OldExpires, item.NewExpires) >= descriptorExpires;

    /// <summary>
    /// Awaits every reply of the group. A refused decide (<c>EX</c>) means a helper decided first, SUCCEEDED with the same
    /// tokens; a refused release means someone released the key. A request that got no reply (lost connection, timeout)
    /// may leave what memcached did not execute: a standing marker with its stored descriptor, or an undecided
    /// descriptor with every marker in place, which any participant decides SUCCEEDED. <see cref="FinishInBackground"/>
    /// then finishes it, and so does any reader that meets a marker first. Never throws.
    /// </summary>
    private async Task SettleInOrderAsync(Descriptor d, ValueTask<StoreResult>[] results)
    {
        try
        {
            Exception? failure = null;
            for (var i = 0; i < results.Length; i++)
            {
                var (result, error) = await OutcomeOf(results[i]).ConfigureAwait(false);
                failure ??= error;
                if (i == 0 && error is null && !result.Stored)
                {
                    McasLog.DecidedByHelper(_client.Logger, d.Key, result.Status);
                }
            }
            if (failure is not null)
            {
                McasMetrics.BackgroundFailures.Add(1);
                McasLog.ReleaseFailed(_client.Logger, d.Key, failure);
                FinishInBackground(d.Key); // before this job leaves _phase2, so FlushAsync sees one or the other
            }
        }
        finally
        {
            _phase2.TryRemove(d.Key, out _);
        }
    }
}

internal static partial class McasLog
{
    [LoggerMessage(EventId = 23, Level = LogLevel.Debug, Message = "MCAS {DescriptorKey}: the owner's decide behind its last install was refused ({Status}): a helper decided it first (Exists), or the descriptor is gone (NotFound: evicted or flushed)")]
    public static partial void DecidedByHelper(ILogger logger, string descriptorKey, StoreStatus status);
}
