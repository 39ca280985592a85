using System.Runtime.CompilerServices;
using System.Text;

namespace Memstore.Mcas;

public sealed partial class McasClient
{
    /// <summary>How many random ids per server the owner tries to find one whose descriptor lands with the first key.</summary>
    private const int PlacementTriesPerServer = 8;

    /// <summary>Testing only: the next descriptor id (32 lowercase hex digits) instead of a random one.</summary>
    internal Func<string>? DescriptorIdForTesting { get; set; }

    /// <summary>
    /// A fresh descriptor id and key, preferably one whose key the ring places on the same server as
    /// <paramref name="firstKey"/> (docs/mcas.md 4.2, "Descriptor with the first key"): random ids are drawn until
    /// one lands there, at most <see cref="PlacementTriesPerServer"/> per server; with one server the first does.
    /// Placement uses the ring exactly as every reader locates a key, so nothing changes for other participants.
    /// </summary>
    private (string Id, string Key, bool Colocated) NewDescriptorKey(string firstKey)
    {
        if (DescriptorIdForTesting is { } next)
        {
            var fixedId = next();
            var fixedKey = _options.KeyPrefix + "mcas:" + fixedId;
            return (fixedId, fixedKey, _client.ServerIndexOf(Encoding.UTF8.GetBytes(fixedKey)) == _client.ServerIndexOf(Encoding.UTF8.GetBytes(firstKey)));
        }
        var servers = _client.Servers.Count;
        var prefix = _descriptorKeyPrefix;
        Span<byte> key = stackalloc byte[prefix.Length + 32];
        prefix.CopyTo(key);
        var id = key[prefix.Length..];
        var target = servers == 1 ? 0 : _client.ServerIndexOf(Encoding.UTF8.GetBytes(firstKey));
        var colocated = false;
        for (var attempt = 0; attempt < PlacementTriesPerServer * servers && !colocated; attempt++)
        {
            Guid.NewGuid().TryFormat(id, out _, "N");
            colocated = servers == 1 || _client.ServerIndexOf(key) == target;
        }
        return (Encoding.ASCII.GetString(id), Encoding.UTF8.GetString(key), colocated);
    }

    /// <summary>
    /// Sends the descriptor's add and the first marker's install as one write on the first key's connection
    /// (the descriptor first). False when the routing or the connection does not allow it right now.
    /// </summary>
    private bool TryAddWithFirstMarker(Descriptor d, byte[] encoded, CancellationToken cancellationToken, out ValueTask<StoreResult> add, out ValueTask<StoreResult> install)
    {
        var first = d.Items[0];
        var marker = StoredRecordCodec.EncodeMarker(d.Key, first.ExpectAbsent);
        return _client.TryStoreInOrder(
            new OrderedStore(StoreMode.Add, d.Key, encoded, _options.DescriptorTtl, MemstoreWireFormat.ReservedFlag, CasToken.None),
            first.ExpectAbsent
                ? new OrderedStore(StoreMode.Add, first.Key, marker, MarkerExpiry(first), MemstoreWireFormat.ReservedFlag, CasToken.None)
                : new OrderedStore(StoreMode.Set, first.Key, marker, MarkerExpiry(first), MemstoreWireFormat.ReservedFlag, new CasToken(first.ExpectedCas)),
            cancellationToken, out add, out install);
    }

    /// <summary>
    /// Settles the first wave when the descriptor and the first marker went out together. memcached executed the
    /// add before the install, so an installed marker whose descriptor was not stored points at nothing: it is put
    /// back at once (CAS'd on its token) before the error is reported. Readers that meet it meanwhile see a missing
    /// descriptor once and look again (docs/mcas.md 4.1).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(bool Succeeded, string? FailedKey)> StartedWithFirstMarkerAsync(Descriptor d, ValueTask<StoreResult> add, ValueTask<StoreResult> install, CancellationToken cancellationToken)
    {
        var (added, addError) = await OutcomeOf(add).ConfigureAwait(false);
        var (installed, installError) = await OutcomeOf(install).ConfigureAwait(false);
        if (added.Stored)
        {
            d.Cas = added.Cas;
            if (installError is not null)
            {
                throw installError; // as when any install fails: the operation stays undecided for readers to finish
            }
            return installed.Stored
                ? await HelpAsync(d, owner: true, depth: 0, (0, installed.Cas), cancellationToken, alreadyAcquired: 1).ConfigureAwait(false)
                : await HelpAsync(d, owner: true, depth: 0, (-1, CasToken.None), cancellationToken).ConfigureAwait(false);
        }
        if (installed.Stored && addError is not null)
        {
            // The add's reply is lost, but memcached executed it before the install: the descriptor says how it went.
            McasMetrics.Requests.Add(1);
            var value = await _client.GetAsync(d.Key, CancellationToken.None).ConfigureAwait(false);
            if (value.Found && StoredRecordCodec.DecodeDescriptor(d.Key, value) is { } loaded && loaded.Id == d.Id)
            {
                return await HelpAsync(loaded, owner: true, depth: 0, (0, installed.Cas), cancellationToken, alreadyAcquired: loaded.Status == McasStatus.Undecided ? 1 : 0).ConfigureAwait(false);
            }
        }
        if (installed.Stored)
        {
            await UndoFirstMarkerAsync(d, installed.Cas).ConfigureAwait(false);
        }
        else if (installError is not null)
        {
            await UndoOrphanedFirstMarkerAsync(d).ConfigureAwait(false);
        }
        throw addError ?? DescriptorNotAdded(d, added.Status);
    }

    /// <summary>Puts back what the first marker replaced; CAS'd on its token, so nothing that came after is touched.</summary>
    private async ValueTask UndoFirstMarkerAsync(Descriptor d, CasToken marker)
    {
        McasMetrics.RoundTrips.Add(1);
        McasMetrics.OrphansUndone.Add(1);
        McasLog.FirstMarkerUndone(_client.Logger, d.Key);
        await ReleaseAsync(d.Items[0], marker, succeeded: false, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Neither the add nor the install was answered. If the first key holds our marker and the descriptor is
    /// absent, the add failed and the marker is put back; best effort (the connection may still be down), since the
    /// error is reported anyway.
    /// </summary>
    private async ValueTask UndoOrphanedFirstMarkerAsync(Descriptor d)
    {
        try
        {
            McasMetrics.RoundTrips.Add(1);
            var (value, _) = await ReadAsync(d.Items[0].Key, CancellationToken.None).ConfigureAwait(false);
            if (StoredRecordCodec.TryDecodeMarker(value) is { } marker && marker.DescriptorKey == d.Key
                && await LoadDescriptorAsync(d.Key, CancellationToken.None).ConfigureAwait(false) is null)
            {
                await UndoFirstMarkerAsync(d, value.Cas).ConfigureAwait(false);
            }
        }
        catch (MemcacheException)
        {
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<(StoreResult Result, Exception? Error)> OutcomeOf(ValueTask<StoreResult> pending)
    {
        try
        {
            return (await pending.ConfigureAwait(false), null);
        }
#pragma warning disable CA1031 // Any failure, cancellation included, leaves the other request's outcome to settle first.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return (default, ex);
        }
    }

    private static InvalidOperationException DescriptorNotAdded(Descriptor d, StoreStatus status) =>
        new($"Could not add the MCAS descriptor {d.Key} ({status}).");
}
