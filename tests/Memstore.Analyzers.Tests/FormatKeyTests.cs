using Microsoft.CodeAnalysis.Testing;

namespace Memstore.Analyzers.Tests;

/// <summary><c>FormatKey</c> of a keyspace handed to a plain call: an MCAS keyspace's key warns, a plain one's does not.</summary>
[Trait("Category", "Unit")]
public class FormatKeyTests
{
    // The shape the generator gives a store: keyspace properties, and a nested Transaction with one per MCAS keyspace.
    private const string Store = """
        [assembly: MemstoreKeyspaceManifest("bank:acct:{id}", "Bank.BankStore", "Accounts", true)]
        [assembly: MemstoreKeyspaceManifest("bank:sess:{id}", "Bank.BankStore", "Sessions", false)]
        [assembly: MemstoreKeyspaceManifest("bank:views:{page}", "Bank.BankStore", "Views", false)]

        namespace Bank
        {
            public sealed class BankStore
            {
                public McasKeyspace<string, string> Accounts { get; } = null!;
                public Keyspace<string, string> Sessions { get; } = null!;
                public CounterKeyspace<string> Views { get; } = null!;

                public sealed class Transaction
                {
                    public McasTransactionKeyspace<string, string> Accounts => default;
                }
            }
        }

        """;

    private static DiagnosticResult Diagnostic(string id, int location, string method, string keyspace = "Bank.BankStore.Accounts", string template = "bank:acct:{id}") =>
        Verify.Diagnostic(id).WithLocation(location).WithArguments("MemcacheClient." + method, keyspace, template);

    [Fact]
    public async Task Reports_the_key_of_an_mcas_keyspace_and_not_of_a_plain_one_or_a_counter()
    {
        var source = Verify.Usings + Store + """
            class C
            {
                async Task M(MemcacheClient client, Bank.BankStore store, Bank.BankStore.Transaction tx, McasKeyspace<string, string> unknown, string id)
                {
                    await client.GetAsync({|#0:store.Accounts.FormatKey(id)|});
                    await client.SetAsync({|#1:store.Accounts.FormatKey("1")|}, "v");
                    var accounts = store.Accounts;
                    await client.DeleteAsync({|#2:accounts.FormatKey(id)|});
                    var key = store.Accounts.FormatKey(id);
                    await client.GetAsync({|#3:key|});
                    await client.GetAsync({|#4:tx.Accounts.FormatKey(id)|});
                    await client.GetAsync({|#5:unknown.FormatKey(id)|});
                    await client.GetAsync(store.Sessions.FormatKey(id));
                    await client.IncrementAsync(store.Views.FormatKey(id));
                    await client.GetAsync(store.Sessions.FormatKey(id) + ":x");
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(
            source,
            Diagnostic("MEMS2001", 0, "GetAsync"),
            Diagnostic("MEMS2002", 1, "SetAsync"),
            Diagnostic("MEMS2002", 2, "DeleteAsync"),
            Diagnostic("MEMS2001", 3, "GetAsync"),
            Diagnostic("MEMS2001", 4, "GetAsync"),
            Diagnostic("MEMS2001", 5, "GetAsync", "Memstore.McasKeyspace<string, string>", "unknown"));
    }
}
