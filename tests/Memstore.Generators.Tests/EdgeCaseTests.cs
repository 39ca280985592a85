using Memstore.Generators.Tests.Infrastructure;

namespace Memstore.Generators.Tests;

/// <summary>Declarations at the edges of what the generator accepts still produce warning-free code.</summary>
[Trait("Category", "Unit")]
public sealed class EdgeCaseTests
{
    [Fact]
    public void Nullable_annotated_values_compile_without_warnings() => GeneratorHarness.RunClean("""
        using System;
        using System.Collections.Generic;
        using Memstore;
        namespace N;
        public sealed record Item(string Name, string? Note);
        [MemcacheStore] public partial class S
        {
            [Keyspace("a:{id}")] public partial Keyspace<int, string?> A { get; }
            [Keyspace("b:{id}")] public partial Keyspace<int, byte[]?> B { get; }
            [Keyspace("c:{id}")] public partial Keyspace<int, Item?> C { get; }
            [Keyspace("d:{id}")] public partial Keyspace<int, int> D { get; }
            [Keyspace("e:{id}")] public partial Keyspace<int, long> E { get; }
            [Keyspace("f:{id}")] public partial Keyspace<int, Dictionary<Guid, List<Item>>?> F { get; }
        }
        """);

    [Fact]
    public void Types_whose_names_flatten_alike_get_distinct_formatters()
    {
        var result = GeneratorHarness.RunClean("""
            using Memstore;
            namespace A { public sealed record B_C(int X); }
            namespace A_B { public sealed record C(int Y); }
            [MemcacheStore] public partial class S
            {
                [Keyspace("one:{id}")] public partial Keyspace<int, A.B_C> One { get; }
                [Keyspace("two:{id}")] public partial Keyspace<int, A_B.C> Two { get; }
            }
            """);
        Assert.Equal(2, result.Sources.Keys.Count(k => k.EndsWith("Formatter.g.cs", StringComparison.Ordinal)));
    }

    [Fact]
    public void Self_referencing_and_internal_types_are_supported() => GeneratorHarness.RunClean("""
        using System.Collections.Generic;
        using Memstore;
        internal sealed class Node { public string Name { get; set; } = ""; public List<Node> Children { get; set; } = new(); public Node? Parent { get; set; } }
        [MemcacheStore] internal partial class S
        {
            [Keyspace("tree:{id}")] internal partial Keyspace<string, Node> Trees { get; }
        }
        """);

    [Fact]
    public void Nullable_annotated_built_in_types_use_MessagePack_formatters()
    {
        var result = GeneratorHarness.RunClean("""
            using System;
            using Memstore;
            public sealed record Release(Version? Version, Uri? Link, string? Notes);
            [MemcacheStore] public partial class S
            {
                [Keyspace("r:{id}")] public partial Keyspace<int, Release> Releases { get; }
            }
            """);
        Assert.Equal(["Memstore.Generated.MemstoreResolver.g.cs", "Memstore.Generated.ReleaseFormatter.g.cs", "S.g.cs"],
            result.Sources.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Store_without_keyspaces_still_gets_a_constructor()
    {
        var result = GeneratorHarness.RunClean("""
            using Memstore;
            [MemcacheStore(Prefix = "x:")] public partial class Empty { }
            """);
        Assert.Contains("public Empty(global::Memstore.MemcacheClient client)", result.Sources["Empty.g.cs"]);
    }
}
