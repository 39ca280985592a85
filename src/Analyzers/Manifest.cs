using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Memstore.Analyzers;

/// <summary>One <c>[assembly: MemstoreKeyspaceManifest(...)]</c>: a keyspace's template and whether MCAS manages it.</summary>
internal sealed class Manifest
{
    public const string AttributeName = "MemstoreKeyspaceManifestAttribute";
    public const string AttributeMetadataName = "Memstore." + AttributeName;

    private Manifest(string template, string store, string member, bool mcasManaged, IAssemblySymbol assembly, AttributeData attribute)
    {
        Template = template;
        Pattern = KeyPattern.FromTemplate(template);
        ConstantPrefix = KeyPattern.ConstantPrefix(Pattern);
        Store = store;
        Member = member;
        McasManaged = mcasManaged;
        Assembly = assembly;
        Attribute = attribute;
    }

    public string Template { get; }

    public string Pattern { get; }

    public string ConstantPrefix { get; }

    public string Store { get; }

    public string Member { get; }

    public bool McasManaged { get; }

    /// <summary>The assembly that declares the manifest.</summary>
    public IAssemblySymbol Assembly { get; }

    public AttributeData Attribute { get; }

    /// <summary>The keyspace as users name it: <c>Store.Member</c>.</summary>
    public string Keyspace => Store.Length == 0 ? Member : Store + "." + Member;

    /// <summary>
    /// Every manifest of the compilation's own assembly (source and source-generated) and of every referenced
    /// assembly, the compilation's own first.
    /// </summary>
    public static ImmutableArray<Manifest> Collect(Compilation compilation, INamedTypeSymbol attributeType)
    {
        var builder = ImmutableArray.CreateBuilder<Manifest>();
        Add(compilation.Assembly, attributeType, builder);
        foreach (var assembly in compilation.SourceModule.ReferencedAssemblySymbols)
        {
            // Only an assembly compiled against Memstore can carry the attribute: skip the framework's without
            // decoding their attributes.
            if (ReferencesMemstore(assembly))
            {
                Add(assembly, attributeType, builder);
            }
        }
        return builder.ToImmutable();
    }

    private static bool ReferencesMemstore(IAssemblySymbol assembly)
    {
        foreach (var module in assembly.Modules)
        {
            foreach (var reference in module.ReferencedAssemblies)
            {
                if (reference.Name == "Memstore")
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static void Add(IAssemblySymbol assembly, INamedTypeSymbol attributeType, ImmutableArray<Manifest>.Builder builder)
    {
        foreach (var attribute in assembly.GetAttributes())
        {
            // By symbol, or by name when the declaring assembly was built against another Memstore version.
            if (!SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeType)
                && !(attribute.AttributeClass is { Name: AttributeName } c && c.ContainingNamespace?.ToDisplayString() == "Memstore"))
            {
                continue;
            }
            var args = attribute.ConstructorArguments;
            if (args.Length != 4
                || args[0].Value is not string template || template.Length == 0
                || args[1].Value is not string store
                || args[2].Value is not string member
                || args[3].Value is not bool mcasManaged)
            {
                continue;
            }
            builder.Add(new Manifest(template, store, member, mcasManaged, assembly, attribute));
        }
    }
}
