using Microsoft.CodeAnalysis.Testing;

namespace Memstore.Analyzers.Tests;

[Trait("Category", "Unit")]
public class AliasingTests
{
    private const string Mcas = """[assembly: MemstoreKeyspaceManifest("bank:acct:{id}", "Bank.BankStore", "Accounts", true)]""";

    private static DiagnosticResult Alias(string keyspace, string template) =>
        Verify.Diagnostic("MEMS2003").WithArguments(keyspace, template, "Bank.BankStore.Accounts", "bank:acct:{id}");

    [Fact]
    public async Task Reports_a_non_mcas_keyspace_that_can_produce_mcas_keys_at_its_attribute()
    {
        var source = Verify.Usings + Mcas + """

            [assembly: {|#0:MemstoreKeyspaceManifest("bank:{rest}", "Bank.Raw", "All", false)|}]
            [assembly: {|#1:MemstoreKeyspaceManifest("bank:acct:{id}", "Bank.Cache", "Accounts", false)|}]
            [assembly: MemstoreKeyspaceManifest("bank:sess:{id}", "Bank.BankStore", "Sessions", false)]
            [assembly: MemstoreKeyspaceManifest("bank:account:{id}", "Bank.Cache", "Legacy", false)]
            [assembly: MemstoreKeyspaceManifest("bank:acct", "Bank.Cache", "Count", false)]
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(
            source,
            Alias("Bank.Raw.All", "bank:{rest}").WithLocation(0),
            Alias("Bank.Cache.Accounts", "bank:acct:{id}").WithLocation(1).WithMessage(
                "Keyspace 'Bank.Cache.Accounts' (template 'bank:acct:{id}') is not MCAS-managed but can produce keys of MCAS keyspace 'Bank.BankStore.Accounts' (template 'bank:acct:{id}'); every access through it bypasses MCAS"));
    }

    [Fact]
    public async Task Reports_a_local_non_mcas_keyspace_against_a_referenced_mcas_one()
    {
        var library = Verify.CompileLibrary("BankLib", "using Memstore;\n" + Mcas);
        var source = Verify.Usings + """
            [assembly: {|#0:MemstoreKeyspaceManifest("bank:acct:{id}", "App.Cache", "Accounts", false)|}]
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(source, [library], withMemstore: true, Alias("App.Cache.Accounts", "bank:acct:{id}").WithLocation(0));
    }

    [Fact]
    public async Task Reports_two_referenced_assemblies_that_alias_each_other_without_a_location()
    {
        var mcasLibrary = Verify.CompileLibrary("BankLib", "using Memstore;\n" + Mcas);
        var plainLibrary = Verify.CompileLibrary("CacheLib", """
            using Memstore;
            [assembly: MemstoreKeyspaceManifest("bank:acct:{id}", "Other.Cache", "Accounts", false)]
            """);
        await Verify.AnalyzerAsync<McasKeyAnalyzer>("class C { }", [mcasLibrary, plainLibrary], withMemstore: true, Alias("Other.Cache.Accounts", "bank:acct:{id}"));
    }

    [Fact]
    public async Task Ignores_a_pair_inside_one_referenced_assembly()
    {
        var library = Verify.CompileLibrary("BankLib", "using Memstore;\n" + Mcas + """

            [assembly: MemstoreKeyspaceManifest("bank:{rest}", "Bank.Raw", "All", false)]
            """);
        await Verify.AnalyzerAsync<McasKeyAnalyzer>("class C { }", [library], withMemstore: true);
    }
}
