using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Memstore.Analyzers.CodeFixes;

/// <summary>
/// Fixes the source generator's MEMS1001 (a <c>[MemcacheStore]</c> class is not partial) and MEMS1002 (a type
/// containing a store is not partial) by adding the <c>partial</c> modifier.
/// </summary>
/// <remarks>
/// Both diagnostics point at the identifier of a type declaration. For MEMS1001 that is the store declaration
/// carrying the attribute, and only that declaration changes. For MEMS1002 it is the enclosing type; the fix makes
/// partial that type, every type enclosing it, and for every store nested in it (at any depth) the types between it
/// and the store and the store itself, so that one application leaves nothing for the generator to object to.
/// <c>partial</c> goes last, right before <c>class</c>/<c>struct</c>/<c>record</c>/<c>interface</c> (where C#
/// requires it); the declaration's trivia is kept.
/// </remarks>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFixProvider))]
[Shared]
public sealed class MakePartialCodeFixProvider : CodeFixProvider
{
    /// <summary>The generator's "store class must be partial".</summary>
    public const string StoreNotPartialId = "MEMS1001";

    /// <summary>The generator's "type containing a store must be partial".</summary>
    public const string ContainerNotPartialId = "MEMS1002";

    private const string Title = "Make partial";
    private const string StoreAttribute = "Memstore.MemcacheStoreAttribute";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [StoreNotPartialId, ContainerNotPartialId];

    /// <inheritdoc />
    /// <remarks>
    /// One document at a time, all diagnostics together: fixes of a store and of its containers touch the same
    /// declarations, so their targets are united before a single rewrite.
    /// </remarks>
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(FixAllAsync);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }
        SemanticModel? model = null;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (diagnostic.Id == ContainerNotPartialId)
            {
                model ??= await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            }
            var targets = new HashSet<TypeDeclarationSyntax>();
            AddTargets(context.Document, root, model, diagnostic, targets, context.CancellationToken);
            if (targets.Count == 0)
            {
                continue;
            }
            var document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(Title, _ => Task.FromResult(document.WithSyntaxRoot(AddPartial(root, targets))), equivalenceKey: Title),
                diagnostic);
        }
    }

    private static async Task<Document?> FixAllAsync(FixAllContext context, Document document, ImmutableArray<Diagnostic> diagnostics)
    {
        var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return null;
        }
        var model = diagnostics.Any(d => d.Id == ContainerNotPartialId)
            ? await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false)
            : null;
        var targets = new HashSet<TypeDeclarationSyntax>();
        foreach (var diagnostic in diagnostics)
        {
            AddTargets(document, root, model, diagnostic, targets, context.CancellationToken);
        }
        return targets.Count == 0 ? document : document.WithSyntaxRoot(AddPartial(root, targets));
    }

    /// <summary>Adds to <paramref name="targets"/> the declarations that must become partial to fix <paramref name="diagnostic"/>.</summary>
    private static void AddTargets(Document document, SyntaxNode root, SemanticModel? model, Diagnostic diagnostic, HashSet<TypeDeclarationSyntax> targets, CancellationToken cancellationToken)
    {
        if (!IsInDocument(diagnostic.Location, document, root))
        {
            return;
        }
        // The generator reports both diagnostics on the identifier of a type declaration.
        var span = diagnostic.Location.SourceSpan;
        if (root.FindToken(span.Start).Parent is not TypeDeclarationSyntax declaration || declaration.Identifier.Span != span)
        {
            return;
        }
        if (diagnostic.Id == StoreNotPartialId)
        {
            AddIfNotPartial(declaration, targets);
            return;
        }
        if (diagnostic.Id != ContainerNotPartialId)
        {
            return;
        }
        foreach (var outer in declaration.AncestorsAndSelf().OfType<TypeDeclarationSyntax>())
        {
            AddIfNotPartial(outer, targets);
        }
        var storeAttribute = model?.Compilation.GetTypeByMetadataName(StoreAttribute);
        if (model is null || storeAttribute is null)
        {
            return;
        }
        // Types nest only in types: no need to look into members.
        foreach (var nested in declaration.DescendantNodes(static n => n is TypeDeclarationSyntax).OfType<TypeDeclarationSyntax>())
        {
            if (!IsStore(model, nested, storeAttribute, cancellationToken))
            {
                continue;
            }
            foreach (var enclosing in nested.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().TakeWhile(t => t != declaration))
            {
                AddIfNotPartial(enclosing, targets);
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="location"/> is in <paramref name="document"/>. A generator stores its locations as
    /// file path and span (to stay incremental), so they come out as <see cref="LocationKind.ExternalFile"/>
    /// locations without a syntax tree; the IDE maps them to the document with that path and hands code fixes a
    /// location in the document's tree. Both forms are accepted.
    /// </summary>
    private static bool IsInDocument(Location location, Document document, SyntaxNode root) => location.Kind switch
    {
        LocationKind.SourceFile => location.SourceTree == root.SyntaxTree,
        LocationKind.ExternalFile => document.FilePath is null || location.GetLineSpan().Path == document.FilePath,
        _ => false,
    };

    /// <summary>What the generator takes for a store: a class or record declaration with <c>[MemcacheStore]</c>.</summary>
    private static bool IsStore(SemanticModel model, TypeDeclarationSyntax declaration, INamedTypeSymbol storeAttribute, CancellationToken cancellationToken) =>
        declaration is ClassDeclarationSyntax or RecordDeclarationSyntax
        && declaration.AttributeLists.Count > 0
        && model.GetDeclaredSymbol(declaration, cancellationToken) is { } type
        && type.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, storeAttribute));

    private static void AddIfNotPartial(TypeDeclarationSyntax declaration, HashSet<TypeDeclarationSyntax> targets)
    {
        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            targets.Add(declaration);
        }
    }

    private static SyntaxNode AddPartial(SyntaxNode root, HashSet<TypeDeclarationSyntax> targets) =>
        root.ReplaceNodes(targets, static (_, rewritten) => WithPartial(rewritten));

    /// <summary>
    /// <paramref name="declaration"/> with <c>partial</c> as its last modifier. Without modifiers, <c>partial</c>
    /// takes over the keyword's leading trivia (indentation, comments), so the line keeps its shape.
    /// </summary>
    private static TypeDeclarationSyntax WithPartial(TypeDeclarationSyntax declaration)
    {
        if (declaration.Modifiers.Count == 0)
        {
            var keyword = declaration.Keyword;
            var partial = SyntaxFactory.Token(keyword.LeadingTrivia, SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
            return declaration
                .WithKeyword(keyword.WithLeadingTrivia(SyntaxTriviaList.Empty))
                .WithModifiers(SyntaxFactory.TokenList(partial));
        }
        return declaration.WithModifiers(declaration.Modifiers.Add(
            SyntaxFactory.Token(SyntaxTriviaList.Empty, SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space))));
    }
}
