using MessagePack;
using MessagePack.Resolvers;

namespace Memstore.Benchmarks;

/// <summary>The two MessagePack configurations every comparison uses, built once.</summary>
internal static class SerializerOptions
{
    /// <summary>The generated resolver (chained to StandardResolver for built-in types).</summary>
    public static readonly MessagePackSerializerOptions Generated =
        MessagePackSerializerOptions.Standard.WithResolver(Memstore.Generated.MemstoreResolver.Instance);

    /// <summary>MessagePack's dynamic (reflection + emitted IL) contractless resolver: the same map-by-name layout.</summary>
    public static readonly MessagePackSerializerOptions Contractless =
        MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance);
}
