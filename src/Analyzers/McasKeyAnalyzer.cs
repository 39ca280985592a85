using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Memstore.Analyzers;

/// <summary>
/// MEMS2001–MEMS2004: plain reads and writes of MCAS-managed keys, keyspaces that alias them, and CAS tokens
/// that cross between plain and MCAS access. What is MCAS-managed comes only from
/// <c>[assembly: MemstoreKeyspaceManifest(...)]</c> in the compilation and its references.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class McasKeyAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        [Descriptors.PlainRead, Descriptors.PlainWrite, Descriptors.Aliasing, Descriptors.CasToken];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(OnCompilationStart);
    }

    private static void OnCompilationStart(CompilationStartAnalysisContext context)
    {
        var compilation = context.Compilation;
        var client = compilation.GetTypeByMetadataName("Memstore.MemcacheClient");
        var manifestType = compilation.GetTypeByMetadataName(Manifest.AttributeMetadataName);
        if (client is null || manifestType is null)
        {
            return;
        }
        var manifests = Manifest.Collect(compilation, manifestType);
        var managed = manifests.Where(static m => m.McasManaged).ToImmutableArray();
        if (managed.IsEmpty)
        {
            return;
        }
        context.RegisterCompilationEndAction(c => Aliasing.Report(c, manifests, managed));

        var state = new KeyRules(compilation, client, manifests, managed);
        context.RegisterOperationAction(state.AnalyzeInvocation, OperationKind.Invocation);
    }
}
