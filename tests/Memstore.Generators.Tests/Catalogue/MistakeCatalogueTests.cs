using System.Reflection;
using Memstore.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Memstore.Generators.Tests.Catalogue;

/// <summary>
/// Annotation mistakes and edge cases (<see cref="CatalogueCases"/>), each with its expected outcome: one MEMS
/// diagnostic at the marked span, or a clean build whose values round-trip through the generated formatters.
/// Whatever the case, the generator does not fail (no CS8785) and the code it writes has no error of its own.
/// </summary>
[Trait("Category", "Unit")]
public sealed class MistakeCatalogueTests
{
    public static TheoryData<string> Names => new(CatalogueCases.All.Select(c => c.Name));

    [Fact]
    public void The_catalogue_has_at_least_forty_cases_with_distinct_names()
    {
        Assert.True(CatalogueCases.All.Count >= 40, $"{CatalogueCases.All.Count} cases");
        Assert.Equal(CatalogueCases.All.Count, CatalogueCases.All.Select(c => c.Name).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Case_has_its_expected_outcome(string name)
    {
        var @case = CatalogueCases.All.Single(c => c.Name == name);
        var (source, span) = Unmark(CatalogueCases.Usings + @case.Source);
        var compilation = GeneratorHarness.Compilation(source);
        var libraryImage = @case.Library is { } library ? CompileLibrary(library) : null;
        if (libraryImage is not null)
        {
            compilation = compilation.AddReferences(MetadataReference.CreateFromImage(libraryImage));
        }
        var driver = GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var run = driver.GetRunResult();

        Assert.All(run.Results, r => Assert.Null(r.Exception));
        var all = generatorDiagnostics.Concat(output.GetDiagnostics()).ToList();
        Assert.DoesNotContain(all, d => d.Id is "CS8785" or "AD0001");
        var generatedTrees = run.GeneratedTrees.ToHashSet();
        var generatedErrors = all.Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree is { } tree && generatedTrees.Contains(tree)).ToList();
        Assert.True(generatedErrors.Count == 0, "errors in generated code:\n" + string.Join("\n", generatedErrors));

        var mems = generatorDiagnostics.Where(d => d.Id.StartsWith("MEMS", StringComparison.Ordinal)).ToList();
        var userErrors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).Distinct().ToList();
        Assert.True(userErrors.Order(StringComparer.Ordinal).SequenceEqual(@case.UserErrors.Order(StringComparer.Ordinal)),
            $"compiler errors {string.Join(", ", userErrors)}, expected {string.Join(", ", @case.UserErrors)}:\n{string.Join("\n", output.GetDiagnostics())}");
        if (@case.Expect is { } expected)
        {
            var diagnostic = Assert.Single(mems, d => d.Id == expected);
            Assert.Equal("/src/File0.cs", diagnostic.Location.GetLineSpan().Path);
            Assert.Equal(span, diagnostic.Location.SourceSpan);
            Assert.Equal([expected, .. @case.Also], mems.Select(d => d.Id).Distinct().OrderBy(id => id == expected ? "" : id, StringComparer.Ordinal));
            if (@case.Message is { } text)
            {
                Assert.Contains(text, diagnostic.GetMessage(), StringComparison.Ordinal);
            }
        }
        else
        {
            Assert.True(mems.Count == 0, string.Join("\n", mems));
            if (@case.UserErrors.Length == 0)
            {
                var warnings = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
                Assert.True(warnings.Count == 0, string.Join("\n", warnings));
            }
        }
        @case.Check?.Invoke(run.GeneratedTrees.ToDictionary(t => Path.GetFileName(t.FilePath), t => t.GetText().ToString()));
        if (@case.RoundTrip is { } roundTrip)
        {
            Assert.Equal(roundTrip.Json, RoundTrip(output, roundTrip, libraryImage));
        }
    }

    /// <summary>The source without its <c>[|...|]</c> markers, and the span they enclosed.</summary>
    private static (string Source, TextSpan Span) Unmark(string marked)
    {
        var start = marked.IndexOf("[|", StringComparison.Ordinal);
        var end = marked.IndexOf("|]", StringComparison.Ordinal);
        if (start < 0 || end < 0)
        {
            return (marked, default);
        }
        return (marked.Replace("[|", "").Replace("|]", ""), new TextSpan(start, end - start - 2));
    }

    /// <summary>A referenced project: compiled with the generator, so it carries the keyspace manifests of its stores.</summary>
    private static byte[] CompileLibrary(string source)
    {
        var library = GeneratorHarness.Compilation(CatalogueCases.Usings + source).WithAssemblyName("CatalogueLibrary");
        GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(library, out var output, out _);
        using var image = new MemoryStream();
        var emitted = output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return image.ToArray();
    }

    /// <summary>
    /// Serializes <paramref name="value"/> with the generated resolver inside the compiled case, reads it back and
    /// writes it again: the JSON of the bytes when both writes agree (and, when asked, agree with the contractless resolver's).
    /// </summary>
    private static string RoundTrip(Compilation output, RoundTripCase roundTrip, byte[]? libraryImage)
    {
        var (type, value) = (roundTrip.Type, roundTrip.Value);
        var contractless = roundTrip.Contractless
            ? $$"""
                var theirs = global::MessagePack.MessagePackSerializer.Serialize(value, global::MessagePack.Resolvers.ContractlessStandardResolver.Options);
                if (global::System.Convert.ToHexString(bytes) != global::System.Convert.ToHexString(theirs))
                {
                    return "contractless writes " + global::MessagePack.MessagePackSerializer.ConvertToJson(theirs) + " (" + global::System.Convert.ToHexString(theirs) + "), generated " + global::System.Convert.ToHexString(bytes);
                }
                """
            : "";
        var probe = $$"""
            public static class CatalogueProbe
            {
                public static string Run()
                {
                    var options = global::MessagePack.MessagePackSerializerOptions.Standard.WithResolver(global::Memstore.Generated.MemstoreResolver.Instance);
                    {{type}} value = {{value}};
                    var bytes = global::MessagePack.MessagePackSerializer.Serialize(value, options);
                    {{contractless}}
                    var back = global::MessagePack.MessagePackSerializer.Deserialize<{{type}}>(bytes, options);
                    var again = global::MessagePack.MessagePackSerializer.Serialize(back, options);
                    return global::System.Convert.ToHexString(bytes) == global::System.Convert.ToHexString(again)
                        ? global::MessagePack.MessagePackSerializer.ConvertToJson(bytes)
                        : "written differently after reading back: " + global::MessagePack.MessagePackSerializer.ConvertToJson(again);
                }
            }
            """;
        var withProbe = output.AddSyntaxTrees(CSharpSyntaxTree.ParseText(CatalogueCases.Usings + probe, GeneratorHarness.ParseOptions, "/src/Probe.cs"));
        using var image = new MemoryStream();
        var emitted = withProbe.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        var library = libraryImage is null ? null : Assembly.Load(libraryImage);
        Assembly? Resolve(object? sender, ResolveEventArgs args) => library is not null && args.Name.StartsWith(library.GetName().Name + ",", StringComparison.Ordinal) ? library : null;
        AppDomain.CurrentDomain.AssemblyResolve += Resolve;
        try
        {
            var assembly = Assembly.Load(image.ToArray());
            return (string)assembly.GetType("CatalogueProbe")!.GetMethod("Run")!.Invoke(null, null)!;
        }
        finally
        {
            AppDomain.CurrentDomain.AssemblyResolve -= Resolve;
        }
    }
}
