using System.Runtime.CompilerServices;

namespace Memstore.Mcas;

public sealed partial class McasClient
{
    /// <summary>
    /// Drives an operation to its end (docs/mcas.md, "Help"): phase 1 (install markers in key order), decide
    /// (status and the token of every installed marker in one CAS, retried until the stored status is final),
    /// phase 2 (the outcome over recorded markers only; any other marker of ours is undone), clean-up.
    /// Run by the owner and by any reader that meets one of its markers; <paramref name="seen"/> is the
    /// marker such a reader met (index -1 for none), so a late marker is undone even when the operation
    /// is long decided. An owner whose first marker went out with the descriptor passes it as
    /// <paramref name="seen"/> with <paramref name="alreadyAcquired"/> 1. The owner returns once decided and
    /// leaves phase 2 to <see cref="ReleaseInBackground"/>; a helper completes it before returning.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(bool Succeeded, string? FailedKey)> HelpAsync(Descriptor d, bool owner, int depth, (int Index, CasToken Token) seen, CancellationToken cancellationToken, int alreadyAcquired = 0)
    {
        if (depth > MaxHelpDepth)
        {
            throw new InvalidOperationException($"MCAS helping nested deeper than {MaxHelpDepth} operations at descriptor {d.Key}.");
        }
        // The markers of this operation this participant installed or saw: phase 2 compares them with the recorded ones.
        var mine = new CasToken[d.Items.Length];
        if (seen.Index >= 0)
        {
            mine[seen.Index] = seen.Token;
        }
        string? failedKey = null;
        if (d.Status == McasStatus.Undecided)
        {
            var outcome = McasStatus.Succeeded;
            for (var i = alreadyAcquired; i < d.Items.Length && outcome == McasStatus.Succeeded; i++)
            {
                (var token, var acquired) = await AcquireAsync(d, d.Items[i], depth, cancellationToken).ConfigureAwait(false);
                if (acquired)
                {
                    mine[i] = token;
                }
                else
                {
                    outcome = McasStatus.Failed;
                    failedKey = d.Items[i].Key;
                }
            }
            if (owner && outcome == McasStatus.Succeeded && AfterPhase1ForTesting is { } hook)
            {
                await hook(d.Key, [.. d.Items.Select(item => item.Key)], cancellationToken).ConfigureAwait(false);
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

    /// <summary>Phase 1 for one item: our marker's token and true, or false when the key no longer matches.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(CasToken Token, bool Acquired)> AcquireAsync(Descriptor d, DescriptorItem item, int depth, CancellationToken cancellationToken)
    {
        var marker = StoredRecordCodec.EncodeMarker(d.Key, item.ExpectAbsent);
        var markerExpiry = MarkerExpiry(item);
        var missing = new MissingDescriptorCheck();
        for (var attempt = 0; ; attempt++)
        {
            if (attempt >= MaxReadAttempts)
            {
                throw Contended(item.Key, attempt);
            }
            McasMetrics.RoundTrips.Add(1);
            McasMetrics.Requests.Add(1);
            var installed = item.ExpectAbsent
                ? await _client.AddAsync(item.Key, marker, markerExpiry, MemstoreWireFormat.ReservedFlag, cancellationToken).ConfigureAwait(false)
                : await _client.CompareAndSetAsync(item.Key, marker, new CasToken(item.ExpectedCas), markerExpiry, MemstoreWireFormat.ReservedFlag, cancellationToken).ConfigureAwait(false);
            if (installed.Stored)
            {
                return (installed.Cas, true);
            }
            McasMetrics.RoundTrips.Add(1);
            var (value, _) = await ReadAsync(item.Key, cancellationToken).ConfigureAwait(false);
            if (StoredRecordCodec.TryDecodeMarker(value) is not { } found)
            {
                return (CasToken.None, false);
            }
            if (found.DescriptorKey == d.Key)
            {
                return (value.Cas, true);
            }
            await ResolveForeignMarkerAsync(item.Key, found, value.Cas, missing, depth + 1, $"MCAS {d.Key} cannot acquire it", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Another operation's marker stands in the way: help that operation to its end, or, when its descriptor is
    /// gone, undo a marker installed over an absent key (the key was absent before it; nothing is lost). A
    /// missing descriptor behind a marker installed over a value is corruption: the old value is gone with it.
    /// </summary>
    private async ValueTask ResolveForeignMarkerAsync(string key, Marker marker, CasToken token, MissingDescriptorCheck missing, int depth, string context, CancellationToken cancellationToken)
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
            McasMetrics.Helps.Add(1);
            await HelpAsync(other, owner: false, depth, (index, token), cancellationToken).ConfigureAwait(false);
            return;
        }
        if (marker.OverAbsent)
        {
            McasMetrics.RoundTrips.Add(1);
            McasMetrics.Requests.Add(1);
            McasMetrics.OrphansUndone.Add(1);
            await _client.DeleteAsync(key, token, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (missing.SeenBefore(marker.DescriptorKey, token))
        {
            throw Corruption(marker.DescriptorKey, [key], $"{context}; McasClient.RepairAsync resets the key.");
        }
        await Task.Delay(MissingRecheckDelay, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// CASes the status from UNDECIDED to <paramref name="outcome"/> together with the tokens of the markers
    /// acquired, reloading and repeating until the stored status is final (a reload that still says UNDECIDED
    /// is not a failure). False when the descriptor is gone.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> DecideAsync(Descriptor d, McasStatus outcome, CasToken[] mine, CancellationToken cancellationToken)
    {
        var recorded = new ulong[d.Items.Length];
        for (var i = 0; i < recorded.Length && mine[i].HasValue; i++)
        {
            recorded[i] = mine[i].Value;
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
    /// marker of ours that is not the recorded one was installed late and is undone. After a failure at a key
    /// expected absent, the keys behind it that phase 1 never reached are rewritten unchanged ("sealed"), so a
    /// late install on them cannot succeed once the descriptor is gone (docs/mcas.md, "Why late markers are harmless").
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReleaseAllAsync(Descriptor d, CasToken[] mine, CancellationToken cancellationToken, bool awaitedByCaller = true, List<string>? finishedDescriptors = null)
    {
        var succeeded = d.Status == McasStatus.Succeeded;
        var firstUnrecorded = FirstUnrecorded(d);
        var seal = !succeeded && firstUnrecorded < d.Items.Length && d.Items[firstUnrecorded].ExpectAbsent;
        // Releases and undos go out as one wave (one write per server); seals read and retry, so each runs on its own.
        var wave = new ReleaseWave(_client.NewWave(d.Items.Length + (finishedDescriptors?.Count ?? 0)));
        List<Task>? seals = null;
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
            else if (seal && i > firstUnrecorded && recorded == 0 && !d.Items[i].ExpectAbsent)
            {
                (seals ??= []).Add(SealAsync(d, d.Items[i], cancellationToken));
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
        if (wave.Count == 0 && seals is null)
        {
            return;
        }
        if (awaitedByCaller)
        {
            McasMetrics.RoundTrips.Add(1);
        }
        McasMetrics.Requests.Add(releases);
        var released = wave.SendAndAwaitAsync(releases, _client.Logger, cancellationToken);
        if (seals is not null)
        {
            await Task.WhenAll(seals).ConfigureAwait(false);
        }
        await released.ConfigureAwait(false);
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

    /// <summary>
    /// Rewrites a key phase 1 never reached with its unchanged old value, CAS'd on the token the operation
    /// expected, so that token is spent. If a late marker of ours got there first, it is undone instead.
    /// </summary>
    private async Task SealAsync(Descriptor d, DescriptorItem item, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxReadAttempts; attempt++)
        {
            McasMetrics.Requests.Add(1);
            var sealedResult = await _client.CompareAndSetAsync(item.Key, item.OldValue!, new CasToken(item.ExpectedCas), ToExpiry(item.OldExpires), item.OldFlags, cancellationToken).ConfigureAwait(false);
            if (sealedResult.Status != StoreStatus.Exists)
            {
                return; // sealed, or the key is gone: either way the expected token can never match again
            }
            var (value, _) = await ReadAsync(item.Key, cancellationToken).ConfigureAwait(false);
            if (StoredRecordCodec.TryDecodeMarker(value) is not { } marker || marker.DescriptorKey != d.Key)
            {
                return; // the key changed since the operation read it: its token is spent already
            }
            McasMetrics.OrphansUndone.Add(1);
            await ReleaseAsync(item, value.Cas, succeeded: false, cancellationToken).ConfigureAwait(false);
        }
        throw Contended(item.Key, MaxReadAttempts);
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

    /// <summary>Phase 1 acquires items in order, so the decided record is a prefix: the first item without a token is where it stopped.</summary>
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
