namespace Memstore.Mcas;

public sealed partial class McasClient
{
    /// <summary>
    /// Drives an operation to its end: phase 1 (install markers in key order), decide (retried until the
    /// stored status is final), phase 2 (release every key still holding our marker), clean-up.
    /// Run by the owner and by any reader that meets one of its markers.
    /// </summary>
    private async ValueTask<(bool Succeeded, string? FailedKey)> HelpAsync(Descriptor d, bool owner, int depth, CancellationToken cancellationToken)
    {
        if (depth > MaxHelpDepth)
        {
            throw new InvalidOperationException($"MCAS helping nested deeper than {MaxHelpDepth} operations at descriptor {d.Key}.");
        }
        var tokens = new CasToken[d.Items.Length];
        string? failedKey = null;
        var decidedByUs = false;
        if (d.Status == McasStatus.Undecided)
        {
            var outcome = McasStatus.Succeeded;
            for (var i = 0; i < d.Items.Length && outcome == McasStatus.Succeeded; i++)
            {
                (tokens[i], var acquired) = await AcquireAsync(d, d.Items[i], depth, cancellationToken).ConfigureAwait(false);
                if (!acquired)
                {
                    outcome = McasStatus.Failed;
                    failedKey = d.Items[i].Key;
                }
            }
            if (owner && outcome == McasStatus.Succeeded && AfterPhase1ForTesting is { } hook)
            {
                await hook(d.Key, [.. d.Items.Select(item => item.Key)], cancellationToken).ConfigureAwait(false);
            }
            decidedByUs = await DecideAsync(d, outcome, tokens, owner, cancellationToken).ConfigureAwait(false);
        }
        await ReleaseAllAsync(d, tokens, readUnknown: !decidedByUs, cancellationToken).ConfigureAwait(false);
        await CleanUpAsync(d, owner, cancellationToken).ConfigureAwait(false);
        var succeeded = d.Status == McasStatus.Succeeded;
        if (owner && !succeeded)
        {
            McasMetrics.Conflicts.Add(1);
        }
        return (succeeded, succeeded ? null : failedKey ?? d.Items[0].Key);
    }

