using Microsoft.CodeAnalysis;

namespace Memstore.Generators;

/// <summary>
/// Name checks on symbols without building display strings: the generator asks "is this MessagePack.KeyAttribute?"
/// for every attribute of every member it reads, and <c>ToDisplayString()</c> is the expensive way to answer.
/// </summary>
internal static class SymbolNames
{
    /// <summary>
    /// Whether <paramref name="type"/> is the non-generic, non-nested type <paramref name="name"/> of namespace
    /// <paramref name="ns"/> (dotted): what <c>type.ToDisplayString() == ns + "." + name</c> says. A type that does
    /// not compile is still compared by its display string, as the error symbol's shape says less.
    /// </summary>
    public static bool Is(ITypeSymbol? type, string ns, string name)
    {
        if (type is null)
        {
            return false;
        }
        if (type.TypeKind == TypeKind.Error)
        {
            return type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString() == ns + "." + name;
        }
        return type is INamedTypeSymbol { Arity: 0, ContainingType: null } named && named.Name == name && InNamespace(named.ContainingNamespace, ns);
    }

    /// <summary>Whether <paramref name="namespace"/> is the dotted namespace <paramref name="dotted"/>, from the global namespace down.</summary>
    private static bool InNamespace(INamespaceSymbol? @namespace, string dotted)
    {
        var end = dotted.Length;
        while (@namespace is { IsGlobalNamespace: false })
        {
            if (end <= 0)
            {
                return false;
            }
            var start = dotted.LastIndexOf('.', end - 1) + 1;
            if (end - start != @namespace.Name.Length || string.CompareOrdinal(dotted, start, @namespace.Name, 0, end - start) != 0)
            {
                return false;
            }
            end = start - 1;
            @namespace = @namespace.ContainingNamespace;
        }
        return end <= 0 && @namespace is not null;
    }
}
