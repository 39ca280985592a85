using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace Memstore.Generators;

/// <summary>The referenced keyspaces as one equatable value, so the pipeline can tell that nothing changed.</summary>
internal sealed record ReferencedKeyspaceList(EquatableArray<ReferencedKeyspace> Keyspaces);

/// <summary>
/// Reads the <c>MemstoreKeyspaceManifest</c> attributes of referenced assemblies: the keyspaces of their stores
/// (and any declared by hand), for the cross-assembly key overlap check (MEMS1007).
/// </summary>
internal static class ManifestReader
{
    public static ReferencedKeyspaceList Read(Compilation compilation, CancellationToken cancellationToken)
    {
        var keyspaces = new System.Collections.Generic.List<ReferencedKeyspace>();
        foreach (var assembly in compilation.SourceModule.ReferencedAssemblySymbols)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Only an assembly compiled against Memstore can carry a manifest; this skips the framework cheaply.
            if (!assembly.Modules.Any(m => m.ReferencedAssemblies.Any(r => r.Name == "Memstore")))
            {
                continue;
            }
            foreach (var attribute in assembly.GetAttributes())
            {
                if (attribute.AttributeClass is { Name: "MemstoreKeyspaceManifestAttribute", ContainingNamespace: { Name: "Memstore", ContainingNamespace.IsGlobalNamespace: true } }
                    && attribute.ConstructorArguments.Length == 4
                    && attribute.ConstructorArguments[0].Value is string template
                    && attribute.ConstructorArguments[1].Value is string store
                    && attribute.ConstructorArguments[2].Value is string member)
                {
                    keyspaces.Add(new ReferencedKeyspace(template, store, member, assembly.Identity.Name));
                }
            }
        }
        return new ReferencedKeyspaceList(keyspaces.ToEquatableArray());
    }
}
