namespace Memstore;

/// <summary>
/// Hands out the named clients registered with <c>services.AddMemstore(name, ...)</c>. Each name is one
/// cluster and one shared <see cref="MemcacheClient"/> (a singleton owned by the container). The same clients
/// can be injected directly with <c>[FromKeyedServices("name")] MemcacheClient client</c>.
/// </summary>
public interface IMemcacheClientFactory
{
    /// <summary>The client registered under <paramref name="name"/>; <c>""</c> is the default client.</summary>
    /// <param name="name">The name given to <c>AddMemstore</c>.</param>
    /// <returns>The shared client.</returns>
    /// <exception cref="InvalidOperationException">No client has that name.</exception>
    MemcacheClient GetClient(string name);
}
