namespace Memstore.Mcas;

/// <summary>What helping (or a reader meeting the marker) would do to one key that holds an MCAS marker.</summary>
internal enum McasKeyAction
{
    /// <summary>The key gets the operation's new value (or is deleted when the new value is "delete").</summary>
    RollForward,

    /// <summary>The key gets back the value the operation read (or is deleted when it was absent).</summary>
    RollBack,

    /// <summary>The operation is undecided and its outcome depends on a key another operation holds.</summary>
    DependsOnOtherOperation,

    /// <summary>The descriptor is gone and the marker was installed over an absent key: a reader deletes the marker.</summary>
    DeleteOrphan,

    /// <summary>The descriptor is gone and the marker replaced a value, which is lost (corruption).</summary>
    DescriptorMissing,

    /// <summary>The descriptor does not list the key: a protocol error; nothing acts on it.</summary>
    NotListed,
}

/// <summary>Where one descriptor item stands now, as read by an inspection.</summary>
internal enum McasItemState
{
    /// <summary>The key holds a marker of this operation.</summary>
    HeldByThisOperation,

    /// <summary>The key still is as the operation read it (same CAS token, or still absent): phase 1 can take it.</summary>
    AsRead,

    /// <summary>
    /// The key holds another operation's marker: at a key expected absent phase 1 first helps that one; at a key
    /// expected to hold a value it fails there (the CAS token it read is spent).
    /// </summary>
    HeldByOtherOperation,

    /// <summary>The key changed since the operation read it: phase 1 fails there.</summary>
    Changed,
}

/// <summary>An inspection's verdict for one key: the action, and why, in a sentence.</summary>
internal sealed record McasKeyPlan(McasKeyAction Action, string Reason);

public sealed partial class McasClient
{
    /// <summary>
    /// Where a descriptor's item stands given what its key holds now (<paramref name="current"/>, read with its CAS
    /// token): the same tests phase 1 makes (docs/mcas.md 4.3) without writing anything.
    /// </summary>
    internal static McasItemState ItemState(Descriptor d, DescriptorItem item, in CacheValue current)
    {
        if (StoredRecordCodec.TryDecodeMarker(current) is { } marker)
        {
            return marker.DescriptorKey == d.Key ? McasItemState.HeldByThisOperation : McasItemState.HeldByOtherOperation;
        }
        var asRead = item.ExpectAbsent ? !current.Found : current.Found && current.Cas.Value == item.ExpectedCas;
        return asRead ? McasItemState.AsRead : McasItemState.Changed;
    }

    /// <summary>
    /// What helping would do to <paramref name="key"/>, which holds <paramref name="marker"/> with CAS token
    /// <paramref name="markerCas"/>, whose descriptor is <paramref name="d"/> (null: missing). Decided operations
    /// follow phase 2 exactly: the recorded marker gets the outcome, any other marker of the operation is undone.
    /// An undecided one is predicted from <paramref name="itemStates"/> (one per item, from
    /// <see cref="ItemState"/>): phase 1 succeeds if it can take every key, and fails if any one cannot be taken.
    /// Nothing is written; the prediction holds only while no other participant acts.
    /// </summary>
    internal static McasKeyPlan Plan(string key, Marker marker, ulong markerCas, Descriptor? d, IReadOnlyList<McasItemState> itemStates)
    {
        if (d is null)
        {
            return marker.OverAbsent
                ? new(McasKeyAction.DeleteOrphan, "the descriptor is gone and the marker was installed over an absent key: a reader deletes the marker (the key was absent before it)")
                : new(McasKeyAction.DescriptorMissing, "the value the marker replaced is lost (evicted, flushed or expired descriptor); McasClient.RepairAsync resets the key to a value you give");
        }
        var index = d.IndexOf(key);
        if (index < 0)
        {
            return new(McasKeyAction.NotListed, $"the descriptor {d.Key} does not list {key}: a protocol error; nothing acts on it");
        }
        var item = d.Items[index];
        if (d.Status != McasStatus.Undecided)
        {
            var recorded = d.RecordedAt(index);
            if (recorded != markerCas)
            {
                return new(McasKeyAction.RollBack, $"this marker (cas {markerCas}) is not the one the decide recorded ({recorded}): it was installed late and is undone, {OldText(item)}");
            }
            return d.Status == McasStatus.Succeeded
                ? new(McasKeyAction.RollForward, $"the operation succeeded: {NewText(item)}")
                : new(McasKeyAction.RollBack, $"the operation failed: {OldText(item)}");
        }
        // Phase 1 settles every key before it decides (docs/mcas.md 4.3): one key that cannot be taken fails the
        // operation, whatever the others say; only a key expected absent waits for the operation holding it.
        for (var i = 0; i < d.Items.Length; i++)
        {
            if (itemStates[i] == McasItemState.Changed)
            {
                return new(McasKeyAction.RollBack, $"undecided; {d.Items[i].Key} changed since the operation read it, so phase 1 fails there and the operation is decided failed: {OldText(item)}");
            }
            if (itemStates[i] == McasItemState.HeldByOtherOperation && !d.Items[i].ExpectAbsent)
            {
                return new(McasKeyAction.RollBack, $"undecided; {d.Items[i].Key} is held by another operation, whose marker spent the CAS token this one read, so phase 1 fails there and the operation is decided failed: {OldText(item)}");
            }
        }
        for (var i = 0; i < d.Items.Length; i++)
        {
            if (itemStates[i] == McasItemState.HeldByOtherOperation)
            {
                return new(McasKeyAction.DependsOnOtherOperation, $"undecided; {d.Items[i].Key}, expected absent, is held by another operation, which a helper finishes first: the outcome depends on it");
            }
        }
        return new(McasKeyAction.RollForward, $"undecided; every key is held or still as read, so phase 1 completes and the operation is decided succeeded: {NewText(item)}");
    }

    private static string NewText(DescriptorItem item) => item.NewValue is null
        ? $"{item.Key} is deleted (the new value is \"delete\")"
        : $"{item.Key} gets the new value ({item.NewValue.Length} bytes, flags {item.NewFlags})";

    private static string OldText(DescriptorItem item) => item.ExpectAbsent || item.OldValue is null
        ? $"{item.Key} is deleted (it was absent before)"
        : $"{item.Key} gets back its old value ({item.OldValue.Length} bytes, flags {item.OldFlags})";
}
