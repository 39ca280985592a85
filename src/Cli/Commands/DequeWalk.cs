using Memstore.Collections;

namespace Memstore.Cli.Commands;

/// <summary>What walking one deque found: its length (nodes reached) and the first broken link, if any.</summary>
/// <param name="Anchor">The anchor as read.</param>
/// <param name="Length">Nodes reached from the left end, each read once.</param>
/// <param name="Truncated">Whether the walk stopped at its bound before reaching the right end.</param>
/// <param name="Broken">The first broken link, or null when the walk reached the right end.</param>
/// <param name="Pending">A push whose back-link is not yet in place (the anchor says so): normal, not broken.</param>
/// <param name="Nodes">The nodes in order: key and value length.</param>
internal sealed record DequeWalkResult(Anchor Anchor, long Length, bool Truncated, string? Broken, string? Pending, IReadOnlyList<(string Key, int Bytes)> Nodes);

/// <summary>
/// Walks a deque from its left end to its right end by the nodes' right links (docs/stored-format.md, "Deque"),
/// reading each node with the runtime's parser, and checks every link it crosses: the anchor's ends exist, each
/// node after the first points back at the one before it, no link is missing and none leads back to a node already
/// seen. Links a push has not yet put in place (anchor status R_PUSH / L_PUSH) are reported as pending, not
/// broken; the end nodes' outward links are not checked (a pop leaves them pointing at the node it removed).
/// </summary>
internal static class DequeWalk
{
    /// <summary>Walks the deque whose anchor <paramref name="anchor"/> is, reading at most <paramref name="maxNodes"/> nodes.</summary>
    public static async Task<DequeWalkResult> RunAsync(MemcacheClient client, Anchor anchor, long maxNodes, CancellationToken cancellationToken)
    {
        var nodes = new List<(string Key, int Bytes)>();
        DequeWalkResult Result(bool truncated = false, string? broken = null, string? pending = null) =>
            new(anchor, nodes.Count, truncated, broken, pending, nodes);

        if (anchor.Left is null || anchor.Right is null)
        {
            return anchor.Left == anchor.Right ? Result() : Result(broken: $"the anchor has only one end (left {anchor.Left ?? "none"}, right {anchor.Right ?? "none"})");
        }

        // Under R_PUSH the old right end's right link is not yet the new right end: the new end's left link says which node that is.
        string? pendingFrom = null;
        if (anchor.Status == AnchorStatus.RightPush)
        {
            if (await ReadAsync(client, anchor.Right, cancellationToken).ConfigureAwait(false) is not { } rightEnd)
            {
                return Result(broken: $"the anchor's right end {anchor.Right} is missing");
            }

            pendingFrom = rightEnd.Left;
        }

        var visited = new HashSet<string>(StringComparer.Ordinal);
        string? pending = null;
        string? previous = null;
        string current = anchor.Left;
        while (true)
        {
            if (nodes.Count >= maxNodes)
            {
                return Result(truncated: true, pending: pending);
            }

            if (await ReadAsync(client, current, cancellationToken).ConfigureAwait(false) is not { } node)
            {
                return Result(broken: previous is null ? $"the anchor's left end {current} is missing" : $"node {current}, linked from {previous}, is missing", pending: pending);
            }

            visited.Add(current);
            nodes.Add((current, node.Value.Length));
            if (previous is not null && !string.Equals(node.Left, previous, StringComparison.Ordinal))
            {
                if (anchor.Status == AnchorStatus.LeftPush && nodes.Count == 2)
                {
                    pending = $"left push in progress: {current}'s left link to the new left end {previous} is not yet in place";
                }
                else
                {
                    return Result(broken: $"node {current}'s left link is {node.Left ?? "none"}, but the node before it is {previous}", pending: pending);
                }
            }

            if (string.Equals(current, anchor.Right, StringComparison.Ordinal))
            {
                return Result(pending: pending);
            }

            string? next = node.Right;
            if (pendingFrom is not null && string.Equals(current, pendingFrom, StringComparison.Ordinal) && !string.Equals(next, anchor.Right, StringComparison.Ordinal))
            {
                pending = $"right push in progress: {current}'s right link to the new right end {anchor.Right} is not yet in place";
                next = anchor.Right;
            }

            if (next is null)
            {
                return Result(broken: $"node {current} has no right link, but the anchor's right end {anchor.Right} was not reached", pending: pending);
            }

            if (visited.Contains(next))
            {
                return Result(broken: $"cycle: node {current} links right to {next}, which the walk already passed", pending: pending);
            }

            (previous, current) = (current, next);
        }
    }

    private static async Task<Node?> ReadAsync(MemcacheClient client, string key, CancellationToken cancellationToken)
    {
        CacheValue value = await client.GetAsync(key, cancellationToken).ConfigureAwait(false);
        return value.Found ? DequeCodec.DecodeNode(key, value) : null;
    }
}
