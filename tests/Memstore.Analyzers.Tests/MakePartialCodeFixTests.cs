using Basic.Reference.Assemblies;
using Memstore.Analyzers.CodeFixes;
using Memstore.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;

namespace Memstore.Analyzers.Tests;

/// <summary>
/// "Make partial" for the generator's MEMS1001 and MEMS1002. The harness runs the real generator, so the diagnostics
/// fixed are the generator's own (at the locations it reports), each fix is applied one at a time and as fix-all,
/// and the fixed source must compile together with the code the generator then writes.
/// </summary>
[Trait("Category", "Unit")]
public class MakePartialCodeFixTests
{
    private const string Usings = "using Memstore;\n";

    // Whole messages rather than arguments: the harness hands the fix the IDE's copy of a generator diagnostic,
    // which carries the formatted message only (see Verify.GeneratorCodeFixAsync).
    private static DiagnosticResult StoreNotPartial(int location, string store) =>
        new DiagnosticResult(MakePartialCodeFixProvider.StoreNotPartialId, DiagnosticSeverity.Error).WithLocation(location)
            .WithMessage($"'{store}' has [MemcacheStore] but is not partial; add the partial modifier so the generator can implement it");

    private static DiagnosticResult ContainerNotPartial(int location, string container, string store) =>
        new DiagnosticResult(MakePartialCodeFixProvider.ContainerNotPartialId, DiagnosticSeverity.Error).WithLocation(location)
            .WithMessage($"'{container}' contains the store '{store}' but is not partial; add the partial modifier to every enclosing type");

    private static Task VerifyAsync(string source, string fixedSource, DiagnosticResult[] expected, params string[] generatedStores) =>
        VerifyAsync(source, fixedSource, expected, iterations: null, generatedStores);

    private static async Task VerifyAsync(string source, string fixedSource, DiagnosticResult[] expected, int? iterations, params string[] generatedStores)
    {
        await Verify.GeneratorCodeFixAsync<MakePartialCodeFixProvider>(Usings + source, Usings + fixedSource, expected, iterations: iterations);
        AssertGenerated(Usings + fixedSource, generatedStores);
    }

