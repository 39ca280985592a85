using Memstore.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Memstore.Generators.Tests;

/// <summary>
/// The incremental contract on a large project: 50 stores x 5 keyspaces, one service class per store (the shape
/// bench/build-cost/generate.py writes for the build-cost figure in docs/performance.md). An edit inside a method
/// body re-runs no generator step.
/// </summary>
[Trait("Category", "Unit")]
public sealed class LargeProjectIncrementalTests
{
    private const int Stores = 50;

    private static readonly string[] OwnSteps =
    [
        StoreGenerator.Steps.Stores, StoreGenerator.Steps.Keyspaces, StoreGenerator.Steps.Counters, StoreGenerator.Steps.McasGroups,
        StoreGenerator.Steps.Deques, StoreGenerator.Steps.Members, StoreGenerator.Steps.Bundles, StoreGenerator.Steps.Formatters,
        StoreGenerator.Steps.Diagnostics,
    ];

    private static string Store(int i) => $$"""
        using System;
        using System.Collections.Generic;
        using Memstore;

        namespace Gen{{i}};

        public sealed record User{{i}}(string Name, int Age, List<string> Tags);
        public sealed record Account{{i}}(string Owner, long Balance);
        public sealed record Order{{i}}(Guid Id, decimal Total, DateTimeOffset At, Dictionary<string, int> Lines);

        [MemcacheStore(Prefix = "s{{i}}:")]
        public partial class Store{{i}}
        {
            [Keyspace("user:{id}")]
            public partial Keyspace<int, User{{i}}> Users { get; }

            [Keyspace("name:{id}")]
            public partial Keyspace<string, string> Names { get; }

            [McasGroup("acct:{id}")]
            public partial McasKeyspace<string, Account{{i}}> Accounts { get; }

            [Counter("hits:{page}")]
            public partial CounterKeyspace<string> Hits { get; }

            [Keyspace("order:{id}")]
            public partial Keyspace<Guid, Order{{i}}> Orders { get; }
        }
        """;

    private static string Service(int i) => $$"""
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Memstore;

        namespace Gen{{i}};

        public sealed class Service{{i}}(MemcacheClient client, Store{{i}} store)
        {
            private static readonly string NamePrefix = "s{{i}}:name:";
            private readonly string _orderPrefix = "s{{i}}:order:";

            public async Task<int> RunAsync(string id, int n, bool flag, CancellationToken ct)
            {
                var user = await store.Users.GetAsync(n, ct);
                _ = await client.GetAsync(NamePrefix + id, ct);
                _ = await client.SetAsync($"s{{i}}:name:{id}", "x", cancellationToken: ct);
                _ = await client.GetAsync("s{{i}}:user:1"u8, ct);
                _ = await client.DeleteAsync(OrderKey(id), cancellationToken: ct);
                _ = await client.GetAsync(flag ? _orderPrefix + n : "s{{i}}:hits:home", ct);
                _ = await client.GetManyAsync(["s{{i}}:name:a", $"s{{i}}:user:{n}", string.Concat("s{{i}}:", "name:", id)], ct);
                _ = await client.IncrementAsync(store.Hits.FormatKey("home"), cancellationToken: ct);
                _ = await store.Accounts.GetAsync(id, ct);
                return Compute(n) + (user?.Age ?? 0);
            }

            private static string OrderKey(string id) => "s{{i}}:order:" + id;

            private static int Compute(int n)
            {
                var total = 0;
                for (var k = 0; k < n; k++)
                {
                    total += k * {{i}};
                }
                return total;
            }
        }
        """;

    private static string[] Sources() =>
        [.. Enumerable.Range(0, Stores).Select(Store), .. Enumerable.Range(0, Stores).Select(Service)];

    [Fact]
    public void The_large_project_generates_every_store_and_compiles()
    {
        var result = GeneratorHarness.Run(Sources());
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompileDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Equal(Stores, result.Sources.Keys.Count(k => k.StartsWith("Gen", StringComparison.Ordinal) && k.Contains(".Store", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_edit_inside_a_method_body_reruns_no_generator_step()
    {
        var sources = Sources();
        var compilation = GeneratorHarness.Compilation(sources);
        var driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        var first = driver.GetRunResult().Results.Single();
        Assert.Equal(Stores, first.GeneratedSources.Count(s => s.HintName.Contains(".Store", StringComparison.Ordinal)));

        // Service7.cs is File57.cs: change the loop body of Compute.
        var path = $"/src/File{Stores + 7}.cs";
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        var text = sources[Stores + 7];
        Assert.Contains("total += k * 7;", text, StringComparison.Ordinal);
        var edited = CSharpSyntaxTree.ParseText(text.Replace("total += k * 7;", "total += (k * 7) + 1;", StringComparison.Ordinal), GeneratorHarness.ParseOptions, path);
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(old, edited));
        var second = driver.GetRunResult().Results.Single();

        // The project has no deque, so that step never runs; every other step of the generator must have run.
        Assert.All(OwnSteps.Where(s => s != StoreGenerator.Steps.Deques), s => Assert.True(second.TrackedSteps.ContainsKey(s), $"step {s} was not tracked"));
        var outputs = 0;
        // Only the generator's own steps: Roslyn's internal attribute-lookup steps see every edited tree.
        foreach (var step in OwnSteps)
        {
            foreach (var run in second.TrackedSteps.TryGetValue(step, out var runs) ? runs : [])
            {
                foreach (var (_, reason) in run.Outputs)
                {
                    outputs++;
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"step {step} was {reason}");
                }
            }
        }
        Assert.True(outputs >= Stores * 5, $"only {outputs} step outputs were tracked");
        foreach (var (_, runs) in second.TrackedOutputSteps)
        {
            Assert.All(runs.SelectMany(r => r.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        }
    }
}
