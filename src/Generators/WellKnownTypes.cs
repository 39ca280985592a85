using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace Memstore.Generators;

/// <summary>
/// The types the generator recognises (MessagePack's attributes, Memstore's, the client, the BCL value types it
/// formats itself), resolved once per compilation and compared as symbols. A type the compilation cannot resolve
/// to exactly one symbol (not referenced, defined twice, or an attribute that does not compile) falls back to
/// the name check (<see cref="SymbolNames.Is"/>), so an unresolved attribute is still recognised by its name.
/// </summary>
internal sealed class WellKnownTypes
{
    private static readonly ConditionalWeakTable<Compilation, WellKnownTypes> Cache = new();

    private readonly INamedTypeSymbol?[] _types;
    private readonly HashSet<ISymbol> _builtInValues = new(SymbolEqualityComparer.Default);
    private readonly HashSet<string> _unresolvedBuiltInValues = new(System.StringComparer.Ordinal);

    private WellKnownTypes(Compilation compilation)
    {
        _types = new INamedTypeSymbol?[Names.Length];
        for (var i = 0; i < Names.Length; i++)
        {
            _types[i] = compilation.GetTypeByMetadataName(Names[i].Namespace + "." + Names[i].Name);
        }
        foreach (var name in BuiltInValueNames)
        {
            if (compilation.GetTypeByMetadataName("System." + name) is { } type)
            {
                _builtInValues.Add(type);
            }
            else
            {
                _unresolvedBuiltInValues.Add(name);
            }
        }
    }

    /// <summary>The recognised types, by index (see the constants below).</summary>
    private static readonly (string Namespace, string Name)[] Names =
    [
        ("MessagePack", "KeyAttribute"),
        ("MessagePack", "IgnoreMemberAttribute"),
        ("System.Runtime.Serialization", "IgnoreDataMemberAttribute"),
        ("MessagePack", "MessagePackObjectAttribute"),
        ("MessagePack", "SerializationConstructorAttribute"),
        ("Memstore", "McasGroupAttribute"),
        ("Memstore", "KeyspaceAttribute"),
        ("Memstore", "MemcacheClient"),
        ("System", "Guid"),
    ];

    public const int KeyAttribute = 0, IgnoreMemberAttribute = 1, IgnoreDataMemberAttribute = 2, MessagePackObjectAttribute = 3,
        SerializationConstructorAttribute = 4, McasGroupAttribute = 5, KeyspaceAttribute = 6, MemcacheClient = 7, Guid = 8;

    /// <summary>
    /// BCL value types with a MessagePack formatter of their own (in StandardResolver): the generator writes none for them.
    /// Names are under System. (Int128 and UInt128 have none in MessagePack 2.5: they are refused, having no public members.)
    /// </summary>
    private static readonly string[] BuiltInValueNames = ["Guid", "DateTimeOffset", "TimeSpan", "Uri", "Version", "DateOnly", "TimeOnly", "Half", "Numerics.BigInteger"];

    /// <summary>The types of <paramref name="compilation"/>, resolved on first use.</summary>
    public static WellKnownTypes For(Compilation compilation) => Cache.GetValue(compilation, static c => new WellKnownTypes(c));

    /// <summary>Whether <paramref name="type"/> is the recognised type number <paramref name="known"/>.</summary>
    public bool Is(ITypeSymbol? type, int known)
    {
        if (type is null)
        {
            return false;
        }
        if (_types[known] is { } resolved && type.TypeKind != TypeKind.Error)
        {
            return SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, resolved);
        }
        return SymbolNames.Is(type, Names[known].Namespace, Names[known].Name);
    }

    /// <summary>Whether <paramref name="type"/> is one of the BCL value types MessagePack formats itself.</summary>
    public bool IsBuiltInValue(ITypeSymbol type) =>
        _builtInValues.Contains(type.OriginalDefinition)
        || (_unresolvedBuiltInValues.Contains(type.Name) && SymbolNames.Is(type, "System", type.Name));
}
