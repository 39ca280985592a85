using Microsoft.CodeAnalysis.Testing;

namespace Memstore.Analyzers.Tests;

[Trait("Category", "Unit")]
public class PlainWriteTests
{
    private static DiagnosticResult Write(int location, string method) =>
        Verify.Diagnostic("MEMS2002").WithLocation(location).WithArguments("MemcacheClient." + method, "Bank.BankStore.Accounts", "bank:acct:{id}");

    [Fact]
    public async Task Reports_every_plain_write()
    {
        var source = PlainReadTests.Header + """
            class C
            {
                async Task M(MemcacheClient client, string id, byte[] data, CasToken cas)
                {
                    await client.SetAsync({|#0:$"bank:acct:{id}"|}, data);
                    await client.SetAsync({|#1:"bank:acct:1"|}, "text");
                    await client.AddAsync({|#2:"bank:acct:" + id|}, data);
                    await client.ReplaceAsync({|#3:$"bank:acct:{id}"|}, data);
                    await client.AppendAsync({|#4:$"bank:acct:{id}"|}, data);
                    await client.PrependAsync({|#5:$"bank:acct:{id}"|}, data);
                    await client.StoreAsync(StoreMode.Set, {|#6:$"bank:acct:{id}"|}, data);
                    await client.CompareAndSetAsync({|#7:$"bank:acct:{id}"|}, data, cas);
                    await client.DeleteAsync({|#8:$"bank:acct:{id}"|});
                    await client.IncrementAsync({|#9:$"bank:acct:{id}"|});
                    await client.DecrementAsync({|#10:$"bank:acct:{id}"|}, 2);
                    await client.TouchAsync({|#11:$"bank:acct:{id}"|}, TimeSpan.FromMinutes(1));
                    await client.SetAsync(value: data, key: {|#12:$"bank:acct:{id}"|});
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(
            source,
            Write(0, "SetAsync"), Write(1, "SetAsync"), Write(2, "AddAsync"), Write(3, "ReplaceAsync"),
            Write(4, "AppendAsync"), Write(5, "PrependAsync"), Write(6, "StoreAsync"), Write(7, "CompareAndSetAsync"),
            Write(8, "DeleteAsync"), Write(9, "IncrementAsync"), Write(10, "DecrementAsync"), Write(11, "TouchAsync"),
            Write(12, "SetAsync"));
    }

    [Fact]
    public async Task Message_says_atomicity_breaks()
    {
        var source = PlainReadTests.Header + """
            class C
            {
                async Task M(MemcacheClient client) => await client.DeleteAsync({|#0:"bank:acct:7"|});
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(
            source,
            Verify.Diagnostic("MEMS2002").WithLocation(0).WithMessage(
                "'MemcacheClient.DeleteAsync' writes a key of MCAS keyspace 'Bank.BankStore.Accounts' (template 'bank:acct:{id}') without MCAS, which silently breaks the atomicity of MCAS operations; write it with McasClient.CompareAndSwapAsync, TransactAsync or the generated MCAS accessor"));
    }

    [Fact]
    public async Task Ignores_non_mcas_keys_and_mcas_writes()
    {
        var source = PlainReadTests.Header + """
            class C
            {
                async Task M(MemcacheClient client, McasClient mcas, string id, byte[] data)
                {
                    await client.SetAsync($"bank:sess:{id}", data);
                    await client.SetAsync($"bank:account:{id}", data);
                    await client.DeleteAsync("bank:acct");
                    await client.IncrementAsync("visits");
                    var entry = await mcas.GetAsync($"bank:acct:{id}");
                    var ok = await mcas.CompareAndSwapAsync([McasUpdate.Set(entry, data)]);
                    await mcas.TransactAsync(async (tx, ct) => { await tx.GetAsync("bank:acct:1", ct); tx.Set("bank:acct:1", data); });
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(source);
    }

    [Fact]
    public async Task Reports_batch_writes_get_or_create_and_invalidate_of_mcas_keys()
    {
        var source = PlainReadTests.Header + """
            class C
            {
                async Task M(MemcacheClient client, string id)
                {
                    await client.DeleteManyAsync([{|#0:"bank:acct:1"|}, "bank:sess:1"]);
                    await client.DeleteManyQuietAsync([{|#1:$"bank:acct:{id}"|}]);
                    await client.TouchManyAsync([{|#2:"bank:acct:2"|}], TimeSpan.FromMinutes(1));
                    await client.GetOrCreateAsync({|#3:"bank:acct:" + id|}, _ => ValueTask.FromResult(new byte[1]));
                    await client.InvalidateAsync({|#4:"bank:acct:3"|}, TimeSpan.FromSeconds(5));
                    await client.GetAndTouchManyAsync([{|#5:"bank:acct:4"|}], null);
                    await client.DeleteManyAsync(["bank:sess:1", "bank:sess:2"]);
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(source,
            Write(0, "DeleteManyAsync"), Write(1, "DeleteManyQuietAsync"), Write(2, "TouchManyAsync"),
            Write(3, "GetOrCreateAsync"), Write(4, "InvalidateAsync"),
            Verify.Diagnostic("MEMS2001").WithLocation(5).WithArguments("MemcacheClient.GetAndTouchManyAsync", "Bank.BankStore.Accounts", "bank:acct:{id}"));
    }
}
