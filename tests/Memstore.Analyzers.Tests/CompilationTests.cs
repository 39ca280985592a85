using Microsoft.CodeAnalysis.Testing;

namespace Memstore.Analyzers.Tests;

[Trait("Category", "Unit")]
public class CompilationTests
{
    [Fact]
    public async Task A_store_declared_in_a_referenced_assembly_protects_its_keys_here()
    {
        var library = Verify.CompileLibrary("BankLib", "using Memstore;\n" + PlainReadTests.Manifests);
        var source = Verify.Usings + """
            class C
            {
                async Task M(MemcacheClient client, string id)
                {
                    await client.GetAsync({|#0:$"bank:acct:{id}"|});
                    await client.SetAsync({|#1:$"bank:ledger:{id}:1"|}, "x");
                    await client.GetAsync($"bank:sess:{id}");
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(
            source,
            [library],
            withMemstore: true,
            Verify.Diagnostic("MEMS2001").WithLocation(0).WithArguments("MemcacheClient.GetAsync", "Bank.BankStore.Accounts", "bank:acct:{id}"),
            Verify.Diagnostic("MEMS2002").WithLocation(1).WithArguments("MemcacheClient.SetAsync", "Bank.BankStore.Ledger", "bank:ledger:{day}:{n}"));
    }

    [Fact]
    public async Task A_compilation_without_Memstore_gets_no_diagnostics()
    {
        const string Source = """
            using System.Threading.Tasks;
            namespace Memstore { class MemcacheClient { public Task GetAsync(string key) => Task.CompletedTask; } }
            class C
            {
                async Task M(Memstore.MemcacheClient client) => await client.GetAsync("bank:acct:1");
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(Source, [], withMemstore: false);
        await Verify.AnalyzerAsync<McasCommitAnalyzer>(Source, [], withMemstore: false);
    }

    [Fact]
    public async Task Memstore_without_any_mcas_manifest_gets_no_key_diagnostics()
    {
        var source = Verify.Usings + """
            [assembly: MemstoreKeyspaceManifest("bank:acct:{id}", "Bank.BankStore", "Accounts", false)]
            class C
            {
                async Task M(MemcacheClient client) => await client.SetAsync("bank:acct:1", "x");
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(source);
    }
}
