using System.Collections;
using System.Reflection;
using Memstore.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Memstore.Generators.Tests;

/// <summary>Tracked-step runs: unrelated edits reuse every step; models hold no symbols, syntax or compilations.</summary>
[Trait("Category", "Unit")]
public sealed class IncrementalTests
{
    private const string Store = """
        using System;
        using System.Collections.Generic;
        using Memstore;

        namespace Shop;

        public sealed record Product(string Name, decimal Price, List<string> Tags);

        [MemcacheStore(Prefix = "shop:", DefaultTtlSeconds = 60)]
        public partial class ShopStore
        {
            [Keyspace("product:{id}")]
            public partial Keyspace<int, Product> Products { get; }

            [Counter("views:{page}")]
            public partial CounterKeyspace<string> Views { get; }

            [McasGroup]
            [Keyspace("acct:{id}")]
            public partial McasKeyspace<string, Product> Accounts { get; }

            [Deque("jobs")]
            public partial TypedDeque<string> Jobs { get; }
        }

        public partial class Orphan
        {
            [Keyspace("x:{id}")]
            public partial Keyspace<int, string> Lost { get; }
        }
        """;

    private const string Unrelated = """
        namespace Shop;
        public static class Helpers { public static int Twice(int x) => x * 2; }
        """;

    private static readonly string[] OwnSteps =
    [
        StoreGenerator.Steps.Stores, StoreGenerator.Steps.Keyspaces, StoreGenerator.Steps.Counters, StoreGenerator.Steps.McasGroups,
        StoreGenerator.Steps.Deques, StoreGenerator.Steps.Members, StoreGenerator.Steps.Bundles, StoreGenerator.Steps.Formatters,
        StoreGenerator.Steps.Diagnostics, StoreGenerator.Steps.ReferencedKeyspaces,
    ];

    private static (GeneratorRunResult First, GeneratorRunResult Second) RunTwice(Func<CSharpCompilation, CSharpCompilation> edit)
    {
        var compilation = GeneratorHarness.Compilation(Store, Unrelated);
        var driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        var first = driver.GetRunResult().Results.Single();
        driver = driver.RunGenerators(edit(compilation));
        return (first, driver.GetRunResult().Results.Single());
    }

    private static CSharpCompilation EditUnrelated(CSharpCompilation compilation)
    {
        var old = compilation.SyntaxTrees.Single(t => t.FilePath.EndsWith("File1.cs", StringComparison.Ordinal));
        var edited = CSharpSyntaxTree.ParseText(Unrelated.Replace("x * 2", "x + x") + "\n// edited\n", GeneratorHarness.ParseOptions, old.FilePath);
        return compilation.ReplaceSyntaxTree(old, edited);
    }

    [Fact]
    public void Every_step_is_tracked_and_produces_output()
    {
        var (first, _) = RunTwice(EditUnrelated);
        foreach (var step in OwnSteps)
        {
            Assert.True(first.TrackedSteps.ContainsKey(step), $"step {step} was not tracked");
        }
        Assert.Contains(first.GeneratedSources, s => s.HintName == "Shop.ShopStore.g.cs");
        Assert.Contains(first.Diagnostics, d => d.Id == "MEMS1010");
    }

    [Fact]
    public void An_unrelated_edit_leaves_every_step_cached_or_unchanged()
    {
        var (_, second) = RunTwice(EditUnrelated);
        foreach (var step in OwnSteps)
        {
            foreach (var run in second.TrackedSteps[step])
            {
                foreach (var (_, reason) in run.Outputs)
                {
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"step {step} was {reason}");
                }
            }
        }
        foreach (var (name, runs) in second.TrackedOutputSteps)
        {
            Assert.All(runs.SelectMany(r => r.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        }
    }

    [Fact]
    public void Referenced_manifests_are_read_and_an_unrelated_edit_leaves_them_unchanged()
    {
        var library = GeneratorHarness.Compilation("""
            [assembly: Memstore.MemstoreKeyspaceManifest("elsewhere:{id}", "Lib.Store", "Items", false)]
            """).WithAssemblyName("ManifestLibrary");
        using var image = new MemoryStream();
        Assert.True(library.Emit(image).Success);
        var compilation = GeneratorHarness.Compilation(Store, Unrelated).AddReferences(MetadataReference.CreateFromImage(image.ToArray()));
        var driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        var first = driver.GetRunResult().Results.Single().TrackedSteps[StoreGenerator.Steps.ReferencedKeyspaces].Single().Outputs.Single();
        var keyspaces = Assert.IsType<ReferencedKeyspaceList>(first.Value).Keyspaces;
        Assert.Equal([new ReferencedKeyspace("elsewhere:{id}", "Lib.Store", "Items", "ManifestLibrary")], keyspaces);

        driver = driver.RunGenerators(EditUnrelated(compilation));
        var second = driver.GetRunResult().Results.Single();
        Assert.Equal(IncrementalStepRunReason.Unchanged, second.TrackedSteps[StoreGenerator.Steps.ReferencedKeyspaces].Single().Outputs.Single().Reason);
        Assert.All(second.TrackedSteps[StoreGenerator.Steps.Bundles].SelectMany(r => r.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }

    [Fact]
    public void Editing_a_template_reruns_the_keyspace_and_regenerates_the_store()
    {
        var (_, second) = RunTwice(c =>
        {
            var old = c.SyntaxTrees.Single(t => t.FilePath.EndsWith("File0.cs", StringComparison.Ordinal));
            return c.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(Store.Replace("product:{id}", "item:{id}"), GeneratorHarness.ParseOptions, old.FilePath));
        });
        Assert.Contains(second.TrackedSteps[StoreGenerator.Steps.Keyspaces].SelectMany(r => r.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        // The value types did not change, so the formatters are not regenerated.
        Assert.All(second.TrackedSteps[StoreGenerator.Steps.Formatters].SelectMany(r => r.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Unchanged, o.Reason));
        Assert.Contains("\"shop:item:\"", second.GeneratedSources.Single(s => s.HintName == "Shop.ShopStore.g.cs").SourceText.ToString());
    }

    [Fact]
    public void Models_hold_no_symbols_syntax_locations_or_compilations()
    {
        var (first, _) = RunTwice(EditUnrelated);
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var step in OwnSteps)
        {
            foreach (var run in first.TrackedSteps[step])
            {
                foreach (var (value, _) in run.Outputs)
                {
                    AssertPlain(value, step, seen);
                }
            }
        }
        Assert.True(seen.Count > 20, "the walk visited too little to mean anything");
    }

    private static void AssertPlain(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }
        Assert.False(value is ISymbol or Compilation or SyntaxNode or SyntaxTree or Location or SemanticModel,
            $"{path} holds a {value.GetType().Name}");
        if (value is IEnumerable sequence)
        {
            var i = 0;
            foreach (var item in sequence)
            {
                AssertPlain(item, $"{path}[{i++}]", seen);
            }
        }
        foreach (var field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertPlain(field.GetValue(value), $"{path}.{field.Name}", seen);
        }
    }
}
