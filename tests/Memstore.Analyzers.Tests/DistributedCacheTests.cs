using Microsoft.CodeAnalysis.Testing;

namespace Memstore.Analyzers.Tests;

/// <summary>IDistributedCache calls whose key, after MemcacheDistributedCacheOptions.KeyPrefix, is an MCAS key.</summary>
[Trait("Category", "Unit")]
public class DistributedCacheTests
{
    private const string Usings = "using Memstore.Caching;\nusing Microsoft.Extensions.Caching.Distributed;\nusing Microsoft.Extensions.DependencyInjection;\n";

    private static DiagnosticResult Diagnostic(string id, int location, string method) =>
        Verify.Diagnostic(id).WithLocation(location).WithArguments(method, "Bank.BankStore.Accounts", "bank:acct:{id}");

    [Fact]
    public async Task Reports_sync_and_async_get_set_remove_and_refresh_without_a_prefix()
    {
        var source = Usings + PlainReadTests.Header + """
            class C
            {
                async Task M(IDistributedCache cache, MemcacheDistributedCache concrete, string id, byte[] value)
                {
                    _ = cache.Get({|#0:"bank:acct:1"|});
                    _ = await cache.GetAsync({|#1:$"bank:acct:{id}"|});
                    cache.Set({|#2:"bank:acct:1"|}, value, new DistributedCacheEntryOptions());
                    await cache.SetAsync({|#3:"bank:acct:1"|}, value, new DistributedCacheEntryOptions());
                    cache.Remove({|#4:"bank:acct:1"|});
                    await cache.RemoveAsync({|#5:"bank:acct:1"|});
                    await cache.RefreshAsync({|#6:"bank:acct:1"|});
                    _ = await cache.GetStringAsync({|#7:"bank:acct:1"|});
                    await cache.SetStringAsync({|#8:"bank:acct:1"|}, "v");
                    _ = await concrete.GetAsync({|#9:"bank:acct:1"|});
                    _ = await cache.GetAsync("bank:sess:1");
                    _ = await cache.GetAsync(id);
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(
            [source],
            Verify.DistributedCacheReferences,
            Diagnostic("MEMS2001", 0, "IDistributedCache.Get"),
            Diagnostic("MEMS2001", 1, "IDistributedCache.GetAsync"),
            Diagnostic("MEMS2002", 2, "IDistributedCache.Set"),
            Diagnostic("MEMS2002", 3, "IDistributedCache.SetAsync"),
            Diagnostic("MEMS2002", 4, "IDistributedCache.Remove"),
            Diagnostic("MEMS2002", 5, "IDistributedCache.RemoveAsync"),
            Diagnostic("MEMS2002", 6, "IDistributedCache.RefreshAsync"),
            Diagnostic("MEMS2001", 7, "DistributedCacheExtensions.GetStringAsync"),
            Diagnostic("MEMS2002", 8, "DistributedCacheExtensions.SetStringAsync"),
            Diagnostic("MEMS2001", 9, "MemcacheDistributedCache.GetAsync"));
    }

    [Fact]
    public async Task A_key_prefix_set_in_the_compilation_moves_the_keys()
    {
        // The cache's keys become "web:bank:acct:1" (not MCAS) and "bank:acct:" + "1" (MCAS).
        var source = Usings + PlainReadTests.Header + """
            class Startup
            {
                static void Configure(IServiceCollection services) => services.AddMemstoreDistributedCache(o => o.KeyPrefix = "web:");
            }

            class C
            {
                async Task M(IDistributedCache cache) => _ = await cache.GetAsync("bank:acct:1");
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>([source], Verify.DistributedCacheReferences);

        var prefixed = Usings + PlainReadTests.Header + """
            class Startup
            {
                static void Configure(IServiceCollection services) => services.AddMemstoreDistributedCache(o => o.KeyPrefix = "bank:acct:");
            }

            class C
            {
                async Task M(IDistributedCache cache) => _ = await cache.GetAsync({|#0:"1"|});
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>([prefixed], Verify.DistributedCacheReferences, Diagnostic("MEMS2001", 0, "IDistributedCache.GetAsync"));
    }

    [Fact]
    public async Task A_prefix_that_is_not_known_or_not_the_same_everywhere_is_not_guessed()
    {
        var source = Usings + PlainReadTests.Header + """
            class Startup
            {
                static void Configure(IServiceCollection services, string prefix)
                {
                    services.AddMemstoreDistributedCache(o => o.KeyPrefix = prefix);
                }
            }

            class C
            {
                async Task M(IDistributedCache cache) => _ = await cache.GetAsync("bank:acct:1");
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>([source], Verify.DistributedCacheReferences);

        var two = Usings + PlainReadTests.Header + """
            class Startup
            {
                static MemcacheDistributedCacheOptions A() => new() { KeyPrefix = "" };
                static MemcacheDistributedCacheOptions B() => new() { KeyPrefix = "other:" };
            }

            class C
            {
                async Task M(IDistributedCache cache) => _ = await cache.GetAsync("bank:acct:1");
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>([two], Verify.DistributedCacheReferences);
    }

    [Fact]
    public async Task A_cache_created_in_place_uses_its_own_options()
    {
        var source = Usings + PlainReadTests.Header + """
            class C
            {
                static readonly MemcacheDistributedCacheOptions Elsewhere = new() { KeyPrefix = "web:" };

                async Task M(MemcacheClient client)
                {
                    var plain = new MemcacheDistributedCache(client);
                    _ = await plain.GetAsync({|#0:"bank:acct:1"|});
                    IDistributedCache prefixed = new MemcacheDistributedCache(client, new MemcacheDistributedCacheOptions { KeyPrefix = "bank:" });
                    await prefixed.RemoveAsync({|#1:"acct:1"|});
                    await prefixed.RemoveAsync("bank:acct:1");
                    var nulled = new MemcacheDistributedCache(client, null);
                    _ = await nulled.GetAsync({|#2:"bank:acct:1"|});
                }
            }
            """;
        await Verify.AnalyzerAsync<McasKeyAnalyzer>(
            [source],
            Verify.DistributedCacheReferences,
            Diagnostic("MEMS2001", 0, "MemcacheDistributedCache.GetAsync"),
            Diagnostic("MEMS2002", 1, "IDistributedCache.RemoveAsync"),
            Diagnostic("MEMS2001", 2, "MemcacheDistributedCache.GetAsync"));
    }
}
