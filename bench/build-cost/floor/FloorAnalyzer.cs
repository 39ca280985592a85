using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Memstore.BuildCostFloor;

/// <summary>
/// The registrations of Memstore.Analyzers (two analyzers, each an Invocation operation action started per
/// compilation) with callbacks that only read the target method: the cost of being called, without the key evaluation.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FloorAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Unused = new(
        "FLOOR0001", "Build-cost floor", "Never reported", "Benchmark", DiagnosticSeverity.Hidden, isEnabledByDefault: true);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Unused];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            start.RegisterOperationAction(static c => _ = ((IInvocationOperation)c.Operation).TargetMethod.OriginalDefinition, OperationKind.Invocation);
            start.RegisterOperationAction(static c => _ = ((IInvocationOperation)c.Operation).TargetMethod.OriginalDefinition, OperationKind.Invocation);
        });
    }
}
