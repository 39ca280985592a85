using Microsoft.CodeAnalysis.Testing;

namespace Memstore.Analyzers.Tests;

[Trait("Category", "Unit")]
public class PlainReadTests
{
    internal const string Manifests = """
        [assembly: MemstoreKeyspaceManifest("bank:acct:{id}", "Bank.BankStore", "Accounts", true)]
        [assembly: MemstoreKeyspaceManifest("bank:sess:{id}", "Bank.BankStore", "Sessions", false)]
        [assembly: MemstoreKeyspaceManifest("bank:ledger:{day}:{n}", "Bank.BankStore", "Ledger", true)]

        """;

    internal const string Header = Verify.Usings + Manifests;

    private static DiagnosticResult Read(int location, string method, string keyspace = "Bank.BankStore.Accounts", string template = "bank:acct:{id}") =>
        Verify.Diagnostic("MEMS2001").WithLocation(location).WithArguments("MemcacheClient." + method, keyspace, template);

    [Fact]
    public async Task Reports_plain_reads_of_constant_interpolated_concatenated_and_formatted_keys()
    {
        var source = Header + """
            class C
            {
                async Task M(MemcacheClient client, string id, int n)
                {
                    await client.GetAsync({|#0:"bank:acct:42"|});
                    await client.GetAsync({|#1:$"bank:acct:{id}"|});
                    await client.GetAsync({|#2:"bank:acct:" + id|});
                    await client.GetAsync({|#3:string.Format("bank:acct:{0}", id)|});
                    using var lease = await client.GetLeaseAsync({|#4:$"bank:acct:{n}"|});
                    await client.GetAndTouchAsync({|#5:"bank:acct:" + n|}, null);
                    await client.GetManyAsync([{|#6:"bank:acct:1"|}, "other:1"]);
                    await client.GetManyAsync(new[] { "x", {|#7:$"bank:acct:{id}"|} });
                    var key = $"bank:acct:{id}";
                    await client.GetAsync({|#8:key|});
                    await client.GetAsync({|#9:$"bank:ledger:{id}:{n}"|}, new System.Buffers.ArrayBufferWriter<byte>());
                    await client.GetAsync({|#10:string.Concat("bank:", "acct:", id)|});
                    await client.GetAsync({|#11:("bank:acct:" + id + ":x")|});
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(
            source,
            Read(0, "GetAsync"), Read(1, "GetAsync"), Read(2, "GetAsync"), Read(3, "GetAsync"),
            Read(4, "GetLeaseAsync"), Read(5, "GetAndTouchAsync"), Read(6, "GetManyAsync"), Read(7, "GetManyAsync"),
            Read(8, "GetAsync"), Read(9, "GetAsync", "Bank.BankStore.Ledger", "bank:ledger:{day}:{n}"),
            Read(10, "GetAsync"), Read(11, "GetAsync"));
    }

    [Fact]
    public async Task Message_names_the_keyspace_and_the_template()
    {
        var source = Header + """
            class C
            {
                async Task M(MemcacheClient client) => await client.GetAsync({|#0:"bank:acct:7"|});
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(
            source,
            Verify.Diagnostic("MEMS2001").WithLocation(0).WithMessage(
                "'MemcacheClient.GetAsync' reads a key of MCAS keyspace 'Bank.BankStore.Accounts' (template 'bank:acct:{id}') without MCAS and can see a marker or a stale value; read it with McasClient.GetAsync (McasGet) or the generated MCAS accessor"));
    }

    [Fact]
    public async Task Ignores_non_mcas_keys_look_alike_prefixes_unknown_keys_and_mcas_reads()
    {
        var source = Header + """
            class C
            {
                async Task M(MemcacheClient client, McasClient mcas, McasTransaction tx, string id, string key)
                {
                    await client.GetAsync("bank:account:1");
                    await client.GetAsync("bank:acct");
                    await client.GetAsync("bank:acct:");
                    await client.GetAsync($"bank:account:{id}");
                    await client.GetAsync($"bank:{id}");
                    await client.GetAsync($"{id}:bank:acct:1");
                    await client.GetAsync("bank:sess:1");
                    await client.GetAsync($"bank:sess:{id}");
                    await client.GetAsync("bank:ledger:1");
                    await client.GetAsync(key);
                    await client.GetManyAsync(new List<string> { "a", key });
                    await mcas.GetAsync("bank:acct:1");
                    await mcas.GetManyAsync(["bank:acct:1", $"bank:acct:{id}"]);
                    await tx.GetAsync($"bank:acct:{id}");
                    var other = "bank:acc";
                    await client.GetAsync(other + "ount:1");
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(source);
    }

    [Fact]
    public async Task Follows_constants_static_readonly_fields_and_expression_bodied_properties()
    {
        var source = Header + """
            class C
            {
                const string Accounts = "bank:acct:";
                static readonly string Prefix = "bank:" + "acct:";
                static readonly string Shared = Other.Prefix;
                static string mutable = "bank:acct:";

                async Task M(MemcacheClient client, string id)
                {
                    await client.GetAsync({|#0:Accounts + id|});
                    await client.GetAsync({|#1:Prefix + id|});
                    await client.GetAsync({|#2:$"{Prefix}{id}"|});
                    await client.GetAsync(mutable + id);
                    await client.GetAsync({|#3:Shared + id|});
                }
            }

            static class Other { public static string Prefix => "bank:acct:"; }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(source, Read(0, "GetAsync"), Read(1, "GetAsync"), Read(2, "GetAsync"), Read(3, "GetAsync"));
    }

    [Fact]
    public async Task Reports_each_mcas_key_of_a_key_list_held_in_a_local()
    {
        var source = Header + """
            class C
            {
                async Task M(MemcacheClient client, string id)
                {
                    string[] keys = ["plain:1", "bank:ledger:d:1", $"bank:acct:{id}"];
                    await client.GetManyAsync({|#0:keys|});
                    var list = new List<string> { "bank:sess:1", "bank:acct:" + id };
                    await client.GetManyAsync({|#1:list|});
                    string[] plain = ["plain:1", "bank:sess:2"];
                    await client.GetManyAsync(plain);
                }
            }
            """;
        // A list built elsewhere gets one diagnostic, on the argument, naming the first MCAS key's keyspace.
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(
            source,
            Read(0, "GetManyAsync", "Bank.BankStore.Ledger", "bank:ledger:{day}:{n}"), Read(1, "GetManyAsync"));
    }

    [Fact]
    public async Task Reads_through_the_Client_property_of_an_McasClient_are_plain()
    {
        var source = Header + """
            class C
            {
                async Task M(McasClient mcas) => await mcas.Client.GetAsync({|#0:"bank:acct:1"|});
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(source, Read(0, "GetAsync"));
    }
}
