using Memstore.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Memstore.Generators.Tests;

/// <summary>One test per annotation mistake: the diagnostic's ID, severity and exact location, and no broken code.</summary>
[Trait("Category", "Unit")]
public sealed class DiagnosticTests
{
    private const string Usings = "using System; using System.Collections.Generic; using Memstore;\n";

    /// <summary>
    /// Runs the generator on <paramref name="source"/>, in which <c>[|...|]</c> marks the span the diagnostic must
    /// point at, and checks that the generated code adds no compiler error of its own.
    /// </summary>
    private static Diagnostic Single(string id, string source)
    {
        var start = source.IndexOf("[|", StringComparison.Ordinal);
        var end = source.IndexOf("|]", StringComparison.Ordinal) - 2;
        var clean = Usings + source.Replace("[|", "").Replace("|]", "");
        var result = GeneratorHarness.Run(clean);
        var diagnostic = Assert.Single(result.GeneratorDiagnostics, d => d.Id == id);
        Assert.Equal(new Microsoft.CodeAnalysis.Text.TextSpan(Usings.Length + start, end - start), diagnostic.Location.SourceSpan);
        Assert.Equal("/src/File0.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.StartsWith("https://", diagnostic.Descriptor.HelpLinkUri);
        Assert.EndsWith($"docs/diagnostics/{id}.md", diagnostic.Descriptor.HelpLinkUri);
        // Whatever was wrong, the generated code itself compiles: errors come from the user's declarations only.
        var generatedErrors = result.CompileDiagnostics.Where(d => d.Location.SourceTree?.FilePath.Contains("Memstore.Generators") == true);
        Assert.Empty(generatedErrors);
        return diagnostic;
    }

    [Fact]
    public void MEMS1001_store_not_partial() =>
        Assert.Equal(DiagnosticSeverity.Error, Single("MEMS1001", """
            [MemcacheStore] public class [|Shop|] { }
            """).Severity);

    [Fact]
    public void MEMS1002_container_not_partial() => Single("MEMS1002", """
        public class [|Outer|]
        {
            [MemcacheStore] public partial class Shop { }
        }
        """);

    [Fact]
    public void MEMS1003_member_not_partial() => Single("MEMS1003", """
        [MemcacheStore] public partial class Shop
        {
            [Keyspace("p:{id}")] public Keyspace<int, string> [|Products|] => null!;
        }
        """);

    [Fact]
    public void MEMS1003_member_of_wrong_type() => Single("MEMS1003", """
        [MemcacheStore] public partial class Shop
        {
            [Keyspace("p:{id}")] public partial [|Dictionary<int, string>|] Products { get; }
        }
        """);

    [Fact]
    public void MEMS1003_mcas_group_on_a_plain_keyspace()
    {
        // A plain Keyspace would expose plain get/set on MCAS-managed keys.
        var diagnostic = Single("MEMS1003", """
            [MemcacheStore] public partial class Bank
            {
                [McasGroup("acct:{id}")] public partial [|Keyspace<string, long>|] Accounts { get; }
            }
            """);
        Assert.Contains("McasKeyspace<TKey, TValue>", diagnostic.GetMessage());
    }

    [Fact]
    public void MEMS1006_mcas_group_template_checked_like_a_keyspace() => Single("MEMS1006", """
        [MemcacheStore] public partial class Bank
        {
            [McasGroup([|"acct:{id}:{other}"|])] public partial McasKeyspace<string, long> Accounts { get; }
        }
        """);

    [Fact]
    public void MEMS1007_mcas_group_overlapping_a_plain_keyspace() => Single("MEMS1007", """
        [MemcacheStore] public partial class Bank
        {
            [Keyspace("acct:{id}")] public partial Keyspace<string, long> Plain { get; }
            [McasGroup([|"acct:{id}"|])] public partial McasKeyspace<string, long> Accounts { get; }
        }
        """);

    [Fact]
    public void MEMS1003_deque_of_wrong_type() => Single("MEMS1003", """
        [MemcacheStore] public partial class Jobs
        {
            [Deque("jobs")] public partial [|Keyspace<int, string>|] Queue { get; }
        }
        """);

    [Fact]
    public void MEMS1003_deque_name_with_placeholder() => Single("MEMS1003", """
        [MemcacheStore] public partial class Jobs
        {
            [Deque([|"jobs:{id}"|])] public partial TypedDeque<string> Queue { get; }
        }
        """);

    [Fact]
    public void MEMS1004_unsupported_key_type() => Single("MEMS1004", """
        [MemcacheStore] public partial class Shop
        {
            [Keyspace("p:{when}")] public partial [|Keyspace<DateTime, string>|] Products { get; }
        }
        """);

    [Fact]
    public void MEMS1005_unsupported_value_type() =>
        Assert.Contains("Bag.Payload", Single("MEMS1005", """
            public sealed class Bag { public object Payload { get; set; } = new(); }
            [MemcacheStore] public partial class Shop
            {
                [Keyspace("p:{id}")] public partial [|Keyspace<int, Bag>|] Bags { get; }
            }
            """).GetMessage());

    [Fact]
    public void MEMS1006_placeholder_count_does_not_match() => Single("MEMS1006", """
        [MemcacheStore] public partial class Shop
        {
            [Keyspace([|"p:{id}:{extra}"|])] public partial Keyspace<int, string> Products { get; }
        }
        """);

    [Fact]
    public void MEMS1006_placeholder_names_no_tuple_element() => Single("MEMS1006", """
        [MemcacheStore] public partial class Shop
        {
            [Keyspace([|"c:{user}:{zone}"|])] public partial Keyspace<(Guid User, string Region), string> Carts { get; }
        }
        """);

    [Fact]
    public void MEMS1006_malformed_template() => Single("MEMS1006", """
        [MemcacheStore] public partial class Shop
        {
            [Keyspace([|"p:{id"|])] public partial Keyspace<int, string> Products { get; }
        }
        """);

    [Fact]
    public void MEMS1007_two_keyspaces_can_produce_the_same_key() =>
        Assert.Contains("'Products'", Single("MEMS1007", """
            [MemcacheStore(Prefix = "s:")] public partial class Shop
            {
                [Keyspace("p:{id}")] public partial Keyspace<int, string> Products { get; }
                [Keyspace("p:{name}")] public partial Keyspace<string, string> ProductsByName { get; }
                [Counter([|"p:{id}"|])] public partial CounterKeyspace<Guid> Views { get; }
            }
            """.Replace("[Keyspace(\"p:{name}\")]", "[Keyspace(\"q:{name}\")]")).GetMessage());

    [Fact]
    public void MEMS1007_not_reported_for_disjoint_templates()
    {
        var result = GeneratorHarness.RunClean(Usings + """
            [MemcacheStore(Prefix = "s:")] public partial class Shop
            {
                [Keyspace("p:{id}")] public partial Keyspace<int, string> Products { get; }
                [Keyspace("p:{id}:meta")] public partial Keyspace<int, string> Meta { get; }
                [Keyspace("q:{id}")] public partial Keyspace<Guid, string> Other { get; }
            }
            """);
        Assert.Contains("Shop.g.cs", result.Sources.Keys);
    }

    [Fact]
    public void MEMS1008_constant_part_over_250_bytes() => Single("MEMS1008", $$"""
        [MemcacheStore(Prefix = "{{new string('p', 100)}}")] public partial class Shop
        {
            [Keyspace([|"{{new string('k', 150)}}:{id}"|])] public partial Keyspace<int, string> Products { get; }
        }
        """);

    [Fact]
    public void MEMS1009_space_in_template() => Single("MEMS1009", """
        [MemcacheStore] public partial class Shop
        {
            [Keyspace([|"product {id}"|])] public partial Keyspace<int, string> Products { get; }
        }
        """);

    [Fact]
    public void MEMS1009_control_character_in_prefix() => Single("MEMS1009", """
        [MemcacheStore(Prefix = [|"a\tb:"|])] public partial class Shop { }
        """);

    [Fact]
    public void MEMS1010_keyspace_outside_a_store_is_a_warning() =>
        Assert.Equal(DiagnosticSeverity.Warning, Single("MEMS1010", """
            public partial class NotAStore
            {
                [Keyspace("p:{id}")] public partial Keyspace<int, string> [|Products|] { get; }
            }
            """).Severity);

    [Fact]
    public void MEMS1011_negative_ttl() => Single("MEMS1011", """
        [MemcacheStore] public partial class Shop
        {
            [Keyspace("p:{id}", [|TtlSeconds = -5|])] public partial Keyspace<int, string> Products { get; }
        }
        """.Replace("[|TtlSeconds = -5|]", "TtlSeconds = [|-5|]"));

    [Fact]
    public void MEMS1016_negative_compression_threshold() => Assert.Contains("CompressAboveBytes is -1", Single("MEMS1016", """
        [MemcacheStore] public partial class Shop
        {
            [Keyspace("p:{id}", CompressAboveBytes = [|-1|])] public partial Keyspace<int, string> Products { get; }
        }
        """).GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    [Fact]
    public void MEMS1016_compression_on_an_mcas_keyspace() => Assert.Contains("MCAS", Single("MEMS1016", """
        [MemcacheStore] public partial class Bank
        {
            [McasGroup, Keyspace("acct:{id}", CompressAboveBytes = [|1024|])] public partial McasKeyspace<int, long> Accounts { get; }
        }
        """).GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    [Fact]
    public void MEMS1017_keyspace_named_like_a_generated_member() =>
        Assert.Contains("'Bank.TransactAsync'", Single("MEMS1017", """
        [MemcacheStore] public partial class Bank
        {
            [McasGroup("t:{id}")] public partial McasKeyspace<int, string> [|TransactAsync|] { get; }
        }
        """).GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    [Fact]
    public void MEMS1012_store_declares_the_generated_constructor() => Single("MEMS1012", """
        [MemcacheStore] public partial class Shop
        {
            public [|Shop|](MemcacheClient? client) { }
        }
        """);

    [Fact]
    public void MEMS1013_static_store() =>
        Assert.Contains("cannot be static", Single("MEMS1013", """
            [MemcacheStore] public static partial class [|Shop|] { }
            """).GetMessage());

    [Fact]
    public void MEMS1013_struct_store_gets_stubs_and_no_CS9248()
    {
        var result = GeneratorHarness.Run(Usings + """
            [MemcacheStore] public partial struct Shop { [Keyspace("p:{id}")] public partial Keyspace<int, string> Products { get; } }
            """);
        Assert.Equal(["MEMS1013"], result.GeneratorDiagnostics.Select(d => d.Id));
        Assert.Contains("a store must be a class", result.GeneratorDiagnostics[0].GetMessage());
        Assert.DoesNotContain(result.CompileDiagnostics, d => d.Id == "CS9248");
        Assert.Contains("throw new global::System.InvalidOperationException", result.Sources["Shop.g.cs"]);
    }

    [Fact]
    public void MEMS1014_partial_declarations_with_different_prefixes() => Single("MEMS1014", """
        [MemcacheStore(Prefix = "a:")] public partial class Shop { }
        [[|MemcacheStore(Prefix = "b:")|]] public partial class Shop { }
        """);

    [Fact]
    public void MEMS1007_two_stores_with_the_same_prefix() =>
        Assert.Contains("'One.Items'", Single("MEMS1007", """
            [MemcacheStore(Prefix = "x:")] public partial class One { [Keyspace("i:{id}")] public partial Keyspace<int, string> Items { get; } }
            [MemcacheStore(Prefix = "x:")] public partial class Two { [Keyspace([|"i:{id}"|])] public partial Keyspace<int, long> Items { get; } }
            """).GetMessage());

    [Fact]
    public void A_user_member_named_Client_is_left_alone()
    {
        var result = GeneratorHarness.RunClean(Usings + """
            [MemcacheStore] public partial class Shop
            {
                public string Client => "mine";
                public Shop(string servers) : this(MemcacheClient.Create(servers)) { }
                [Keyspace("p:{id}")] public partial Keyspace<int, string> Products { get; }
            }
            """);
        Assert.DoesNotContain("Client { get; }", result.Sources["Shop.g.cs"]);
    }

    [Fact]
    public void Every_diagnostic_has_a_doc_page_and_a_release_entry()
    {
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", ".."));
        var releases = File.ReadAllText(Path.Combine(root, "src/Generators/AnalyzerReleases.Unshipped.md"));
        var ids = Enumerable.Range(1001, 17).Select(n => $"MEMS{n}").ToList();
        foreach (var id in ids)
        {
            var descriptor = Descriptors.Find(id);
            Assert.NotNull(descriptor);
            var page = Path.Combine(root, "docs/diagnostics", id + ".md");
            Assert.True(File.Exists(page), $"missing {page}");
            Assert.StartsWith($"# {id}: {descriptor.Title}", File.ReadAllText(page));
            Assert.Contains($"{id} | Memstore | {descriptor.DefaultSeverity}", releases);
        }
        Assert.Null(Descriptors.Find("MEMS1018"));
    }

    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;

    [Fact]
    public void A_broken_keyspace_leaves_the_rest_of_the_store_working()
    {
        var result = GeneratorHarness.Run(Usings + """
            [MemcacheStore] public partial class Shop
            {
                [Keyspace("p:{id}:{x}")] public partial Keyspace<int, string> Broken { get; }
                [Keyspace("q:{id}")] public partial Keyspace<int, string> Fine { get; }
            }
            """);
        Assert.Equal(["MEMS1006"], result.GeneratorDiagnostics.Select(d => d.Id));
        Assert.Empty(result.CompileDiagnostics);
        Assert.Contains("throw new global::System.InvalidOperationException", result.Sources["Shop.g.cs"]);
    }
}
