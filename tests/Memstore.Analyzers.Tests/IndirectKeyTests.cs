using Microsoft.CodeAnalysis.Testing;

namespace Memstore.Analyzers.Tests;

/// <summary>Keys one step away: other files, instance members, helper methods, conditionals, FormatKey.</summary>
[Trait("Category", "Unit")]
public class IndirectKeyTests
{
    private static DiagnosticResult Read(int location, string keyspace = "Bank.BankStore.Accounts", string template = "bank:acct:{id}") =>
        Verify.Diagnostic("MEMS2001").WithLocation(location).WithArguments("MemcacheClient.GetAsync", keyspace, template);

    private static DiagnosticResult Write(int location, string method) =>
        Verify.Diagnostic("MEMS2002").WithLocation(location).WithArguments("MemcacheClient." + method, "Bank.BankStore.Accounts", "bank:acct:{id}");

    [Fact]
    public async Task Follows_static_readonly_fields_properties_and_helpers_of_another_file()
    {
        var keys = Verify.Usings + """
            public static class Keys
            {
                public static readonly string AccountPrefix = "bank:" + "acct:";
                public static readonly string Account1 = $"{AccountPrefix}1";
                public static string Account(string id) => AccountPrefix + id;
                public static string Session(string id) => "bank:sess:" + id;
            }
            """;
        var use = PlainReadTests.Header + """
            class C
            {
                async Task M(MemcacheClient client, string id)
                {
                    await client.GetAsync({|#0:Keys.AccountPrefix + id|});
                    await client.GetAsync({|#1:Keys.Account1|});
                    await client.GetAsync({|#2:Keys.Account(id)|});
                    await client.GetAsync(Keys.Session(id));
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>([use, keys], [], Read(0), Read(1), Read(2));
    }

    [Fact]
    public async Task Follows_instance_readonly_fields_and_get_only_properties_unless_a_constructor_assigns_them()
    {
        var source = PlainReadTests.Header + """
            class Repo
            {
                private readonly string _prefix = "bank:acct:";
                private readonly string _assigned = "bank:acct:";
                private readonly string _byRef = "bank:acct:";
                private readonly string _viaInit = "bank:acct:";
                private string _mutable = "bank:acct:";
                public string Fixed { get; } = "bank:acct:1";
                public string Settable { get; set; } = "bank:acct:1";
                public string InCtor { get; } = "bank:acct:1";
                private readonly MemcacheClient _client;

                public Repo(MemcacheClient client, string other)
                {
                    _client = client;
                    this._assigned = other;
                    InCtor = other;
                    Init(out _byRef);
                }

                public string Other { init { _viaInit = value; } }

                static void Init(out string s) => s = "x";

                async Task M(string id)
                {
                    await _client.GetAsync({|#0:_prefix + id|});
                    await _client.GetAsync({|#1:Fixed|});
                    await _client.GetAsync(_assigned + id);
                    await _client.GetAsync(_byRef + id);
                    await _client.GetAsync(_viaInit + id);
                    await _client.GetAsync(_mutable + id);
                    await _client.GetAsync(Settable);
                    await _client.GetAsync(InCtor);
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(source, Read(0), Read(1));
    }

    [Fact]
    public async Task Follows_helpers_that_return_a_MemcacheKey_or_a_generic_key_and_concat_of_a_collection()
    {
        var source = PlainReadTests.Header + """
            static class Keys
            {
                public static MemcacheKey Account(string id) => $"bank:acct:{id}";
                public static MemcacheKey AccountKey(this string id) => "bank:acct:" + id;
                public static T Same<T>(T value) => value;
            }

            class C
            {
                async Task M(MemcacheClient client, string id, string[] parts)
                {
                    MemcacheKey Local(string x) => $"bank:acct:{x}";
                    await client.GetAsync({|#0:Keys.Account(id)|});
                    await client.GetAsync({|#1:id.AccountKey()|});
                    await client.GetAsync({|#2:Local(id)|});
                    await client.GetAsync({|#3:Keys.Same("bank:acct:1")|});
                    await client.GetAsync({|#4:string.Concat(["bank:", "acct:", id])|});
                    await client.GetAsync(Keys.Same("bank:sess:1"));
                    await client.GetAsync(string.Concat(["bank:", "sess:", id]));
                    await client.GetAsync(string.Concat([.. parts]));
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(source, Read(0), Read(1), Read(2), Read(3), Read(4));
    }

    [Fact]
    public async Task Chars_non_negative_integers_and_enum_members_are_their_text()
    {
        var source = PlainReadTests.Header + """
            enum Space { acct, sess }
            enum Twin { acct = 1, alias = 1 }
            [Flags] enum Bits { acct = 1, sess = 2 }

            class C
            {
                const char Sep = ':';

                async Task M(MemcacheClient client, string id)
                {
                    await client.GetAsync({|#0:"bank:acct" + ':' + id|});
                    await client.GetAsync({|#1:$"bank:acct{Sep}{id}"|});
                    await client.GetAsync({|#2:$"bank:{Space.acct}:{id}"|});
                    await client.GetAsync({|#3:"bank:" + Space.acct + ":1"|});
                    await client.GetAsync({|#4:"bank:acct:" + 42|});
                    await client.GetAsync($"bank:{Space.sess}:{id}");
                    await client.GetAsync("bank:acct" + '-' + id);
                    await client.GetAsync($"bank:{Twin.acct}x:{id}");
                    await client.GetAsync($"bank:{Bits.acct}x:{id}");
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(source, Read(0), Read(1), Read(2), Read(3), Read(4));
    }

    [Fact]
    public async Task Evaluates_helper_methods_with_the_call_arguments()
    {
        var source = PlainReadTests.Header + """
            class Helpers
            {
                public static string Key(string space, object id) => $"bank:{space}:{id}";
                public static string Account(int id) { return string.Format("bank:acct:{0}", id); }
                public string Instance(string id) => "bank:acct:" + id;
                public virtual string Virtual(string id) => "bank:acct:" + id;
                public static string Recursive(int n) => n > 0 ? Recursive(n - 1) : "bank:acct:" + n;
                public static string Twice(int n) => Twice(n) + Twice(n);
                public static string Block(string id) { var k = "bank:acct:" + id; return k; }
                public static string Defaulted(string space = "acct") => "bank:" + space + ":1";
            }

            class C
            {
                async Task M(MemcacheClient client, Helpers helpers, string id, string space)
                {
                    await client.GetAsync({|#0:Helpers.Key("acct", id)|});
                    await client.GetAsync(Helpers.Key("sess", id));
                    await client.GetAsync(Helpers.Key(space, id));
                    await client.GetAsync({|#1:Helpers.Account(7)|});
                    await client.GetAsync({|#2:helpers.Instance(id)|});
                    await client.GetAsync(helpers.Virtual(id));
                    await client.GetAsync({|#3:Helpers.Recursive(3)|});
                    await client.GetAsync(Helpers.Twice(1));
                    await client.GetAsync(Helpers.Block(id));
                    await client.GetAsync({|#4:Helpers.Defaulted()|});
                    await client.GetAsync({|#5:Local(id)|});

                    static string Local(string x) => "bank:acct:" + x;
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(source, Read(0), Read(1), Read(2), Read(3), Read(4), Read(5));
    }

    [Fact]
    public async Task Reports_a_conditional_coalesce_or_switch_when_any_branch_is_an_mcas_key()
    {
        var source = PlainReadTests.Header + """
            class C
            {
                async Task M(MemcacheClient client, bool c, string other, string? maybe, int n)
                {
                    await client.GetAsync({|#0:c ? "bank:acct:1" : other|});
                    await client.SetAsync({|#1:c ? other : $"bank:acct:{n}"|}, "v");
                    await client.GetAsync({|#2:maybe ?? "bank:acct:2"|});
                    await client.GetAsync({|#3:n switch { 0 => "plain:0", _ => "bank:acct:" + n }|});
                    var key = c ? "bank:sess:1" : "bank:acct:1";
                    await client.DeleteAsync({|#4:key|});
                    await client.GetAsync(c ? "bank:sess:1" : other);
                    await client.GetAsync(c ? other : maybe!);
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(source, Read(0), Write(1, "SetAsync"), Read(2), Read(3), Write(4, "DeleteAsync"));
    }
}
