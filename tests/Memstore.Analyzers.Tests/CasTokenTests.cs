using Microsoft.CodeAnalysis.Testing;

namespace Memstore.Analyzers.Tests;

[Trait("Category", "Unit")]
public class CasTokenTests
{
    private const string FromPlainRead = "a plain read of a key of MCAS keyspace 'Bank.BankStore.Accounts' (template 'bank:acct:{id}'), which may be a marker's token";
    private const string FromMcasRead = "an MCAS read (McasEntry.Cas), so it writes an MCAS-managed key without MCAS";

    private static DiagnosticResult Token(int location, string method, string origin) =>
        Verify.Diagnostic("MEMS2004").WithLocation(location).WithArguments("MemcacheClient." + method, origin);

    [Fact]
    public async Task Reports_a_token_from_a_plain_read_of_an_mcas_key_in_a_plain_cas_write()
    {
        var source = PlainReadTests.Header + """
            class C
            {
                async Task M(MemcacheClient client, string key, string id, byte[] data)
                {
                    var value = await client.GetAsync({|#0:$"bank:acct:{id}"|});
                    await client.CompareAndSetAsync(key, data, {|#1:value.Cas|});
                    await client.DeleteAsync(key, {|#2:(await client.GetAsync({|#3:"bank:acct:9"|}).ConfigureAwait(false)).Cas|});
                    using var lease = await client.GetLeaseAsync({|#4:"bank:acct:" + id|});
                    var token = lease!.Cas;
                    await client.CompareAndSetAsync(key, data, cas: {|#5:token|});
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(
            source,
            Verify.Diagnostic("MEMS2001").WithLocation(0).WithArguments("MemcacheClient.GetAsync", "Bank.BankStore.Accounts", "bank:acct:{id}"),
            Token(1, "CompareAndSetAsync", FromPlainRead),
            Token(2, "DeleteAsync", FromPlainRead),
            Verify.Diagnostic("MEMS2001").WithLocation(3).WithArguments("MemcacheClient.GetAsync", "Bank.BankStore.Accounts", "bank:acct:{id}"),
            Verify.Diagnostic("MEMS2001").WithLocation(4).WithArguments("MemcacheClient.GetLeaseAsync", "Bank.BankStore.Accounts", "bank:acct:{id}"),
            Token(5, "CompareAndSetAsync", FromPlainRead));
    }

    [Fact]
    public async Task Reports_the_token_of_an_McasEntry_in_a_plain_cas_write_whatever_the_key()
    {
        var source = PlainReadTests.Header + """
            class C
            {
                async Task M(MemcacheClient client, McasClient mcas, string key, byte[] data)
                {
                    var entry = await mcas.GetAsync(key);
                    await client.CompareAndSetAsync(key, data, {|#0:entry.Cas|});
                    await client.DeleteAsync(key, {|#1:entry.Cas|});
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(
            source,
            Token(0, "CompareAndSetAsync", FromMcasRead).WithMessage(
                "'MemcacheClient.CompareAndSetAsync' receives the CAS token of an MCAS read (McasEntry.Cas), so it writes an MCAS-managed key without MCAS; that token is only meaningful to MCAS: read with McasClient.GetAsync and commit with McasClient.CompareAndSwapAsync"),
            Token(1, "DeleteAsync", FromMcasRead));
    }

    [Fact]
    public async Task Reports_the_token_of_a_typed_McasItem_in_a_plain_cas_write()
    {
        var source = PlainReadTests.Header + """
            class C
            {
                async Task M(MemcacheClient client, McasKeyspace<string, string> accounts, string key, byte[] data)
                {
                    var item = await accounts.GetAsync("1");
                    await client.CompareAndSetAsync(key, data, {|#0:item.Cas|});
                    await client.DeleteAsync(key, {|#1:item.Entry.Cas|});
                }
            }
            """;
        const string FromItem = "an MCAS read (McasItem.Cas), so it writes an MCAS-managed key without MCAS";
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(source, Token(0, "CompareAndSetAsync", FromItem), Token(1, "DeleteAsync", FromMcasRead));
    }

    [Fact]
    public async Task Ignores_tokens_of_non_mcas_keys_and_default_tokens()
    {
        var source = PlainReadTests.Header + """
            class C
            {
                async Task M(MemcacheClient client, string key, string id, byte[] data, CasToken given)
                {
                    var value = await client.GetAsync($"bank:sess:{id}");
                    await client.CompareAndSetAsync($"bank:sess:{id}", data, value.Cas);
                    var unknown = await client.GetAsync(key);
                    await client.CompareAndSetAsync(key, data, unknown.Cas);
                    await client.DeleteAsync(key);
                    await client.DeleteAsync(key, given);
                    var stored = await client.SetAsync(key, data);
                    await client.DeleteAsync(key, stored.Cas);
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(source);
    }
}
