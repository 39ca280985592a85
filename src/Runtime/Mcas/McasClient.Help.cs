using System.Runtime.CompilerServices;

namespace Memstore.Mcas;

public sealed partial class McasClient
{
    /// <summary>
    /// Drives an operation to its end (docs/mcas.md, "Help"): phase 1 (every marker not yet installed, at once),
    /// decide (status and the token of every installed marker in one CAS, retried until the stored status is final),
    /// phase 2 (the outcome over recorded markers only; any other marker of ours is undone), clean-up.
    /// Run by the owner and by any reader that meets one of its markers; <paramref name="seen"/> is the
    /// marker such a reader met (index -1 for none), so a late marker is undone even when the operation
    /// is long decided. An owner whose first markers went out with the descriptor passes their tokens as
    /// <paramref name="acquired"/>. <paramref name="outer"/> are the operations this participant is helping already.
    /// The owner returns once decided and leaves phase 2 to <see cref="ReleaseInBackground"/>, or, when every key was
    /// expected to hold a value and all are on one connection, right after phase 1 (<see cref="TryDecideAndReleaseInOrder"/>);
    /// a helper completes it before returning.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(bool Succeeded, string? FailedKey)> HelpAsync(Descriptor d, bool owner, HelpChain? outer, (int Index, CasToken Token) seen, CancellationToken cancellationToken, CasToken[]? acquired = null)
    {
        var chain = new HelpChain(d.Key, outer);
        if (chain.Depth > MaxHelpDepth)
        {
            throw new InvalidOperationException($"MCAS helping nested deeper than {MaxHelpDepth} operations at descriptor {d.Key}.");
        }
        // The markers of this operation this participant installed or saw: phase 2 compares them with the recorded ones.
        var mine = acquired ?? new CasToken[d.Items.Length];
        if (seen.Index >= 0)
        {
            mine[seen.Index] = seen.Token;
        }
        string? failedKey = null;
        if (d.Status == McasStatus.Undecided)
        {
            var (outcome, failedAt) = await AcquireAllAsync(d, mine, chain, cancellationToken).ConfigureAwait(false);
            if (failedAt >= 0)
            {
                failedKey = d.Items[failedAt].Key;
            }
            if (owner && outcome == McasStatus.Succeeded && AfterPhase1ForTesting is { } hook)
            {
                await hook(d.Key, [.. d.Items.Select(item => item.Key)], cancellationToken).ConfigureAwait(false);
            }
            if (owner && outcome == McasStatus.Succeeded && TryDecideAndReleaseInOrder(d, mine))
            {
                return (true, null); // the outcome is fixed; the decide and phase 2 are under way (docs/mcas.md 4.3)
            }
            if (!await DecideAsync(d, outcome, mine, cancellationToken).ConfigureAwait(false))
            {
                await UndoAllAsync(d, mine, cancellationToken).ConfigureAwait(false);
                if (owner)
                {
                    throw OutcomeUnknown(d);
                }
                return (false, failedKey);
            }
        }
        if (owner)
        {
            // Decided: the outcome is stored, and any reader that meets a recorded marker releases it itself.
            // The owner's phase 2 goes on in the background (docs/mcas.md 4.3, "Return after the decide").
            ReleaseInBackground(d, mine);
        }
        else
        {
            await ReleaseAllAsync(d, mine, cancellationToken).ConfigureAwait(false);
            await LingerAsync(d, cancellationToken).ConfigureAwait(false);
        }
        var succeeded = d.Status == McasStatus.Succeeded;
        if (owner && !succeeded)
        {
            McasMetrics.Conflicts.Add(1);
        }
        return (succeeded, succeeded ? null : failedKey ?? FirstUnrecordedKey(d));
    }

