using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Memstore.Analyzers;

/// <summary>
/// MEMS2005: a call to a method marked <c>[McasCommit]</c> (McasClient.CompareAndSwapAsync, generated MCAS write
/// methods) whose result is dropped: awaited as a statement, or its task not even awaited. An explicit discard
/// (<c>_ = await ...</c>) states the intent and is not reported.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class McasCommitAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Descriptors.IgnoredCommit];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            var compilation = start.Compilation;
            if (compilation.GetTypeByMetadataName("Memstore.MemcacheClient") is null
                || compilation.GetTypeByMetadataName("Memstore.McasCommitAttribute") is not { } commit)
            {
                return;
            }
            var marked = new ConcurrentDictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default);
            start.RegisterOperationAction(c => Analyze(c, commit, marked), OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, INamedTypeSymbol commit, ConcurrentDictionary<IMethodSymbol, bool> marked)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod.OriginalDefinition;
        if (!marked.TryGetValue(method, out var isCommit))
        {
            isCommit = method.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, commit));
            marked.TryAdd(method, isCommit);
        }
        if (!isCommit)
        {
            return;
        }
        string? detail = null;
        var parent = invocation.Parent;
        var current = (IOperation)invocation;
        // x.ConfigureAwait(false) and x.AsTask(), in any chain, are the same task.
        while (parent is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" or "AsTask" } same && same.Instance == current)
        {
            current = same;
            parent = same.Parent;
        }
        if (parent is IExpressionStatementOperation)
        {
            detail = " (its task is not even awaited)";
        }
        else if (parent is IAwaitOperation awaited && awaited.Operation == current && awaited.Parent is IExpressionStatementOperation)
        {
            detail = string.Empty;
        }
        else if (parent is IInvocationOperation { TargetMethod.Name: "GetAwaiter" } awaiter && awaiter.Instance == current
            && awaiter.Parent is IInvocationOperation { TargetMethod.Name: "GetResult" } result && result.Instance == awaiter
            && result.Parent is IExpressionStatementOperation)
        {
            detail = string.Empty; // .GetAwaiter().GetResult() as a statement drops the result like an awaited one
        }
        if (detail is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.IgnoredCommit,
                invocation.Syntax.GetLocation(),
                method.ContainingType.Name + "." + method.Name,
                detail));
        }
    }
}
