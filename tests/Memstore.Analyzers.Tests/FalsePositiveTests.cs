namespace Memstore.Analyzers.Tests;

/// <summary>Code the analyzers must stay silent on, on every path the key evaluator follows.</summary>
[Trait("Category", "Unit")]
public class FalsePositiveTests
{
    private const string Stores = """
        [assembly: MemstoreKeyspaceManifest("bank:acct:{id}", "Bank.BankStore", "Accounts", true)]
        [assembly: MemstoreKeyspaceManifest("bank:sess:{id}", "Bank.BankStore", "Sessions", false)]
        [assembly: MemstoreKeyspaceManifest("bank:hits:{page}", "Bank.BankStore", "Hits", false)]
        [assembly: MemstoreKeyspaceManifest("bank2:acct:{id}", "Other.OtherStore", "Accounts", false)]

        namespace Bank
        {
            public sealed class BankStore
            {
                public McasKeyspace<string, string> Accounts { get; } = null!;
                public Keyspace<string, string> Sessions { get; } = null!;
                public CounterKeyspace<string> Hits { get; } = null!;
            }
        }

        namespace Other
        {
            public sealed class OtherStore
            {
                public Keyspace<string, string> Accounts { get; } = null!;
            }
        }

        """;

    [Fact]
    public async Task Similar_prefixes_other_stores_plain_keyspaces_counters_typed_accessors_and_unknown_values_are_silent()
    {
        var source = Verify.Usings + Stores + """
            static class Keys
            {
                public static readonly string Near = "bank:acct";
                public static string Account(string id) => "bank:acct:" + id;
                public static string Session(string id) => "bank:sess:" + id;
                public static string Passthrough(string key) => key;
            }

            class C
            {
                async Task M(MemcacheClient client, Bank.BankStore bank, Other.OtherStore other, string id, string key, bool c)
                {
                    // Similar prefixes.
                    await client.GetAsync("bank:accts:1");
                    await client.GetAsync("bank:acct"u8);
                    await client.GetAsync("bank2:acct:1"u8);
                    await client.GetAsync("xbank:acct:1");
                    await client.GetAsync(Keys.Near + "s:1");
                    // Another store with the same template after its own prefix, and its FormatKey.
                    await client.SetAsync(other.Accounts.FormatKey(id), "v");
                    await client.GetAsync($"bank2:acct:{id}");
                    // Plain keyspaces and counters of the same store.
                    await client.GetAsync(bank.Sessions.FormatKey(id));
                    await client.IncrementAsync(bank.Hits.FormatKey("home"));
                    await client.GetAsync(Keys.Session(id));
                    await client.GetAsync(c ? Keys.Session(id) : "bank:hits:1");
                    // Typed accessors are MCAS already.
                    await bank.Accounts.GetAsync(id);
                    // Values that cannot be known.
                    await client.GetAsync(key);
                    await client.GetAsync(Keys.Passthrough(key));
                    await client.GetAsync(c ? key : id);
                    await client.GetAsync($"{key}:acct:1");
                    await client.GetAsync("bank:" + key);
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(source);
    }

    [Fact]
    public async Task A_local_assigned_after_its_declaration_is_not_followed()
    {
        var source = Verify.Usings + Stores + """
            class C
            {
                async Task M(MemcacheClient client, string id)
                {
                    var key = "bank:acct:1";
                    key = "bank:sess:1";
                    await client.GetAsync(key);                 // the initializer would be a guess: silent
                    var other = "bank:sess:1";
                    other = "bank:acct:" + id;
                    await client.GetAsync(other);               // not followed either way
                    var counted = "bank:acct:2";
                    Touch(ref counted);
                    await client.GetAsync(counted);
                    var (a, b) = ("bank:acct:3", 1);
                    (a, b) = ("x", 2);
                    await client.GetAsync(a);
                    var kept = "bank:acct:4";
                    await client.GetAsync({|#0:kept|});          // never assigned again: still followed
                }

                static void Touch(ref string s) { }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(source,
            Verify.Diagnostic("MEMS2001").WithLocation(0).WithArguments("MemcacheClient.GetAsync", "Bank.BankStore.Accounts", "bank:acct:{id}"));
    }
}
