using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Memstore.Analyzers.Tests;

/// <summary>End to end: the real Memstore generator writes the manifests, and the analyzers act on them.</summary>
[Trait("Category", "Unit")]
public class RealGeneratorTests
{
    private const string Source = """
        using System.Threading.Tasks;
        using Memstore;

        namespace Bank;

        public sealed record Account(string Owner, long Balance);

        [MemcacheStore(Prefix = "bank:")]
        public partial class BankStore
        {
            [McasGroup("acct:{id}")]
            public partial McasKeyspace<string, Account> Accounts { get; }

            [Keyspace("session:{id}")]
            public partial Keyspace<string, string> Sessions { get; }
        }

        public static class Misuse
        {
            public static async Task Run(MemcacheClient client, string id)
            {
                await client.GetAsync($"bank:acct:{id}");     // plain read of an MCAS-managed key
            }

            public static async Task Raw(MemcacheClient client, BankStore store, string id)
            {
                await client.SetAsync(store.Accounts.FormatKey(id), "v"); // the generated keyspace's key, written plainly
                await client.GetAsync(store.Sessions.FormatKey(id));      // a plain keyspace's key: fine
                await client.GetAsync($"bank:session:{id}");  // a plain keyspace: fine
            }
        }
        """;

    [Fact]
    public async Task Plain_read_of_a_generated_mcas_keyspace_is_reported()
    {
        var compilation = CSharpCompilation.Create(
            "Bank",
            [CSharpSyntaxTree.ParseText(Source, new CSharpParseOptions(LanguageVersion.Preview))],
            [
                .. Basic.Reference.Assemblies.Net100.References.All,
                Verify.MemstoreReference,
                MetadataReference.CreateFromFile(typeof(MessagePack.MessagePackSerializer).Assembly.Location),
                MetadataReference.CreateFromFile(typeof(MessagePack.MessagePackObjectAttribute).Assembly.Location),
            ],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        GeneratorDriver driver = CSharpGeneratorDriver.Create(new Memstore.Generators.StoreGenerator())
            .WithUpdatedParseOptions(new CSharpParseOptions(LanguageVersion.Preview));
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var generated, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        Assert.Empty(generated.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new McasKeyAnalyzer());
        var diagnostics = await generated.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync();

        var read = Assert.Single(diagnostics, d => d.Id == "MEMS2001");
        Assert.Contains("Bank.BankStore.Accounts", read.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("bank:acct:{id}", read.GetMessage(), StringComparison.Ordinal);
        Assert.Equal("$\"bank:acct:{id}\"", read.Location.SourceTree!.GetText().ToString(read.Location.SourceSpan));
        var write = Assert.Single(diagnostics, d => d.Id == "MEMS2002");
        Assert.Contains("Bank.BankStore.Accounts", write.GetMessage(), StringComparison.Ordinal);
        Assert.Equal("store.Accounts.FormatKey(id)", write.Location.SourceTree!.GetText().ToString(write.Location.SourceSpan));
        Assert.DoesNotContain(diagnostics, d => d.Id == "MEMS2003"); // session keys cannot alias account keys
    }
}
