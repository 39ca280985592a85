using Microsoft.CodeAnalysis.Testing;

namespace Memstore.Analyzers.Tests;

[Trait("Category", "Unit")]
public class IgnoredCommitTests
{
    private static DiagnosticResult Ignored(int location, string method = "McasClient.CompareAndSwapAsync", string detail = "") =>
        Verify.Diagnostic("MEMS2005").WithLocation(location).WithArguments(method, detail);

    [Fact]
    public async Task Reports_an_awaited_commit_whose_bool_is_dropped_and_a_commit_not_awaited()
    {
        var source = Verify.Usings + """
            class C
            {
                async Task M(McasClient mcas, McasUpdate[] updates)
                {
                    await {|#0:mcas.CompareAndSwapAsync(updates)|};
                    await {|#1:mcas.CompareAndSwapAsync(updates)|}.ConfigureAwait(false);
                    {|#2:mcas.CompareAndSwapAsync(updates)|};
                    {|#3:mcas.CompareAndSwapAsync(updates)|}.ConfigureAwait(false);
                    await {|#4:SaveAsync()|};
                }

                [McasCommit]
                Task<bool> SaveAsync() => Task.FromResult(true);
            }
            """;
        const string NotAwaited = " (its task is not even awaited)";
        await Verify.AnalyzerAsync<McasCommitAnalyzer>(
            source,
            Ignored(0).WithMessage("The result of MCAS commit 'McasClient.CompareAndSwapAsync' is ignored: a commit fails on a conflict and then writes nothing; check the result, or use McasClient.TransactAsync, which retries"),
            Ignored(1),
            Ignored(2, detail: NotAwaited),
            Ignored(3, detail: NotAwaited),
            Ignored(4, "C.SaveAsync"));
    }

    [Fact]
    public async Task Reports_a_dropped_commit_through_AsTask_and_GetAwaiter_GetResult()
    {
        var source = Verify.Usings + """
            class C
            {
                async Task M(McasClient mcas, McasUpdate[] updates)
                {
                    await {|#0:mcas.CompareAndSwapAsync(updates)|}.AsTask();
                    await {|#1:mcas.CompareAndSwapAsync(updates)|}.AsTask().ConfigureAwait(false);
                    {|#2:mcas.CompareAndSwapAsync(updates)|}.AsTask().GetAwaiter().GetResult();
                    {|#3:mcas.CompareAndSwapAsync(updates)|}.GetAwaiter().GetResult();
                    var kept = mcas.CompareAndSwapAsync(updates).AsTask().GetAwaiter().GetResult();
                    if (!await mcas.CompareAndSwapAsync(updates).AsTask()) { return; }
                    _ = kept;
                }
            }
            """;
        await Verify.AnalyzerAsync<McasCommitAnalyzer>(source, Ignored(0), Ignored(1), Ignored(2), Ignored(3));
    }

    [Fact]
    public async Task Ignores_observed_results_and_explicit_discards()
    {
        var source = Verify.Usings + """
            class C
            {
                async Task<bool> M(McasClient mcas, McasUpdate[] updates)
                {
                    var ok = await mcas.CompareAndSwapAsync(updates);
                    if (!await mcas.CompareAndSwapAsync(updates).ConfigureAwait(false)) { return false; }
                    _ = await mcas.CompareAndSwapAsync(updates);
                    var pending = mcas.CompareAndSwapAsync(updates);
                    ok &= await pending;
                    await mcas.FlushAsync();
                    await mcas.TransactAsync((tx, ct) => ValueTask.CompletedTask);
                    return ok && await mcas.CompareAndSwapAsync(updates);
                }
            }
            """;
        await Verify.AnalyzerAsync<McasCommitAnalyzer>(source);
    }
}
