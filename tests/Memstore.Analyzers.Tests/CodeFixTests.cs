using Microsoft.CodeAnalysis.Testing;

namespace Memstore.Analyzers.Tests;

[Trait("Category", "Unit")]
public class CodeFixTests
{
    private static DiagnosticResult Read(int location, string method = "GetAsync") =>
        Verify.Diagnostic("MEMS2001").WithLocation(location).WithArguments("MemcacheClient." + method, "Bank.BankStore.Accounts", "bank:acct:{id}");

    [Fact]
    public async Task Rewrites_a_plain_get_to_the_McasClient_local_in_scope()
    {
        var source = PlainReadTests.Header + """
            class C
            {
                async Task M(MemcacheClient client, string id)
                {
                    var mcas = new McasClient(client);
                    var entry = await client.GetAsync({|#0:$"bank:acct:{id}"|});
                }
            }
            """;
        var fixedSource = PlainReadTests.Header + """
            class C
            {
                async Task M(MemcacheClient client, string id)
                {
                    var mcas = new McasClient(client);
                    var entry = await mcas.GetAsync($"bank:acct:{id}");
                }
            }
            """;
        await Verify.CodeFixAsync(source, fixedSource, [Read(0)]);
    }

    [Fact]
    public async Task Fix_all_rewrites_every_fixable_read_to_a_field_and_keeps_arguments()
    {
        var source = PlainReadTests.Header + """
            class C(MemcacheClient client)
            {
                private readonly McasClient _mcas = new(client);

                async Task M(string id, System.Threading.CancellationToken ct)
                {
                    await client.GetAsync({|#0:$"bank:acct:{id}"|}, ct);
                    await client.GetAsync(cancellationToken: ct, key: {|#1:"bank:acct:" + id|});
                    var all = await client.GetManyAsync([{|#2:"bank:acct:1"|}]);
                    using var lease = await client.GetLeaseAsync({|#3:"bank:acct:2"|});
                    string[] keys = ["bank:acct:3"];
                    await client.GetManyAsync({|#4:keys|});
                }
            }
            """;
        var fixedSource = PlainReadTests.Header + """
            class C(MemcacheClient client)
            {
                private readonly McasClient _mcas = new(client);

                async Task M(string id, System.Threading.CancellationToken ct)
                {
                    await _mcas.GetAsync($"bank:acct:{id}", ct);
                    await _mcas.GetAsync(cancellationToken: ct, key: "bank:acct:" + id);
                    var all = await _mcas.GetManyAsync(["bank:acct:1"]);
                    using var lease = await client.GetLeaseAsync({|#0:"bank:acct:2"|});
                    string[] keys = ["bank:acct:3"];
                    await _mcas.GetManyAsync(keys);
                }
            }
            """;
        await Verify.CodeFixAsync(source, fixedSource, [Read(0), Read(1), Read(2, "GetManyAsync"), Read(3, "GetLeaseAsync"), Read(4, "GetManyAsync")], [Read(0, "GetLeaseAsync")]);
    }

    [Fact]
    public async Task Offers_no_fix_without_an_McasClient_in_scope()
    {
        var source = PlainReadTests.Header + """
            class C
            {
                async Task M(MemcacheClient client)
                {
                    await client.GetAsync({|#0:"bank:acct:1"|});
                    var mcas = new McasClient(client);
                }
            }

            class D
            {

                static async Task S(MemcacheClient client) => await client.GetAsync({|#1:"bank:acct:2"|});

                McasClient Instance { get; } = null!;
            }
            """;
        DiagnosticResult[] all = [Read(0), Read(1)];
        await Verify.CodeFixAsync(source, source, all, all);
    }
}
