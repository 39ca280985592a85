using Microsoft.CodeAnalysis.Testing;

namespace Memstore.Analyzers.Tests;

/// <summary>MEMS2001/MEMS2002 on keys given as UTF-8 bytes or as an explicit <c>MemcacheKey</c>.</summary>
[Trait("Category", "Unit")]
public class Utf8KeyTests
{
    private static DiagnosticResult Read(int location, string method) =>
        Verify.Diagnostic("MEMS2001").WithLocation(location).WithArguments("MemcacheClient." + method, "Bank.BankStore.Accounts", "bank:acct:{id}");

    private static DiagnosticResult Write(int location, string method) =>
        Verify.Diagnostic("MEMS2002").WithLocation(location).WithArguments("MemcacheClient." + method, "Bank.BankStore.Accounts", "bank:acct:{id}");

    [Fact]
    public async Task Reports_every_single_key_overload_with_a_u8_literal()
    {
        var source = PlainReadTests.Header + """
            class C
            {
                async Task M(MemcacheClient client, CasToken cas)
                {
                    await client.GetAsync({|#0:"bank:acct:1"u8|});
                    await client.GetAsync({|#1:"bank:acct:1"u8|}, new System.Buffers.ArrayBufferWriter<byte>());
                    using var lease = await client.GetLeaseAsync({|#2:"bank:acct:1"u8|});
                    await client.GetAndTouchAsync({|#3:"bank:acct:1"u8|}, null);
                    await client.TouchAsync({|#4:"bank:acct:1"u8|}, null);
                    await client.SetAsync({|#5:"bank:acct:1"u8|}, "v"u8);
                    await client.AddAsync({|#6:"bank:acct:1"u8|}, "v"u8);
                    await client.ReplaceAsync({|#7:"bank:acct:1"u8|}, "v"u8);
                    await client.AppendAsync({|#8:"bank:acct:1"u8|}, "v"u8);
                    await client.PrependAsync({|#9:"bank:acct:1"u8|}, "v"u8);
                    await client.StoreAsync(StoreMode.Set, {|#10:"bank:acct:1"u8|}, "v"u8);
                    await client.CompareAndSetAsync({|#11:"bank:acct:1"u8|}, "v"u8, cas);
                    await client.DeleteAsync({|#12:"bank:acct:1"u8|});
                    await client.IncrementAsync({|#13:"bank:acct:1"u8|});
                    await client.DecrementAsync({|#14:"bank:acct:1"u8|});
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(
            source,
            Read(0, "GetAsync"), Read(1, "GetAsync"), Read(2, "GetLeaseAsync"), Read(3, "GetAndTouchAsync"),
            Write(4, "TouchAsync"), Write(5, "SetAsync"), Write(6, "AddAsync"), Write(7, "ReplaceAsync"), Write(8, "AppendAsync"),
            Write(9, "PrependAsync"), Write(10, "StoreAsync"), Write(11, "CompareAndSetAsync"), Write(12, "DeleteAsync"),
            Write(13, "IncrementAsync"), Write(14, "DecrementAsync"));
    }

    [Fact]
    public async Task Follows_u8_locals_properties_fields_and_encoded_strings()
    {
        var source = PlainReadTests.Header + """
            static class Keys
            {
                public static ReadOnlySpan<byte> Account1 => "bank:acct:1"u8;
                public static readonly byte[] Account2 = "bank:acct:2"u8.ToArray();
                public static readonly byte[] Account3 = System.Text.Encoding.UTF8.GetBytes("bank:acct:" + 3);
                public static ReadOnlySpan<byte> Session => "bank:sess:1"u8;
                public static readonly byte[] Latin = System.Text.Encoding.Latin1.GetBytes("bank:acct:4");
            }

            class C
            {
                async Task M(MemcacheClient client, byte[] unknown)
                {
                    ReadOnlySpan<byte> local = "bank:acct:1"u8;
                    await client.GetAsync({|#0:local|});
                    var inferred = "bank:acct:1"u8;
                    await client.DeleteAsync({|#1:inferred|});
                    await client.GetAsync({|#2:Keys.Account1|});
                    await client.SetAsync({|#3:Keys.Account2|}, "v"u8);
                    await client.GetAsync({|#4:Keys.Account3|});
                    await client.GetAsync({|#5:Keys.Account2.AsSpan()|});
                    await client.GetAsync(Keys.Session);
                    await client.GetAsync(Keys.Latin);
                    await client.GetAsync(unknown);
                    await client.GetAsync("bank:account:1"u8);
                    await client.GetAsync("bank:acct"u8);
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(
            source,
            Read(0, "GetAsync"), Write(1, "DeleteAsync"), Read(2, "GetAsync"), Write(3, "SetAsync"), Read(4, "GetAsync"), Read(5, "GetAsync"));
    }

    [Fact]
    public async Task The_cas_token_of_a_u8_plain_read_is_traced()
    {
        var source = PlainReadTests.Header + """
            class C
            {
                async Task M(MemcacheClient client)
                {
                    var read = await client.GetAsync({|#0:"bank:acct:1"u8|});
                    await client.CompareAndSetAsync("other:1", "v"u8.ToArray(), {|#1:read.Cas|});
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(
            source,
            Read(0, "GetAsync"),
            Verify.Diagnostic("MEMS2004").WithLocation(1).WithArguments(
                "MemcacheClient.CompareAndSetAsync",
                "a plain read of a key of MCAS keyspace 'Bank.BankStore.Accounts' (template 'bank:acct:{id}'), which may be a marker's token"));
    }

    [Fact]
    public async Task The_code_fix_is_not_offered_for_a_u8_key()
    {
        // McasClient takes string keys only: rewriting the receiver would not compile.
        var source = PlainReadTests.Header + """
            class C
            {
                async Task M(MemcacheClient client, McasClient mcas) => await client.GetAsync({|#0:"bank:acct:1"u8|});
            }
            """;
        await Verify.CodeFixAsync(source, source, [Read(0, "GetAsync")], [Read(0, "GetAsync")]);
    }

    [Fact]
    public Task A_key_made_explicitly_as_a_MemcacheKey_is_followed() => Verify.AnalyzerAsync<McasKeyAnalyzer>(
        PlainReadTests.Header + """
            class C
            {
                void M(MemcacheClient client)
                {
                    var text = new MemcacheKey("bank:acct:1");
                    _ = client.GetAsync({|#0:text|});
                    _ = client.DeleteAsync({|#1:MemcacheKey.FromUtf8("bank:acct:2"u8)|});
                    _ = client.SetAsync({|#2:MemcacheKey.FromString("bank:acct:" + 3)|}, "v"u8);
                    _ = client.GetAsync(MemcacheKey.FromString("bank:sess:1"));
                }
            }
            """,
        Read(0, "GetAsync"), Write(1, "DeleteAsync"), Write(2, "SetAsync"));
}
