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
        var target = servers == 1 ? 0 : ServerOf(firstKey);
        var colocated = false;
        for (var attempt = 0; attempt < PlacementTriesPerServer * servers && !colocated; attempt++)
        {
            Guid.NewGuid().TryFormat(id, out _, "N");
            colocated = servers == 1 || _client.ServerIndexOf(key) == target;
        }
        return (Encoding.ASCII.GetString(id), Encoding.UTF8.GetString(key), colocated);
    }

    /// <summary>
    /// Sends the descriptor's add and, right behind it on the same connection, the install of every item whose key lives
    /// on the descriptor's server, as one write (docs/mcas.md 4.2, "Descriptor with the first key"). Returns the indexes
    /// of those items, or null, with nothing sent, when the routing or the connection does not allow it right now.
    /// </summary>
    private int[]? TryAddWithMarkers(Descriptor d, byte[] encoded, CancellationToken cancellationToken, out ValueTask<StoreResult>[] results)
    {
        // NewDescriptorKey placed the descriptor with item 0; the other items that share that server join it, unless
        // this phase 1 takes the keys in order.
        var servers = _client.Servers.Count;
        var server = servers == 1 ? 0 : ServerOf(d.Items[0].Key);
        Span<bool> with = d.Items.Length <= 256 ? stackalloc bool[d.Items.Length] : new bool[d.Items.Length];
        var count = 0;
        for (var i = 0; i < d.Items.Length; i++)
        {
            with[i] = i == 0 || (!d.AcquireInOrder && (servers == 1 || ServerOf(d.Items[i].Key) == server));
            count += with[i] ? 1 : 0;
        }
        var sentWith = new int[count];
        var stores = new OrderedWrite[count + 1];
        stores[0] = new OrderedWrite(StoreMode.Add, d.Key, encoded, _options.DescriptorTtl, MemstoreWireFormat.ReservedFlag, CasToken.None);
        var markers = new MarkerBytes(d.Key);
        for (int i = 0, j = 0; i < d.Items.Length; i++)
        {
            if (!with[i])
            {
                continue;
            }
            var item = d.Items[i];
            sentWith[j++] = i;
            stores[j] = item.ExpectAbsent
                ? new OrderedWrite(StoreMode.Add, item.Key, markers.For(item), MarkerExpiry(item), MemstoreWireFormat.ReservedFlag, CasToken.None)
                : new OrderedWrite(StoreMode.Set, item.Key, markers.For(item), MarkerExpiry(item), MemstoreWireFormat.ReservedFlag, new CasToken(item.ExpectedCas));
        }
        results = new ValueTask<StoreResult>[stores.Length];
        return _client.TryWriteInOrder(stores, results, cancellationToken) ? sentWith : null;
    }

    /// <summary>The ring's server for a key, hashed from its UTF-8 bytes without allocating them.</summary>
    private int ServerOf(string key)
    {
        var length = Encoding.UTF8.GetByteCount(key);
        Span<byte> bytes = length <= 512 ? stackalloc byte[length] : new byte[length];
        Encoding.UTF8.GetBytes(key, bytes);
        return _client.ServerIndexOf(bytes);
    }

    /// <summary>
    /// Settles the first wave when the descriptor and markers went out together. memcached executed the add before the
    /// installs, so an installed marker whose descriptor was not stored points at nothing: it is put back at once (CAS'd
    /// on its token) before the error is reported. Readers that meet it meanwhile see a missing descriptor once and look
    /// again (docs/mcas.md 4.1).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(bool Succeeded, string? FailedKey)> StartedWithMarkersAsync(Descriptor d, int[] sentWith, ValueTask<StoreResult>[] results, CancellationToken cancellationToken)
    {
        var (added, addError) = await OutcomeOf(results[0]).ConfigureAwait(false);
        var mine = new CasToken[d.Items.Length];
        Exception? installError = null;
        List<int>? unanswered = null;
        for (var j = 0; j < sentWith.Length; j++)
        {
            var (installed, error) = await OutcomeOf(results[j + 1]).ConfigureAwait(false);
            if (error is not null)
            {
                installError ??= error;
                (unanswered ??= []).Add(sentWith[j]);
            }
            else if (installed.Stored)
            {
                mine[sentWith[j]] = installed.Cas;
            }
        }
        if (addError is null && added.Stored)
        {
            d.Cas = added.Cas;
            if (installError is not null)
            {
                throw installError; // as when any install fails: the operation stays undecided for readers to finish
            }
            return await HelpAsync(d, owner: true, outer: null, (-1, CasToken.None), cancellationToken, mine).ConfigureAwait(false);
        }
        var anyInstalled = mine.Any(token => token.HasValue);
        if (anyInstalled && addError is not null)
        {
            // The add's reply is lost, but memcached executed it before the installs: the descriptor says how it went.
            McasMetrics.Requests.Add(1);
            var value = await _client.GetAsync(d.Key, CancellationToken.None).ConfigureAwait(false);
            if (value.Found && StoredRecordCodec.DecodeDescriptor(d.Key, value) is { } stored && stored.Id == d.Id)
            {
                stored.AcquireInOrder = d.AcquireInOrder;
                return await HelpAsync(stored, owner: true, outer: null, (-1, CasToken.None), cancellationToken, mine).ConfigureAwait(false);
            }
        }
        for (var i = 0; i < mine.Length; i++)
        {
            if (mine[i].HasValue)
            {
                await UndoUnlinkedMarkerAsync(d, i, mine[i]).ConfigureAwait(false);
            }
        }
        foreach (var i in unanswered ?? [])
        {
            await UndoOrphanedMarkerAsync(d, i).ConfigureAwait(false);
        }
        // Refused unsent (server marked dead, unreachable, silent): the installs linked behind it were not sent either.
        d.NothingSent = addError is MemcacheException { NotSent: true } && !anyInstalled && unanswered is { Count: var n } && n == sentWith.Length;
        throw addError ?? DescriptorNotAdded(d, added.Status);
    }

    /// <summary>Puts back what a marker without a descriptor replaced; CAS'd on its token, so nothing that came after is touched.</summary>
    private async ValueTask UndoUnlinkedMarkerAsync(Descriptor d, int index, CasToken marker)
    {
        McasMetrics.RoundTrips.Add(1);
        McasMetrics.OrphansUndone.Add(1);
        McasLog.FirstMarkerUndone(_client.Logger, d.Key);
        await ReleaseAsync(d.Items[index], marker, succeeded: false, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Neither the add nor an install was answered. If the key holds our marker and the descriptor is absent, the add
    /// failed and the marker is put back; best effort (the connection may still be down), since the error is reported anyway.
    /// </summary>
    private async ValueTask UndoOrphanedMarkerAsync(Descriptor d, int index)
    {
        try
        {
            McasMetrics.RoundTrips.Add(1);
            var (value, _) = await ReadAsync(d.Items[index].Key, CancellationToken.None).ConfigureAwait(false);
            if (StoredRecordCodec.TryDecodeMarker(value) is { } marker && marker.DescriptorKey == d.Key
                && await LoadDescriptorAsync(d.Key, CancellationToken.None).ConfigureAwait(false) is null)
            {
                await UndoUnlinkedMarkerAsync(d, index, value.Cas).ConfigureAwait(false);
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
