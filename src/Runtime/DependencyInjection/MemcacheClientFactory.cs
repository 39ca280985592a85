using Microsoft.Extensions.DependencyInjection;

namespace Memstore.DependencyInjection;

/// <summary>Resolves named clients from the container's keyed registrations.</summary>
internal sealed class MemcacheClientFactory(IServiceProvider services) : IMemcacheClientFactory
{
    public MemcacheClient GetClient(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (services.GetService(typeof(IServiceProviderIsKeyedService)) is IServiceProviderIsKeyedService keyed
            && !keyed.IsKeyedService(typeof(MemcacheClient), name))
        {
            throw new InvalidOperationException(name.Length == 0
                ? "No default Memstore client is registered: call services.AddMemstore(...)."
                : $"No Memstore client named \"{name}\" is registered: call services.AddMemstore(\"{name}\", ...).");
        }
        return services.GetRequiredKeyedService<MemcacheClient>(name);
    }
}