    /// <summary>Runs the generator over the fixed source: no diagnostic, each store implemented, no compiler error.</summary>
    private static void AssertGenerated(string fixedSource, string[] stores)
    {
        var compilation = CSharpCompilation.Create(
            "Fixed",
            [CSharpSyntaxTree.ParseText(fixedSource, Verify.GeneratorParseOptions)],
            [.. Net100.References.All, Verify.MemstoreReference, .. Verify.GeneratedCodeReferences],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        CSharpGeneratorDriver.Create([new StoreGenerator().AsSourceGenerator()], parseOptions: Verify.GeneratorParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        var generated = output.SyntaxTrees.Select(t => Path.GetFileName(t.FilePath)).ToList();
        foreach (var store in stores)
        {
            Assert.Contains(store + ".g.cs", generated);
        }
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task Store_class_becomes_partial() =>
        // Open() needs the constructor the generator writes: it compiles in the fixed state only because the
        // generated store is compiled with it.
        await VerifyAsync(
            """
            [MemcacheStore] public class {|#0:Shop|} { }

            public static class Shops
            {
                public static Shop Open(MemcacheClient client) => new {|#1:Shop|}(client);
            }
            """,
            """
            [MemcacheStore] public partial class Shop { }

            public static class Shops
            {
                public static Shop Open(MemcacheClient client) => new Shop(client);
            }
            """,
            [
                StoreNotPartial(0, "Shop"),
                DiagnosticResult.CompilerError("CS1729").WithLocation(1).WithArguments("Shop", "1"),
            ],
            "Shop");

    [Fact]
    public async Task Partial_goes_after_the_other_modifiers_and_trivia_stays()
    {
        var source = """
            namespace Shop;

            /// <summary>The catalogue.</summary>
            [MemcacheStore(Prefix = "cat:")]
            public sealed class {|#0:Catalogue|}
            {
                [Keyspace("p:{id}")]
                public partial Keyspace<int, string> Products { get; }
            }

            // Orders.
            [MemcacheStore(Prefix = "ord:")]
            internal sealed /* sealed on purpose */ class {|#1:Orders|}
            {
            }

            [MemcacheStore(Prefix = "raw:")]
            class {|#2:Raw|}
            {
            }
            """;
        var fixedSource = """
            namespace Shop;

            /// <summary>The catalogue.</summary>
            [MemcacheStore(Prefix = "cat:")]
            public sealed partial class Catalogue
            {
                [Keyspace("p:{id}")]
                public partial Keyspace<int, string> Products { get; }
            }

            // Orders.
            [MemcacheStore(Prefix = "ord:")]
            internal sealed /* sealed on purpose */ partial class Orders
            {
            }

            [MemcacheStore(Prefix = "raw:")]
            partial class Raw
            {
            }
            """;
        await VerifyAsync(
            source,
            fixedSource,
            [
                StoreNotPartial(0, "Catalogue"),
                // A partial property in a type that is not partial: the compiler's own errors, gone with the fix.
                DiagnosticResult.CompilerError("CS0751").WithSpan(9, 42, 9, 50),
                DiagnosticResult.CompilerError("CS9248").WithSpan(9, 42, 9, 50).WithArguments("Shop.Catalogue.Products"),
                StoreNotPartial(1, "Orders"),
                StoreNotPartial(2, "Raw"),
            ],
            "Shop.Catalogue", "Shop.Orders", "Shop.Raw");
    }

    [Fact]
    public async Task Record_store_becomes_partial() =>
        await VerifyAsync(
            """
            [MemcacheStore(Prefix = "r:")]
            public sealed record {|#0:Shop|}
            {
            }
            """,
            """
            [MemcacheStore(Prefix = "r:")]
            public sealed partial record Shop
            {
            }
            """,
            [StoreNotPartial(0, "Shop")],
            "Shop");

    [Fact]
    public async Task Only_the_declaration_the_diagnostic_points_at_changes() =>
        // The attributed declaration lacks partial while another one has it (CS0260 from the compiler, MEMS1001
        // from the generator on the attributed one): only that one is rewritten.
        await VerifyAsync(
            """
            [MemcacheStore] public class {|#0:Shop|} { }

            public partial class Shop
            {
                public int Other => 1;
            }
            """,
            """
            [MemcacheStore] public partial class Shop { }

            public partial class Shop
            {
                public int Other => 1;
            }
            """,
            [
                StoreNotPartial(0, "Shop"),
                DiagnosticResult.CompilerError("CS0260").WithLocation(0).WithArguments("Shop"),
            ],
            "Shop");

    [Fact]
    public async Task Container_becomes_partial() =>
        await VerifyAsync(
            """
            /// <summary>Holds the store.</summary>
            internal static class {|#0:Outer|}
            {
                [MemcacheStore] public partial class Shop { }
            }
            """,
            """
            /// <summary>Holds the store.</summary>
            internal static partial class Outer
            {
                [MemcacheStore] public partial class Shop { }
            }
            """,
            [ContainerNotPartial(0, "Outer", "Shop")],
            "Outer.Shop");

    [Fact]
    public async Task Two_containers_and_the_store_become_partial_in_one_fix() =>
        await VerifyAsync(
            """
            namespace App
            {
                public class {|#0:Outer|}
                {
                    internal sealed class {|#1:Middle|}<T>
                    {
                        [MemcacheStore(Prefix = "s:")]
                        public class {|#2:Shop|} { }
                    }
                }
            }
            """,
            """
            namespace App
            {
                public partial class Outer
                {
                    internal sealed partial class Middle<T>
                    {
                        [MemcacheStore(Prefix = "s:")]
                        public partial class Shop { }
                    }
                }
            }
            """,
            [
                StoreNotPartial(2, "Shop"),
                ContainerNotPartial(1, "Middle", "Shop"),
                ContainerNotPartial(0, "Outer", "Shop"),
            ],
            // The first diagnostic fixed (MEMS1002 on Outer) takes Middle and Shop along: nothing is left after it.
            iterations: 1,
            "App.Outer.Middle_003CT_003E.Shop");

    [Fact]
    public async Task Record_and_struct_containers_become_partial() =>
        await VerifyAsync(
            """
            public record {|#0:Settings|}
            {
                [MemcacheStore(Prefix = "a:")] public partial class A { }
            }

            public readonly record struct {|#1:Key|}
            {
                [MemcacheStore(Prefix = "b:")] public partial class B { }
            }

            public struct {|#2:Holder|}
            {
                [MemcacheStore(Prefix = "c:")] public partial class C { }
            }

            public ref struct {|#3:Scope|}
            {
                [MemcacheStore(Prefix = "d:")] public partial class D { }
            }

            public interface {|#4:IContracts|}
            {
                [MemcacheStore(Prefix = "e:")] public partial class E { }
            }
            """,
            """
            public partial record Settings
            {
                [MemcacheStore(Prefix = "a:")] public partial class A { }
            }

            public readonly partial record struct Key
            {
                [MemcacheStore(Prefix = "b:")] public partial class B { }
            }

            public partial struct Holder
            {
                [MemcacheStore(Prefix = "c:")] public partial class C { }
            }

            public ref partial struct Scope
            {
                [MemcacheStore(Prefix = "d:")] public partial class D { }
            }

            public partial interface IContracts
            {
                [MemcacheStore(Prefix = "e:")] public partial class E { }
            }
            """,
            [
                ContainerNotPartial(0, "Settings", "A"),
                ContainerNotPartial(1, "Key", "B"),
                ContainerNotPartial(2, "Holder", "C"),
                ContainerNotPartial(3, "Scope", "D"),
                ContainerNotPartial(4, "IContracts", "E"),
            ],
            "Settings.A", "Key.B", "Holder.C", "Scope.D", "IContracts.E");

    [Fact]
    public async Task One_container_of_two_stores_is_fixed_once() =>
        // Two MEMS1002 on the same identifier (one per store); either fix makes both stores buildable.
        await VerifyAsync(
            """
            public class {|#0:Outer|}
            {
                [MemcacheStore(Prefix = "a:")] public partial class A { }
                [MemcacheStore(Prefix = "b:")] public class {|#1:B|} { }
            }
            """,
            """
            public partial class Outer
            {
                [MemcacheStore(Prefix = "a:")] public partial class A { }
                [MemcacheStore(Prefix = "b:")] public partial class B { }
            }
            """,
            [
                ContainerNotPartial(0, "Outer", "A"),
                ContainerNotPartial(0, "Outer", "B"),
                StoreNotPartial(1, "B"),
            ],
            iterations: 1,
            "Outer.A", "Outer.B");

    [Fact]
    public async Task Fix_all_makes_every_store_in_the_document_partial() =>
        await VerifyAsync(
            """
            [MemcacheStore(Prefix = "a:")]
            public class {|#0:First|} { }

            [MemcacheStore(Prefix = "b:")]
            public sealed class {|#1:Second|} { }

            public static class {|#2:Stores|}
            {
                [MemcacheStore(Prefix = "c:")]
                public class {|#3:Third|} { }
            }

            public class Unrelated { }
            """,
            """
            [MemcacheStore(Prefix = "a:")]
            public partial class First { }

            [MemcacheStore(Prefix = "b:")]
            public sealed partial class Second { }

            public static partial class Stores
            {
                [MemcacheStore(Prefix = "c:")]
                public partial class Third { }
            }

            public class Unrelated { }
            """,
            [
                StoreNotPartial(0, "First"),
                StoreNotPartial(1, "Second"),
                ContainerNotPartial(2, "Stores", "Third"),
                StoreNotPartial(3, "Third"),
            ],
            "First", "Second", "Stores.Third");

    [Fact]
    public async Task Fixes_the_diagnostic_as_the_generator_reports_it_by_path_and_span()
    {
        // Without the IDE's mapping: the generator's own diagnostic, an ExternalFile location (path and span).
        const string source = Usings + """
            public class Outer
            {
                [MemcacheStore] public class Shop { }
            }
            """;
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(), VersionStamp.Default, "Raw", "Raw", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: Verify.GeneratorParseOptions,
            metadataReferences: [.. Net100.References.All, Verify.MemstoreReference, .. Verify.GeneratedCodeReferences]));
        var document = workspace.AddDocument(DocumentInfo.Create(
            DocumentId.CreateNewId(project.Id), "Stores.cs",
            loader: TextLoader.From(TextAndVersion.Create(SourceText.From(source), VersionStamp.Default)),
            filePath: "/src/Stores.cs"));
        var compilation = await document.Project.GetCompilationAsync();
        CSharpGeneratorDriver.Create([new StoreGenerator().AsSourceGenerator()], parseOptions: Verify.GeneratorParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation!, out _, out var diagnostics);
        Assert.Equal(["MEMS1001", "MEMS1002"], diagnostics.Select(d => d.Id).Order());
        Assert.All(diagnostics, d => Assert.Equal(LocationKind.ExternalFile, d.Location.Kind));

        var provider = new MakePartialCodeFixProvider();
        foreach (var diagnostic in diagnostics)
        {
            var actions = new List<CodeAction>();
            await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
            var action = Assert.Single(actions);
            Assert.Equal("Make partial", action.Title);
            // MEMS1001 changes the store only; MEMS1002 the container and the store in it.
            var expected = Usings + (diagnostic.Id == "MEMS1001"
                ? """
                    public class Outer
                    {
                        [MemcacheStore] public partial class Shop { }
                    }
                    """
                : """
                    public partial class Outer
                    {
                        [MemcacheStore] public partial class Shop { }
                    }
                    """);
            var operation = Assert.IsType<ApplyChangesOperation>(Assert.Single(await action.GetOperationsAsync(CancellationToken.None)));
            var text = (await operation.ChangedSolution.GetDocument(document.Id)!.GetTextAsync()).ToString();
            Assert.Equal(expected, text);
        }

        // A diagnostic whose path names another file is not this document's.
        var elsewhere = Microsoft.CodeAnalysis.Diagnostic.Create(
            diagnostics[0].Descriptor,
            Location.Create("/src/Other.cs", diagnostics[0].Location.SourceSpan, diagnostics[0].Location.GetLineSpan().Span),
            "Shop");
        var none = new List<CodeAction>();
        await provider.RegisterCodeFixesAsync(new CodeFixContext(document, elsewhere, (action, _) => none.Add(action), CancellationToken.None));
        Assert.Empty(none);
    }
}