    /// <summary>
    /// Another operation's marker stands in the way: help that operation to its end, or, when its descriptor is
    /// gone, undo a marker installed over an absent key (the key was absent before it; nothing is lost). A
    /// missing descriptor behind a marker installed over a value is corruption: the old value is gone with it.
    /// False, with nothing done, when that operation is undecided and already on <paramref name="chain"/> (a cycle:
    /// the caller fails its own operation instead of helping round in circles).
    /// </summary>
    private async ValueTask<bool> ResolveForeignMarkerAsync(string key, Marker marker, CasToken token, MissingDescriptorCheck missing, HelpChain? chain, string context, CancellationToken cancellationToken)
    {
        McasMetrics.RoundTrips.Add(1);
        var other = await LoadDescriptorAsync(marker.DescriptorKey, cancellationToken).ConfigureAwait(false);
        if (other is not null)
        {
            var index = other.IndexOf(key);
            if (index < 0)
            {
                throw new MemcacheProtocolException($"The key {key} holds a marker of MCAS {other.Key}, whose descriptor does not list that key.");
            }
            if (other.Status == McasStatus.Undecided && chain is not null && chain.Contains(other.Key))
            {
                return false;
            }
            McasMetrics.Helps.Add(1);
            await HelpAsync(other, owner: false, chain, (index, token), cancellationToken).ConfigureAwait(false);
            return true;
        }
        if (marker.OverAbsent)
        {
            McasMetrics.RoundTrips.Add(1);
            McasMetrics.Requests.Add(1);
            McasMetrics.OrphansUndone.Add(1);
            await _client.DeleteAsync(key, token, cancellationToken).ConfigureAwait(false);
            return true;
        }
        if (missing.SeenBefore(marker.DescriptorKey, token))
        {
            throw Corruption(marker.DescriptorKey, [key], $"{context}; McasClient.RepairAsync resets the key.");
        }
        await Task.Delay(MissingRecheckDelay, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// CASes the status from UNDECIDED to <paramref name="outcome"/> together with the tokens of the markers
    /// acquired, reloading and repeating until the stored status is final (a reload that still says UNDECIDED
    /// is not a failure). False when the descriptor is gone.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> DecideAsync(Descriptor d, McasStatus outcome, CasToken[] mine, CancellationToken cancellationToken)
    {
        // Every marker phase 1 installed or saw, wherever it stands: phase 1 attempted every item before this.
        var recorded = new ulong[d.Items.Length];
        for (var i = 0; i < recorded.Length; i++)
        {
            recorded[i] = mine[i].HasValue ? mine[i].Value : 0;
        }
        while (true)
        {
            var decided = new Descriptor { Key = d.Key, Id = d.Id, Status = outcome, Items = d.Items, Recorded = recorded };
            McasMetrics.RoundTrips.Add(1);
            McasMetrics.Requests.Add(1);
            var stored = await _client.CompareAndSetAsync(d.Key, StoredRecordCodec.EncodeDescriptor(decided), d.Cas, _options.DescriptorTtl, MemstoreWireFormat.ReservedFlag, cancellationToken).ConfigureAwait(false);
            if (stored.Stored)
            {
                (d.Status, d.Recorded, d.Cas) = (outcome, recorded, stored.Cas);
                return true;
            }
            McasMetrics.RoundTrips.Add(1);
            var reloaded = stored.Status == StoreStatus.NotFound ? null : await LoadDescriptorAsync(d.Key, cancellationToken).ConfigureAwait(false);
            if (reloaded is null)
            {
                return false;
            }
            d.Cas = reloaded.Cas;
            if (reloaded.Status != McasStatus.Undecided)
            {
                (d.Status, d.Recorded) = (reloaded.Status, reloaded.Recorded);
                return true;
            }
        }
    }

    /// <summary>
    /// Phase 2, one wave. Recorded markers get the outcome (new values on success, old ones on failure); a
    /// marker of ours that is not the recorded one was installed late and is undone (docs/mcas.md 4.3, 4.4).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReleaseAllAsync(Descriptor d, CasToken[] mine, CancellationToken cancellationToken, bool awaitedByCaller = true, List<string>? finishedDescriptors = null)
    {
        var succeeded = d.Status == McasStatus.Succeeded;
        // Releases and undos go out as one wave (one write per server), the clean-up deletes behind them.
        var wave = new ReleaseWave(_client.NewWave(d.Items.Length + (finishedDescriptors?.Count ?? 0)));
        for (var i = 0; i < d.Items.Length; i++)
        {
            var recorded = d.RecordedAt(i);
            if (recorded != 0)
            {
                wave.AddRelease(d.Items[i], new CasToken(recorded), succeeded);
            }
            if (mine[i].HasValue && mine[i].Value != recorded)
            {
                McasMetrics.OrphansUndone.Add(1);
                wave.AddRelease(d.Items[i], mine[i], succeeded: false);
            }
        }
        var releases = wave.Count;
        if (finishedDescriptors is not null)
        {
            // Behind the releases: descriptors of earlier operations whose phase 2 completed (docs/mcas.md, "Clean-up").
            McasMetrics.Requests.Add(finishedDescriptors.Count);
            foreach (var key in finishedDescriptors)
            {
                wave.AddDelete(key, CasToken.None);
            }
        }
        if (wave.Count == 0)
        {
            return;
        }
        if (awaitedByCaller)
        {
            McasMetrics.RoundTrips.Add(1);
        }
        McasMetrics.Requests.Add(releases);
        await wave.SendAndAwaitAsync(releases, _client.Logger, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The descriptor vanished before we could decide: every marker we hold goes back to what it replaced.</summary>
    private async ValueTask UndoAllAsync(Descriptor d, CasToken[] mine, CancellationToken cancellationToken)
    {
        var wave = new ReleaseWave(_client.NewWave(d.Items.Length));
        for (var i = 0; i < d.Items.Length; i++)
        {
            if (mine[i].HasValue)
            {
                wave.AddRelease(d.Items[i], mine[i], succeeded: false);
            }
        }
        if (wave.Count > 0)
        {
            McasMetrics.RoundTrips.Add(1);
            McasMetrics.Requests.Add(wave.Count);
            await wave.SendAndAwaitAsync(wave.Count, _client.Logger, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The marker lives as long as the longer of the old and new value, so a slow release loses nothing.</summary>
    private static TimeSpan? MarkerExpiry(DescriptorItem item) =>
        item.OldExpires == 0 || item.NewExpires == 0 ? null : ToExpiry(Math.Max(item.OldExpires, item.NewExpires));

    /// <summary>CASes the marker away; a mismatch means someone else already released the key.</summary>
    private async Task ReleaseAsync(DescriptorItem item, CasToken marker, bool succeeded, CancellationToken cancellationToken)
    {
        McasMetrics.Requests.Add(1);
        var wave = new ReleaseWave(_client.NewWave(1));
        wave.AddRelease(item, marker, succeeded);
        await wave.SendAndAwaitAsync(1, _client.Logger, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A helper does not delete the descriptor: it only shortens its life so the owner can still read the outcome.</summary>
    private async ValueTask LingerAsync(Descriptor d, CancellationToken cancellationToken)
    {
        McasMetrics.RoundTrips.Add(1);
        McasMetrics.Requests.Add(1);
        await _client.TouchAsync(d.Key, _options.HelperLinger, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The first item the decide recorded no marker for: one phase 1 could not acquire, when the operation failed.</summary>
    private static int FirstUnrecorded(Descriptor d)
    {
        var i = 0;
        while (i < d.Items.Length && d.RecordedAt(i) != 0)
        {
            i++;
        }
        return i;
    }

    private static string FirstUnrecordedKey(Descriptor d) => d.Items[Math.Min(FirstUnrecorded(d), d.Items.Length - 1)].Key;

    private McasOutcomeUnknownException OutcomeUnknown(Descriptor d) => new(
        $"MCAS {d.Key}: the descriptor was gone when its owner came to decide, so the outcome is unknown. On a cluster that evicts nothing this means the owner stalled for longer than McasOptions.HelperLinger ({_options.HelperLinger.TotalSeconds:F0} s) after another client finished the operation; the keys ({string.Join(", ", d.Items.Select(item => item.Key))}) are consistent: read them again to see whether it happened.",
        d.Key, [.. d.Items.Select(item => item.Key)]);

    private static McasConflictException Contended(string key, int attempts) => new(
        $"MCAS gave up on key {key} after {attempts} attempts: other operations kept taking it over.", [key], attempts);

    /// <summary>A descriptor missing once can be an owner that is releasing right now; the same marker missing twice is corruption.</summary>
    private sealed class MissingDescriptorCheck
    {
        private string? _descriptorKey;
        private CasToken _token;

        public bool SeenBefore(string descriptorKey, CasToken token)
        {
            if (_descriptorKey == descriptorKey && _token == token)
            {
                return true;
            }
            (_descriptorKey, _token) = (descriptorKey, token);
            return false;
        }
    }
}
