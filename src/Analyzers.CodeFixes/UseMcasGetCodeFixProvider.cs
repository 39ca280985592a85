using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Memstore.Analyzers.CodeFixes;

/// <summary>
/// Fixes MEMS2001 for <c>client.GetAsync(key)</c> and <c>client.GetManyAsync(keys)</c>: the call goes to an
/// <c>McasClient</c> in scope instead (a local, parameter, field or property; locals and parameters first), whose
/// <c>GetAsync</c>/<c>GetManyAsync</c> take the same arguments and return <c>McasEntry</c> values. No fix is
/// offered when no McasClient is in scope, or for the other plain reads (their MCAS counterparts differ).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UseMcasGetCodeFixProvider))]
[Shared]
public sealed class UseMcasGetCodeFixProvider : CodeFixProvider
{
    private const string Title = "Read through McasClient (McasGet)";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [Descriptors.PlainReadId];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(Descriptors.MethodProperty, out var method)
                || method is not ("GetAsync" or "GetManyAsync"))
            {
                continue;
            }
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            if (node.FirstAncestorOrSelf<InvocationExpressionSyntax>(i => i.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "GetAsync" or "GetManyAsync" }) is not { } invocation
                || !invocation.ArgumentList.Span.Contains(diagnostic.Location.SourceSpan)
                || invocation.Expression is not MemberAccessExpressionSyntax access
                || !IsFixableOverload(model, invocation, context.CancellationToken)
                || FindMcasClient(model, invocation, context.CancellationToken) is not { } mcas)
            {
                continue;
            }
            context.RegisterCodeFix(
                CodeAction.Create(
                    Title,
                    _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(
                        access.Expression,
                        SyntaxFactory.IdentifierName(mcas).WithTriviaFrom(access.Expression)))),
                    equivalenceKey: Title),
                diagnostic);
        }
    }

    /// <summary>GetAsync with a string key and GetManyAsync(keys, CancellationToken): the calls McasClient mirrors.</summary>
    private static bool IsFixableOverload(SemanticModel model, InvocationExpressionSyntax invocation, CancellationToken cancellationToken)
    {
        if (model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol method
            || method.ContainingType?.ToDisplayString() != "Memstore.MemcacheClient")
        {
            return false;
        }
        if (method.Parameters.Length != 2 || method.Parameters[1].Type.Name != nameof(CancellationToken))
        {
            return false;
        }
        if (method.Parameters[0].Type.Name is not ("MemcacheKey" or "ReadOnlySpan"))
        {
            return true; // GetManyAsync's list of string keys
        }
        // GetAsync takes a MemcacheKey, a string or UTF-8 bytes; McasClient takes string keys only.
        var key = (model.GetOperation(invocation, cancellationToken) as IInvocationOperation)?.Arguments
            .FirstOrDefault(static a => a.Parameter?.Ordinal == 0)?.Value;
        var given = key is IConversionOperation conversion ? conversion.Operand : key;
        return given?.Type?.SpecialType == SpecialType.System_String;
    }

    /// <summary>The name of an McasClient usable at the call: locals and parameters first, then fields and properties.</summary>
    private static string? FindMcasClient(SemanticModel model, InvocationExpressionSyntax invocation, CancellationToken cancellationToken)
    {
        var mcasType = model.Compilation.GetTypeByMetadataName("Memstore.Mcas.McasClient");
        if (mcasType is null)
        {
            return null;
        }
        var position = invocation.SpanStart;
        var enclosing = model.GetEnclosingSymbol(position, cancellationToken);
        var isStatic = enclosing is { IsStatic: true } || enclosing?.ContainingSymbol is IMethodSymbol { IsStatic: true };
        string? member = null;
        foreach (var symbol in model.LookupSymbols(position))
        {
            var (type, isLocal) = symbol switch
            {
                ILocalSymbol local when DeclaredBefore(local, position) => (local.Type, true),
                IParameterSymbol parameter => (parameter.Type, true),
                IFieldSymbol field when field.IsStatic || !isStatic => (field.Type, false),
                IPropertySymbol property when property.IsStatic || !isStatic => (property.Type, false),
                _ => (null, false),
            };
            if (!SymbolEqualityComparer.Default.Equals(type, mcasType))
            {
                continue;
            }
            if (isLocal)
            {
                return symbol.Name;
            }
            member ??= symbol.Name;
        }
        return member;
    }

    private static bool DeclaredBefore(ILocalSymbol local, int position) =>
        local.DeclaringSyntaxReferences.Length > 0 && local.DeclaringSyntaxReferences[0].Span.End <= position;
}
