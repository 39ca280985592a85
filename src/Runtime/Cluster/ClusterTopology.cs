namespace Memstore.Cluster;

/// <summary>
/// One server list and everything built from it: the nodes (connections and health) and the ring. Immutable
/// except for the live/dead flags its locator keeps; a membership change publishes a new one whole, so a call
/// that read it once routes against one consistent list.
/// </summary>
internal sealed class ClusterTopology
{
    public ClusterTopology(ServerAddress[] servers, ServerNode[] nodes, MemcacheDistribution distribution)
    {
        Servers = servers;
        ServerList = Array.AsReadOnly(servers);
        Nodes = nodes;
        Locator = new NodeLocator(servers, distribution);
        RefreshAlive();
    }

    /// <summary>The servers in list order (the order the ring was built in).</summary>
    public ServerAddress[] Servers { get; }

    /// <summary>The same list, read-only, for <see cref="MemcacheClient.Servers"/>.</summary>
    public IReadOnlyList<ServerAddress> ServerList { get; }

    /// <summary>The node of each server, by the same index.</summary>
    public ServerNode[] Nodes { get; }

    public NodeLocator Locator { get; }

    /// <summary>The index of a node in this list, or -1 when the node is not on it (removed, or not yet added).</summary>
    public int IndexOf(ServerNode node) => Array.IndexOf(Nodes, node);

    /// <summary>
    /// Copies every node's current health into the locator's flags. Reading the health itself, not the change
    /// that triggered the call, makes a change that races with a membership swap land correctly in either list.
    /// </summary>
    public void RefreshAlive() => Locator.SetAlive(Nodes);
}
