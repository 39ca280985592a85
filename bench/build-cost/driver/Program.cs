using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

// usage: Memstore.BuildCostDriver RSP STEP... where each STEP is "real" (Memstore.Generators) or "floor"
// (bench/build-cost/floor). Each step parses the sources afresh into a new compilation, so every step binds everything
// again, and runs one generator over it with a new driver: the first step of a kind pays first use (JIT, type loading),
// later steps of that kind do not. Prints one line per step: the kind, wall milliseconds, generated sources.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Memstore.BuildCostDriver RSP STEP...   (STEP: real | floor)");
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
    IIncrementalGenerator generator = step switch
    {
        "real" => new Memstore.Generators.StoreGenerator(),
        "floor" => new Memstore.BuildCostFloor.FloorGenerator(),
        _ => throw new ArgumentException($"unknown step '{step}' (real | floor)"),
    };
    var compilation = CSharpCompilation.Create(
        "BuildCost",
        texts.Select(t => CSharpSyntaxTree.ParseText(t.Text, parsed.ParseOptions, t.Path)),
        references,
        parsed.CompilationOptions);
    var clock = Stopwatch.StartNew();
    var driver = CSharpGeneratorDriver.Create([generator.AsSourceGenerator()], parseOptions: parsed.ParseOptions);
    var result = driver.RunGenerators(compilation).GetRunResult();
    Console.WriteLine($"{step} {clock.Elapsed.TotalMilliseconds:F1} {result.GeneratedTrees.Length}");
}
return 0;
