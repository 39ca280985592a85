namespace Memstore.Mcas;

public sealed partial class McasClient
{
    /// <summary>
    /// Explicit repair after corruption: every listed key that still points to a vanished descriptor is
    /// reset to the value the caller gives (or deleted). Keys owned by a live operation are helped to finish
    /// and keys holding plain values are left alone. Returns the keys that were reset.
    /// </summary>
    public async ValueTask<IReadOnlyList<string>> RepairAsync(IReadOnlyList<McasRepair> repairs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repairs);
        foreach (var repair in repairs)
        {
            ArgumentException.ThrowIfNullOrEmpty(repair.Key);
            if ((repair.Flags & MemstoreWireFormat.ReservedFlag) != 0)
            {
                throw new ArgumentException($"Client flags for {repair.Key} use the reserved bit 31.", nameof(repairs));
            }
        }
        var results = await Task.WhenAll(repairs.Select(repair => RepairOneAsync(repair, cancellationToken).AsTask())).ConfigureAwait(false);
        return [.. repairs.Where((_, i) => results[i]).Select(repair => repair.Key)];
    }

    private async ValueTask<bool> RepairOneAsync(McasRepair repair, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (value, _) = await ReadAsync(repair.Key, cancellationToken).ConfigureAwait(false);
            if (StoredRecordCodec.TryDecodeMarker(value) is not { } marker)
            {
                return false;
            }
            var descriptor = await LoadDescriptorAsync(marker.DescriptorKey, cancellationToken).ConfigureAwait(false);
            if (descriptor is not null || marker.OverAbsent)
            {
                // A live operation is helped to its end; a late marker over an absent key is simply undone.
                await ResolveForeignMarkerAsync(repair.Key, marker, value.Cas, new MissingDescriptorCheck(), chain: null, "repairing it", cancellationToken).ConfigureAwait(false);
                continue;
            }
            var done = repair.Value is { } bytes
                ? (await _client.CompareAndSetAsync(repair.Key, bytes.Span, value.Cas, repair.Expiry, repair.Flags, cancellationToken).ConfigureAwait(false)).Stored
                : await _client.DeleteAsync(repair.Key, value.Cas, cancellationToken).ConfigureAwait(false) == DeleteStatus.Deleted;
            if (done)
            {
                return true;
            }
        }
    }
}
