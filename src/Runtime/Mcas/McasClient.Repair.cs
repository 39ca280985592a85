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
            var marker = WireCodec.TryDecodeMarker(value);
            if (marker is null)
            {
                return false;
            }
            var descriptor = await LoadDescriptorAsync(marker, cancellationToken).ConfigureAwait(false);
            if (descriptor is not null)
            {
                await HelpAsync(descriptor, owner: false, depth: 0, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var done = repair.Value is { } bytes
                ? (await _client.CompareAndSetAsync(repair.Key, bytes, value.Cas, repair.Expiry, repair.Flags, cancellationToken).ConfigureAwait(false)).Stored
                : await _client.DeleteAsync(repair.Key, value.Cas, cancellationToken).ConfigureAwait(false) == DeleteStatus.Deleted;
            if (done)
            {
                return true;
            }
        }
    }
}
