using System.Collections.Immutable;
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

    /// <summary>As <see cref="AnalyzerAsync{TAnalyzer}(string, DiagnosticResult[])"/> with several files (markup in any of them).</summary>
    public static async Task AnalyzerAsync<TAnalyzer>(string[] sources, MetadataReference[] extra, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { ReferenceAssemblies = NoReferenceAssemblies };
        for (var i = 0; i < sources.Length; i++)
        {
            test.TestState.Sources.Add(($"/0/File{i}.cs", sources[i]));
        }
        Configure(test.TestState, extra, withMemstore: true);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    /// <summary>What IDistributedCache code needs: the caching, DI and options abstractions Memstore depends on.</summary>
    public static readonly MetadataReference[] DistributedCacheReferences =
    [
        MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.Caching.Distributed.IDistributedCache).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.DependencyInjection.IServiceCollection).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.Options.IOptions<>).Assembly.Location),
    ];

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

    /// <summary>What code the Memstore generator writes needs besides Memstore: MessagePack (formatters).</summary>
    public static readonly MetadataReference[] GeneratedCodeReferences =
    [
        MetadataReference.CreateFromFile(typeof(MessagePack.MessagePackSerializer).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(MessagePack.MessagePackObjectAttribute).Assembly.Location),
    ];

    /// <summary>As the generator tests compile: newest language version, nullable enabled.</summary>
    public static readonly CSharpParseOptions GeneratorParseOptions = new(LanguageVersion.Preview);

    /// <summary>
    /// Code fix test for diagnostics of the real Memstore source generator (MEMS10xx): the harness runs
    /// <see cref="Memstore.Generators.StoreGenerator"/> on the test state and on every fixed state, so the
    /// generator's diagnostics are the ones fixed and verified, and the generated code is compiled with the
    /// fixed source (its compiler errors would fail the test). Generated text is not compared (the generator's
    /// snapshot tests do that), and the generated-code and pragma exclusion checks are skipped: they are meant
    /// for analyzers, while a generator reports in <c>&lt;auto-generated&gt;</c> files and ignores pragmas.
    /// </summary>
    /// <param name="iterations">When given, the exact number of single fixes applied one after another until no diagnostic is left.</param>
    public static async Task GeneratorCodeFixAsync<TCodeFix>(string source, string fixedSource, DiagnosticResult[] expected, DiagnosticResult[]? remaining = null, int? iterations = null)
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new GeneratorCodeFixTest<TCodeFix>
        {
            TestCode = source,
            FixedCode = fixedSource,
            ReferenceAssemblies = NoReferenceAssemblies,
            TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck | TestBehaviors.SkipGeneratedCodeCheck | TestBehaviors.SkipSuppressionCheck,
        };
        Configure(test.TestState, GeneratedCodeReferences, withMemstore: true);
        Configure(test.FixedState, GeneratedCodeReferences, withMemstore: true);
        test.SolutionTransforms.Add(static (solution, projectId) =>
        {
            var project = solution.GetProject(projectId)!;
            return solution
                .WithProjectParseOptions(projectId, GeneratorParseOptions)
                .WithProjectCompilationOptions(projectId, ((CSharpCompilationOptions)project.CompilationOptions!).WithNullableContextOptions(NullableContextOptions.Enable));
        });
        test.ExpectedDiagnostics.AddRange(expected);
        // Compiler errors of the test state (a partial member in a type that is not partial) go away with the fix:
        // the fixed state expects exactly what it lists, nothing inherited.
        test.FixedState.InheritanceMode = StateInheritanceMode.Explicit;
        test.FixedState.ExpectedDiagnostics.AddRange(remaining ?? []);
        test.NumberOfIncrementalIterations = iterations;
        await test.RunAsync();
    }

    private sealed class GeneratorCodeFixTest<TCodeFix> : CSharpCodeFixTest<EmptyDiagnosticAnalyzer, TCodeFix, DefaultVerifier>
        where TCodeFix : CodeFixProvider, new()
    {
        protected override IEnumerable<Type> GetSourceGenerators() => [typeof(Memstore.Generators.StoreGenerator)];

        /// <summary>
        /// The generator reports its locations as path and span (<see cref="LocationKind.ExternalFile"/>, no syntax
        /// tree), which the harness never hands to a code fix. The IDE maps such a diagnostic to the document with
        /// that path and gives code fixes a copy located in the document's tree (Roslyn's DiagnosticData: the same
        /// id, formatted message and properties, a location in the tree); this does the same.
        /// </summary>
        protected override async Task<(Compilation compilation, ImmutableArray<Microsoft.CodeAnalysis.Diagnostic> generatorDiagnostics)> GetProjectCompilationAsync(Project project, IVerifier verifier, CancellationToken cancellationToken)
        {
            var (compilation, diagnostics) = await base.GetProjectCompilationAsync(project, verifier, cancellationToken);
            return (compilation, diagnostics.Select(d => InTree(compilation, d)).ToImmutableArray());
        }

        private static Microsoft.CodeAnalysis.Diagnostic InTree(Compilation compilation, Microsoft.CodeAnalysis.Diagnostic diagnostic)
        {
            if (diagnostic.Location.Kind != LocationKind.ExternalFile
                || compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == diagnostic.Location.GetLineSpan().Path) is not { } tree)
            {
                return diagnostic;
            }
            var descriptor = diagnostic.Descriptor;
            return Microsoft.CodeAnalysis.Diagnostic.Create(
                diagnostic.Id, descriptor.Category, diagnostic.GetMessage(), diagnostic.Severity, diagnostic.DefaultSeverity,
                descriptor.IsEnabledByDefault, diagnostic.WarningLevel, diagnostic.IsSuppressed, descriptor.Title, descriptor.Description,
                descriptor.HelpLinkUri, Location.Create(tree, diagnostic.Location.SourceSpan), diagnostic.AdditionalLocations,
                descriptor.CustomTags, diagnostic.Properties);
        }
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
