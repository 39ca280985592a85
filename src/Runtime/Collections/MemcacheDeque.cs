using Memstore.Mcas;

namespace Memstore.Collections;

/// <summary>
/// A lock-free double-ended queue shared by any number of processes (M. M. Michael, "CAS-based lock-free
/// algorithm for shared deques", 2003): one anchor entry under the deque's name, CAS'd for every push and
/// pop, and one entry per item. Durability is memcached's: an evicted anchor or node loses items, which is
/// detected and reported as <see cref="DequeCorruptionException"/>; use a dedicated pool with eviction off
/// (<c>memcached -M</c>). Thread-safe. Throughput is bounded by the one anchor: see
/// <see cref="ShardedMemcacheDeque"/> when order across all items is not needed.
/// </summary>
public sealed partial class MemcacheDeque
{
    private readonly MemcacheClient _client;
    private readonly Lock _gate = new();

    // A guess at the current anchor, used only as the compare value of a CAS (a stale guess just fails it).
    private (Anchor Anchor, CasToken Cas)? _cachedAnchor;

    // Nodes this handle wrote, with the token of that write: a CAS on them needs no read first.
    private readonly Dictionary<string, (CasToken Cas, Node Node)> _written = new(StringComparer.Ordinal);

    private MemcacheDeque(MemcacheClient client, string name)
    {
        _client = client;
        Name = name;
    }

    /// <summary>The deque's name: the key of its anchor.</summary>
    public string Name { get; }

    /// <summary>Creates a new, empty deque. Fails with <see cref="DequeNameException"/> if the name exists.</summary>
    public static async ValueTask<MemcacheDeque> CreateAsync(MemcacheClient client, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.RefuseMovingFailover("A deque (MemcacheDeque)");
        ArgumentException.ThrowIfNullOrEmpty(name);
        var added = await client.AddAsync(name, DequeCodec.EncodeAnchor(new Anchor(AnchorStatus.Stable, null, null)), null, MemstoreWireFormat.ReservedFlag, cancellationToken).ConfigureAwait(false);
        if (!added.Stored)
        {
            throw new DequeNameException($"Cannot create deque {name}: the key already exists. Use BindAsync to attach to an existing deque.", name);
        }
        var deque = new MemcacheDeque(client, name);
        deque._cachedAnchor = (new Anchor(AnchorStatus.Stable, null, null), added.Cas);
        return deque;
    }

    /// <summary>Attaches to an existing deque, checking that its anchor exists and is a deque anchor.</summary>
    public static async ValueTask<MemcacheDeque> BindAsync(MemcacheClient client, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.RefuseMovingFailover("A deque (MemcacheDeque)");
        ArgumentException.ThrowIfNullOrEmpty(name);
        var value = await client.GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (!value.Found)
        {
            throw new DequeNameException($"Cannot bind to deque {name}: no such key. Create it first with CreateAsync.", name);
        }
        var deque = new MemcacheDeque(client, name);
        deque._cachedAnchor = (DequeCodec.DecodeAnchor(name, value), value.Cas);
        return deque;
    }

