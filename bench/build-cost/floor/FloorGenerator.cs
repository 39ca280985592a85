using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Memstore.BuildCostFloor;

/// <summary>
/// The work any generator with Memstore.Generators' inputs must cause: the same five ForAttributeWithMetadataName
/// pipelines, each member transform binding the members of its property's type arguments (as a shape builder must),
/// and no output. Given the generated files as additional files, it adds them as sources unchanged ("replay"), so the
/// build compiles and the cost of adding that much text is measured too.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class FloorGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var stores = context.SyntaxProvider.ForAttributeWithMetadataName(
                "Memstore.MemcacheStoreAttribute", static (node, _) => node is TypeDeclarationSyntax, static (ctx, _) => ctx.TargetSymbol.Name)
            .Collect();
        foreach (var attribute in new[] { "Memstore.KeyspaceAttribute", "Memstore.CounterAttribute", "Memstore.McasGroupAttribute", "Memstore.DequeAttribute" })
        {
            var members = context.SyntaxProvider.ForAttributeWithMetadataName(
                    attribute, static (node, _) => node is PropertyDeclarationSyntax, static (ctx, _) => MemberNames(ctx.TargetSymbol))
                .Collect();
            context.RegisterSourceOutput(members.Combine(stores), static (_, _) => { });
        }
        var replayed = context.AdditionalTextsProvider.Where(static t => t.Path.EndsWith(".g.cs", System.StringComparison.Ordinal));
        context.RegisterSourceOutput(replayed, static (spc, text) =>
        {
            // Additional texts carry no encoding; generated sources must, as the real generator's do.
            if (text.GetText(spc.CancellationToken) is { } source)
            {
                spc.AddSource(System.IO.Path.GetFileName(text.Path), SourceText.From(source.ToString(), Encoding.UTF8));
            }
        });
    }

    /// <summary>
    /// Binds what a shape builder must know of each type argument of the property: every member, each property's and
    /// field's type, and each constructor's parameter types (the constructor choice). Eager on purpose: an earlier
    /// version ended in a lazy <c>Take(3)</c> that stopped inside the key type's members (int, string, Guid) and never
    /// bound a value type's members at all.
    /// </summary>
    private static int MemberNames(ISymbol property)
    {
        var count = 0;
        if (property is IPropertySymbol { Type: INamedTypeSymbol type })
        {
            foreach (var argument in type.TypeArguments)
            {
                if (argument is not INamedTypeSymbol { SpecialType: SpecialType.None } named)
                {
                    continue;
                }
                foreach (var member in named.GetMembers())
                {
                    count += member switch
                    {
                        IPropertySymbol p => p.Type.Name.Length,
                        IFieldSymbol f => f.Type.Name.Length,
                        IMethodSymbol { MethodKind: MethodKind.Constructor } c => c.Parameters.Sum(static x => x.Type.Name.Length),
                        _ => 1,
                    };
                }
            }
        }
        return count;
    }
}
