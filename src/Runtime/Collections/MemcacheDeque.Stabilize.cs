using Memstore.Mcas;

namespace Memstore.Collections;

public sealed partial class MemcacheDeque
{
    /// <summary>
    /// Completes a push: links the old end node to the new one, then CASes the anchor back to STABLE.
    /// The old end is written only while the anchor is still the one that asked for it (checked after
    /// reading the node), or with the token of this handle's own write of it.
    /// </summary>
    private async ValueTask StabilizeAsync(Anchor anchor, CasToken cas, CancellationToken cancellationToken)
    {
        if (anchor.Status == AnchorStatus.Stable)
        {
            return;
        }
        var right = anchor.Status == AnchorStatus.RightPush;
        var newKey = right ? anchor.Right! : anchor.Left!;
        var newNode = Known(newKey)?.Node ?? await ReadNodeAsync(newKey, cas, cancellationToken).ConfigureAwait(false);
        if (newNode is null)
        {
            return; // the anchor moved on: someone else finished this push
        }
        var oldKey = (right ? newNode.Left : newNode.Right) ?? throw Corruption($"pushed node {newKey} has no link to the old end", newKey);
        if (!await LinkAsync(oldKey, newKey, right, anchor, cas, cancellationToken).ConfigureAwait(false))
        {
            return;
        }
        await CasAnchorAsync(anchor with { Status = AnchorStatus.Stable }, cas, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sets the old end's link to the new node. False when the anchor changed (someone else stabilized).</summary>
    private async ValueTask<bool> LinkAsync(string oldKey, string newKey, bool right, Anchor anchor, CasToken anchorCas, CancellationToken cancellationToken)
    {
        if (Known(oldKey) is { } mine && (right ? mine.Node.Right : mine.Node.Left) != newKey)
        {
            // Unchanged since our own write means nobody has stabilized this anchor yet, so no re-check is needed.
            if (await CasNodeAsync(oldKey, Linked(mine.Node, newKey, right), mine.Cas, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }
        Count();
        var read = await _client.GetAsync(oldKey, cancellationToken).ConfigureAwait(false);
        var (current, currentCas) = await ReadAnchorAsync(cancellationToken).ConfigureAwait(false);
        if (currentCas != anchorCas)
        {
            return false;
        }
        if (!read.Found)
        {
            throw Corruption($"node {oldKey} is missing while the anchor still needs it", oldKey);
        }
        var old = DequeCodec.DecodeNode(oldKey, read);
        if ((right ? old.Right : old.Left) == newKey)
        {
            return true;
        }
        _ = current;
        return await CasNodeAsync(oldKey, Linked(old, newKey, right), read.Cas, cancellationToken).ConfigureAwait(false);
    }

    private static Node Linked(Node node, string newKey, bool right) => right ? node with { Right = newKey } : node with { Left = newKey };

    private async ValueTask WriteNodeAsync(string key, Node node, CancellationToken cancellationToken)
    {
        Count();
        var stored = await _client.SetAsync(key, DequeCodec.EncodeNode(node), null, MemstoreWireFormat.ReservedFlag, cancellationToken).ConfigureAwait(false);
        Remember(key, stored.Cas, node);
    }

    private async ValueTask<bool> CasNodeAsync(string key, Node node, CasToken cas, CancellationToken cancellationToken)
    {
        Count();
        var stored = await _client.CompareAndSetAsync(key, DequeCodec.EncodeNode(node), cas, null, MemstoreWireFormat.ReservedFlag, cancellationToken).ConfigureAwait(false);
        if (stored.Stored)
        {
            Remember(key, stored.Cas, node);
        }
        return stored.Stored;
    }

    /// <summary>Reads a node. Missing while the anchor is unchanged, twice in a row, is corruption; missing after the anchor moved returns null.</summary>
    private async ValueTask<Node?> ReadNodeAsync(string key, CasToken anchorCas, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            Count();
            var value = await _client.GetAsync(key, cancellationToken).ConfigureAwait(false);
            if (value.Found)
            {
                return DequeCodec.DecodeNode(key, value);
            }
            var (_, current) = await ReadAnchorAsync(cancellationToken).ConfigureAwait(false);
            if (current != anchorCas)
            {
                return null;
            }
        }
        throw Corruption($"node {key} is missing twice in a row while the anchor points at it", key);
    }

    private async ValueTask<(Anchor Anchor, CasToken Cas)> ReadAnchorAsync(CancellationToken cancellationToken)
    {
        Count();
        var value = await _client.GetAsync(Name, cancellationToken).ConfigureAwait(false);
        if (!value.Found)
        {
            throw Corruption("its anchor is missing", Name);
        }
        var result = (DequeCodec.DecodeAnchor(Name, value), value.Cas);
        lock (_gate)
        {
            _cachedAnchor = result;
        }
        return result;
    }

    /// <summary>CASes the anchor; the new token (which is current, unlike the one read before) on success, else none.</summary>
    private async ValueTask<CasToken> CasAnchorAsync(Anchor next, CasToken cas, CancellationToken cancellationToken)
    {
        Count();
        var stored = await _client.CompareAndSetAsync(Name, DequeCodec.EncodeAnchor(next), cas, null, MemstoreWireFormat.ReservedFlag, cancellationToken).ConfigureAwait(false);
        if (stored.Status == StoreStatus.NotFound)
        {
            throw Corruption("its anchor is missing", Name);
        }
        if (stored.Stored)
        {
            lock (_gate)
            {
                _cachedAnchor = (next, stored.Cas);
            }
        }
        return stored.Cas;
    }

    private (Anchor Anchor, CasToken Cas)? CachedAnchor()
    {
        lock (_gate)
        {
            return _cachedAnchor;
        }
    }

    private (CasToken Cas, Node Node)? Known(string key)
    {
        lock (_gate)
        {
            return _written.TryGetValue(key, out var entry) ? entry : null;
        }
    }

    private void Remember(string key, CasToken cas, Node node)
    {
        lock (_gate)
        {
            if (_written.Count >= 256)
            {
                _written.Clear();
            }
            _written[key] = (cas, node);
        }
    }

    private void Forget(string key)
    {
        lock (_gate)
        {
            _written.Remove(key);
        }
    }
}
