using Basic.Reference.Assemblies;
using Memstore.Analyzers;
using Memstore.Analyzers.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Memstore.Analyzers.Tests;

/// <summary>Test harness: .NET 10 reference assemblies from Basic.Reference.Assemblies (no download) plus the built Memstore.dll.</summary>
internal static class Verify
{
    /// <summary>Reference assemblies that resolve to nothing; the real ones are added as references.</summary>
    public static readonly ReferenceAssemblies NoReferenceAssemblies = new("net10.0");

    public static readonly MetadataReference MemstoreReference = MetadataReference.CreateFromFile(typeof(MemcacheClient).Assembly.Location);

    public const string Usings = "using System;\nusing System.Collections.Generic;\nusing System.Threading.Tasks;\nusing Memstore;\nusing Memstore.Mcas;\n";

    public static DiagnosticResult Diagnostic(string id) => new DiagnosticResult(id, DiagnosticSeverity.Warning);

    /// <summary>Runs <typeparamref name="TAnalyzer"/> on <paramref name="source"/> (markup: {|#0:...|}) and expects exactly <paramref name="expected"/>.</summary>
    public static Task AnalyzerAsync<TAnalyzer>(string source, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new() =>
        AnalyzerAsync<TAnalyzer>(source, [], withMemstore: true, expected);

    public static async Task AnalyzerAsync<TAnalyzer>(string source, MetadataReference[] extra, bool withMemstore, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            TestCode = source,
            ReferenceAssemblies = NoReferenceAssemblies,
        };
        Configure(test.TestState, extra, withMemstore);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    public static async Task CodeFixAsync(string source, string fixedSource, DiagnosticResult[] expected, DiagnosticResult[]? remaining = null, int? iterations = null)
    {
        var test = new CSharpCodeFixTest<McasKeyAnalyzer, UseMcasGetCodeFixProvider, DefaultVerifier>
        {
            TestCode = source,
            FixedCode = fixedSource,
            ReferenceAssemblies = NoReferenceAssemblies,
        };
        Configure(test.TestState, [], withMemstore: true);
        Configure(test.FixedState, [], withMemstore: true);
        test.ExpectedDiagnostics.AddRange(expected);
        test.FixedState.ExpectedDiagnostics.AddRange(remaining ?? []);
        if (iterations is { } n)
        {
            test.NumberOfFixAllIterations = n;
            test.NumberOfFixAllInDocumentIterations = n;
            test.NumberOfFixAllInProjectIterations = n;
        }
        await test.RunAsync();
    }

    private static void Configure(SolutionState state, MetadataReference[] extra, bool withMemstore)
    {
        state.AdditionalReferences.AddRange(Net100.References.All);
        if (withMemstore)
        {
            state.AdditionalReferences.Add(MemstoreReference);
        }
        state.AdditionalReferences.AddRange(extra);
    }

    /// <summary>An assembly compiled in memory from <paramref name="source"/> against .NET 10 and Memstore.</summary>
    public static MetadataReference CompileLibrary(string name, string source)
    {
        var compilation = CSharpCompilation.Create(
            name,
            [CSharpSyntaxTree.ParseText(source)],
            [.. Net100.References.All, MemstoreReference],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.Empty(errors);
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return MetadataReference.CreateFromImage(image.ToArray());
    }
}
