using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

// usage: Memstore.BuildCostDriver RSP STEP... where each STEP is "real" (Memstore.Generators) or "floor"
// (bench/build-cost/floor), or "analyzers-real" (Memstore.Analyzers) or "analyzers-floor" (the floor's stand-in
// analyzer). Each step parses the sources afresh into a new compilation, so every step binds everything again. A
// generator step runs one generator over it with a new driver; an analyzer step first adds the real generator's
// output and binds the declarations (untimed), then runs the analyzers over the whole compilation, one thread, and reports their own execution
// time as the compiler's /reportanalyzer does. The first step of a kind pays first use (JIT, type loading), later
// steps of that kind do not. Prints one line per step: the kind, milliseconds, generated sources or diagnostics.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Memstore.BuildCostDriver RSP STEP...   (STEP: real | floor | analyzers-real | analyzers-floor)");
    return 2;
}
// Relative paths in the arguments are the project directory's, where the build ran csc: run this from there.
var parsed = CSharpCommandLineParser.Default.Parse(["@" + Path.GetFullPath(args[0])], Directory.GetCurrentDirectory(), sdkDirectory: null);
if (parsed.Errors.Any(e => e.Severity == DiagnosticSeverity.Error))
{
    Console.Error.WriteLine(string.Join(Environment.NewLine, parsed.Errors));
    return 1;
}
var texts = parsed.SourceFiles.Select(f => (f.Path, Text: File.ReadAllText(f.Path))).ToArray();
var references = parsed.MetadataReferences.Select(r => (MetadataReference)MetadataReference.CreateFromFile(r.Reference)).ToArray();

foreach (var step in args.Skip(1))
{
    var compilation = CSharpCompilation.Create(
        "BuildCost",
        texts.Select(t => CSharpSyntaxTree.ParseText(t.Text, parsed.ParseOptions, t.Path)),
        references,
        parsed.CompilationOptions);
    if (step.StartsWith("analyzers-", StringComparison.Ordinal))
    {
        ImmutableArray<DiagnosticAnalyzer> analyzers = step switch
        {
            "analyzers-real" => [new Memstore.Analyzers.McasKeyAnalyzer(), new Memstore.Analyzers.McasCommitAnalyzer()],
            "analyzers-floor" => [new Memstore.BuildCostFloor.FloorAnalyzer()],
            _ => throw new ArgumentException($"unknown step '{step}'"),
        };
        CSharpGeneratorDriver.Create([new Memstore.Generators.StoreGenerator().AsSourceGenerator()], parseOptions: parsed.ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var withGenerated, out _);
        // As in csc, where the compiler's own pass has parsed the generated trees and bound the declarations by the
        // time analyzers run: otherwise the first analyzer to look a type up would pay for both here.
        _ = withGenerated.GetDeclarationDiagnostics();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: true);
        var withAnalyzers = withGenerated.WithAnalyzers(analyzers, options);
        var result = await withAnalyzers.GetAnalysisResultAsync(CancellationToken.None);
        var own = analyzers.Sum(a => result.AnalyzerTelemetryInfo[a].ExecutionTime.TotalMilliseconds);
        Console.WriteLine($"{step} {own:F1} {result.GetAllDiagnostics().Length}");
        continue;
    }
    IIncrementalGenerator generator = step switch
    {
        "real" => new Memstore.Generators.StoreGenerator(),
        "floor" => new Memstore.BuildCostFloor.FloorGenerator(),
        _ => throw new ArgumentException($"unknown step '{step}' (real | floor | analyzers-real | analyzers-floor)"),
    };
    var allocated = GC.GetTotalAllocatedBytes(precise: true);
    var jitTime = System.Runtime.JitInfo.GetCompilationTime();
    var jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount();
    var pause = GC.GetTotalPauseDuration();
    var collections = GC.CollectionCount(0);
    var clock = Stopwatch.StartNew();
    var driver = CSharpGeneratorDriver.Create([generator.AsSourceGenerator()], parseOptions: parsed.ParseOptions);
    var run = driver.RunGenerators(compilation).GetRunResult();
    var elapsed = clock.Elapsed.TotalMilliseconds;
    Console.WriteLine($"{step} {elapsed:F1} {run.GeneratedTrees.Length} {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1e6:F1}MB jit {(System.Runtime.JitInfo.GetCompilationTime() - jitTime).TotalMilliseconds:F0}ms/{System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethods} gc {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:F0}ms/{GC.CollectionCount(0) - collections}");
}
return 0;
