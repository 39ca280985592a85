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

    private static string MemberNames(ISymbol property) =>
        property is IPropertySymbol { Type: INamedTypeSymbol type }
            ? string.Join(",", type.TypeArguments.OfType<INamedTypeSymbol>().SelectMany(static t => t.GetMembers()).Select(static m => m.Name).Take(3))
            : "";
}