    /// <summary>Phase 1 for one item: our marker's token and true, or false when the key no longer matches.</summary>
    private async ValueTask<(CasToken Token, bool Acquired)> AcquireAsync(Descriptor d, DescriptorItem item, int depth, CancellationToken cancellationToken)
    {
        var marker = WireCodec.EncodeMarker(d.Key);
        // The marker lives as long as the longer of the old and new value, so a slow release loses nothing.
        var markerExpiry = item.OldExpires == 0 || item.NewExpires == 0 ? null : ToExpiry(Math.Max(item.OldExpires, item.NewExpires));
        string? missing = null;
        var missingCas = CasToken.None;
        while (true)
        {
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
            var owner = WireCodec.TryDecodeMarker(value);
            if (owner == d.Key)
            {
                return (value.Cas, true);
            }
            if (owner is null)
            {
                return (CasToken.None, false);
            }
            McasMetrics.RoundTrips.Add(1);
            var other = await LoadDescriptorAsync(owner, cancellationToken).ConfigureAwait(false);
            if (other is null)
            {
                if (missing == owner && missingCas == value.Cas)
                {
                    throw Corruption(owner, [item.Key], $"MCAS {d.Key} cannot acquire it; McasClient.RepairAsync resets the key.");
                }
                (missing, missingCas) = (owner, value.Cas);
                await Task.Delay(MissingRecheckDelay, cancellationToken).ConfigureAwait(false);
                continue;
            }
            McasMetrics.Helps.Add(1);
            await HelpAsync(other, owner: false, depth + 1, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// CASes the status from UNDECIDED to <paramref name="outcome"/>, reloading and repeating until the stored
    /// status is final (a reload that still says UNDECIDED is not a failure). True when our CAS decided it.
    /// </summary>
    private async ValueTask<bool> DecideAsync(Descriptor d, McasStatus outcome, CasToken[] tokens, bool owner, CancellationToken cancellationToken)
    {
        while (true)
        {
            var decided = new Descriptor { Key = d.Key, Id = d.Id, Status = outcome, Items = d.Items };
            McasMetrics.RoundTrips.Add(1);
            McasMetrics.Requests.Add(1);
            var stored = await _client.CompareAndSetAsync(d.Key, WireCodec.EncodeDescriptor(decided), d.Cas, _options.DescriptorTtl, MemstoreWireFormat.ReservedFlag, cancellationToken).ConfigureAwait(false);
            if (stored.Stored)
            {
                d.Status = outcome;
                d.Cas = stored.Cas;
                return true;
            }
            McasMetrics.RoundTrips.Add(1);
            var reloaded = stored.Status == StoreStatus.NotFound ? null : await LoadDescriptorAsync(d.Key, cancellationToken).ConfigureAwait(false);
            if (reloaded is null)
            {
                await DescriptorVanishedAsync(d, outcome, tokens, owner, cancellationToken).ConfigureAwait(false);
                return false;
            }
            d.Cas = reloaded.Cas;
            if (reloaded.Status != McasStatus.Undecided)
            {
                d.Status = reloaded.Status;
                return false;
            }
        }
    }

    /// <summary>
    /// The descriptor is gone before we could decide. A helper's late install of a finished, cleaned-up
    /// operation lands here: such an install can only succeed if the operation failed, so undo it. The owner
    /// cannot know the outcome and reports corruption after releasing what it holds.
    /// </summary>
    private async ValueTask DescriptorVanishedAsync(Descriptor d, McasStatus outcome, CasToken[] tokens, bool owner, CancellationToken cancellationToken)
    {
        d.Status = owner ? outcome : McasStatus.Failed;
        await ReleaseAllAsync(d, tokens, readUnknown: false, cancellationToken).ConfigureAwait(false);
        if (owner)
        {
            throw Corruption(d.Key, [.. d.Items.Select(item => item.Key)], "The descriptor vanished before the operation was decided; its outcome is unknown. Read the keys again.");
        }
    }

    /// <summary>Phase 2, one wave: every key that still holds our marker gets its new (or old) value.</summary>
    private async ValueTask ReleaseAllAsync(Descriptor d, CasToken[] tokens, bool readUnknown, CancellationToken cancellationToken)
    {
        var succeeded = d.Status == McasStatus.Succeeded;
        var releases = new List<Task>(d.Items.Length);
        for (var i = 0; i < d.Items.Length; i++)
        {
            if (tokens[i].HasValue)
            {
                releases.Add(ReleaseAsync(d.Items[i], tokens[i], succeeded, cancellationToken));
            }
            else if (readUnknown)
            {
                releases.Add(ReadThenReleaseAsync(d, d.Items[i], succeeded, cancellationToken));
            }
        }
        if (releases.Count > 0)
        {
            McasMetrics.RoundTrips.Add(readUnknown ? 2 : 1);
            await Task.WhenAll(releases).ConfigureAwait(false);
        }
    }

    private async Task ReadThenReleaseAsync(Descriptor d, DescriptorItem item, bool succeeded, CancellationToken cancellationToken)
    {
        var (value, _) = await ReadAsync(item.Key, cancellationToken).ConfigureAwait(false);
        if (WireCodec.TryDecodeMarker(value) == d.Key)
        {
            await ReleaseAsync(item, value.Cas, succeeded, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>CASes the marker away; a mismatch means someone else already released the key.</summary>
    private async Task ReleaseAsync(DescriptorItem item, CasToken marker, bool succeeded, CancellationToken cancellationToken)
    {
        McasMetrics.Requests.Add(1);
        var (value, flags, expires) = succeeded
            ? (item.NewValue, item.NewFlags, item.NewExpires)
            : (item.ExpectAbsent ? null : item.OldValue, item.OldFlags, item.OldExpires);
        if (value is null)
        {
            await _client.DeleteAsync(item.Key, marker, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _client.CompareAndSetAsync(item.Key, value, marker, ToExpiry(expires), flags, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The owner deletes its descriptor (queued into its next wave); a helper only shortens its life so the owner can still read the outcome.</summary>
    private async ValueTask CleanUpAsync(Descriptor d, bool owner, CancellationToken cancellationToken)
    {
        if (owner)
        {
            _finished.Enqueue(d.Key);
            if (_finished.Count > 256)
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            return;
        }
        McasMetrics.RoundTrips.Add(1);
        McasMetrics.Requests.Add(1);
        await _client.TouchAsync(d.Key, _options.HelperLinger, cancellationToken).ConfigureAwait(false);
    }
}