    /// <summary>Appends a value at the right end (Python's <c>append</c>).</summary>
    public ValueTask PushRightAsync(ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        PushAsync(value.ToArray(), right: true, cancellationToken);

    /// <summary>Prepends a value at the left end (Python's <c>appendleft</c>).</summary>
    public ValueTask PushLeftAsync(ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        PushAsync(value.ToArray(), right: false, cancellationToken);

    /// <summary>Removes and returns the rightmost value (<c>pop</c>); not successful when the deque is empty.</summary>
    public ValueTask<DequePopResult> TryPopRightAsync(CancellationToken cancellationToken = default) =>
        PopAsync(right: true, cancellationToken);

    /// <summary>Removes and returns the leftmost value (<c>popleft</c>); not successful when the deque is empty.</summary>
    public ValueTask<DequePopResult> TryPopLeftAsync(CancellationToken cancellationToken = default) =>
        PopAsync(right: false, cancellationToken);

    /// <summary>Finishes a push another client left half done (any client may; pushes and pops do it anyway).</summary>
    public async ValueTask StabilizeAsync(CancellationToken cancellationToken = default)
    {
        var (anchor, cas) = await ReadAnchorAsync(cancellationToken).ConfigureAwait(false);
        await StabilizeAsync(anchor, cas, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the deque holds no items at the moment of the read.</summary>
    public async ValueTask<bool> IsEmptyAsync(CancellationToken cancellationToken = default) =>
        (await ReadAnchorAsync(cancellationToken).ConfigureAwait(false)).Anchor.IsEmpty;

    private async ValueTask PushAsync(byte[] value, bool right, CancellationToken cancellationToken)
    {
        var nodeKey = NewNodeKey();
        string? linkedTo = null;
        var nodeWritten = false;
        var (anchor, cas) = CachedAnchor() ?? await ReadAnchorAsync(cancellationToken).ConfigureAwait(false);
        var failures = 0;
        while (true)
        {
            if (anchor.Status != AnchorStatus.Stable)
            {
                await StabilizeAsync(anchor, cas, cancellationToken).ConfigureAwait(false);
                (anchor, cas) = await ReadAnchorAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            var neighbour = right ? anchor.Right : anchor.Left;
            if (!nodeWritten || neighbour != linkedTo)
            {
                // The node exists before the anchor points at it, so a popper never finds it missing.
                var node = right ? new Node(value, neighbour, null) : new Node(value, null, neighbour);
                await WriteNodeAsync(nodeKey, node, cancellationToken).ConfigureAwait(false);
                (nodeWritten, linkedTo) = (true, neighbour);
            }
            var next = anchor.IsEmpty
                ? new Anchor(AnchorStatus.Stable, nodeKey, nodeKey)
                : right ? new Anchor(AnchorStatus.RightPush, anchor.Left, nodeKey) : new Anchor(AnchorStatus.LeftPush, nodeKey, anchor.Right);
            var stored = await CasAnchorAsync(next, cas, cancellationToken).ConfigureAwait(false);
            if (stored.HasValue)
            {
                await StabilizeAsync(next, stored, cancellationToken).ConfigureAwait(false);
                return;
            }
            await BackOffAsync(++failures, cancellationToken).ConfigureAwait(false);
            (anchor, cas) = await ReadAnchorAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<DequePopResult> PopAsync(bool right, CancellationToken cancellationToken)
    {
        var cached = CachedAnchor();
        var (anchor, cas) = cached is { Anchor.IsEmpty: false } guess ? guess : await ReadAnchorAsync(cancellationToken).ConfigureAwait(false);
        var failures = 0;
        while (true)
        {
            if (anchor.IsEmpty)
            {
                return default;
            }
            if (anchor.Left != anchor.Right && anchor.Status != AnchorStatus.Stable)
            {
                await StabilizeAsync(anchor, cas, cancellationToken).ConfigureAwait(false);
                (anchor, cas) = await ReadAnchorAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            var endKey = right ? anchor.Right! : anchor.Left!;
            // A lone node's links do not matter and its value never changes, so our own write of it is enough.
            var node = anchor.Left == anchor.Right && Known(endKey) is { } mine
                ? mine.Node
                : await ReadNodeAsync(endKey, cas, cancellationToken).ConfigureAwait(false);
            if (node is null)
            {
                (anchor, cas) = await ReadAnchorAsync(cancellationToken).ConfigureAwait(false); // moved on meanwhile
                continue;
            }
            Anchor next;
            if (anchor.Left == anchor.Right)
            {
                next = new Anchor(AnchorStatus.Stable, null, null);
            }
            else
            {
                var neighbour = (right ? node.Left : node.Right)
                    ?? throw Corruption($"node {endKey} has no link towards the rest of the deque", endKey);
                next = right ? new Anchor(AnchorStatus.Stable, anchor.Left, neighbour) : new Anchor(AnchorStatus.Stable, neighbour, anchor.Right);
            }
            if ((await CasAnchorAsync(next, cas, cancellationToken).ConfigureAwait(false)).HasValue)
            {
                Forget(endKey);
                await DeleteLaterAsync(endKey).ConfigureAwait(false);
                return new DequePopResult(true, node.Value);
            }
            await BackOffAsync(++failures, cancellationToken).ConfigureAwait(false);
            (anchor, cas) = await ReadAnchorAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private string NewNodeKey() => $"{Name}:n:{Guid.NewGuid():N}";

    private static void Count() => McasMetrics.DequeRoundTrips.Add(1);

    private DequeCorruptionException Corruption(string what, string? key)
    {
        McasMetrics.DequeCorruptions.Add(1);
        return new DequeCorruptionException($"Deque {Name} is corrupt: {what}. memcached evicted or flushed an entry the deque needs; items may be lost. Run deques on a pool with eviction off (memcached -M).", Name, key);
    }
}
