namespace Memstore.Transport;

/// <summary>
/// The host names auto-discovery gave the servers it lists by IP address (<c>host|ip|port</c>): a TLS connection
/// to such a server verifies its certificate against that name, since certificates carry names, not the
/// addresses a cluster hands out. Replaced whole with each applied list; read on every connect.
/// </summary>
internal sealed class DiscoveredHostNames
{
    private IReadOnlyDictionary<(string Host, int Port), string> _names = new Dictionary<(string Host, int Port), string>();

    /// <summary>The name auto-discovery gave <paramref name="server"/>, or null.</summary>
    public string? For(ServerAddress server) =>
        Volatile.Read(ref _names).TryGetValue((server.Host, server.Port), out var name) ? name : null;

    public void Replace(IReadOnlyDictionary<(string Host, int Port), string> names) => Volatile.Write(ref _names, names);
}
