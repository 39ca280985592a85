using System.Diagnostics;
using System.Text;
using Memstore.Mcas;
using Memstore.Tests.Infrastructure;
using Xunit.Abstractions;
using static Memstore.Tests.Mcas.WorkerProcesses;

namespace Memstore.Tests.Mcas;

/// <summary>
/// tests/mcas-python/mcas.py, a participant written from docs/mcas.md alone, and C# worker processes run
/// transfers and token moves on the same keys at the same time, one of each side SIGKILLed mid-run (its
/// operations are left for the others to finish). Both sides then check the invariants.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class PythonInteropTests(ThreeServerFixture cluster, ITestOutputHelper output) : IClassFixture<ThreeServerFixture>
{
    private const int Accounts = 20;

    [Fact]
    public async Task Python_and_csharp_participants_share_transfers_and_token_moves()
    {
        // A prerequisite, not an option: a run without python3 must not count this as passed.
        Assert.True(OnPath("python3"), "python3 is not installed; ./run test installs it with apt-get.");
        await using var client = cluster.NewClient();
        var prefix = $"py{Guid.NewGuid():N}"[..12] + ":";
        for (var i = 0; i < Accounts; i++)
        {
            await client.SetAsync($"{prefix}acct:{i}", "1000");
        }
        await TokenStressTests.SeedAsync(client, prefix);
        var servers = cluster.ConnectionString;
        var (slots, tokens) = (TokenStressTests.Slots.ToString(), TokenStressTests.Tokens.ToString());
        var script = Path.Combine(RepositoryRoot, "tests", "mcas-python", "mcas.py");
        Process Python(params string[] arguments) => Start("python3", [script, .. arguments]);
        var finishing = new List<Task<string>>
        {
            FinishAsync(Worker("transfer", servers, prefix, Accounts.ToString(), "5", "1"), TimeSpan.FromSeconds(40)),
            FinishAsync(Worker("tokens", servers, prefix, slots, tokens, "5", "2", "2"), TimeSpan.FromSeconds(40)),
            FinishAsync(Python("transfer", servers, prefix, Accounts.ToString(), "5", "3", "2"), TimeSpan.FromSeconds(40)),
            FinishAsync(Python("tokens", servers, prefix, slots, tokens, "5", "4", "2"), TimeSpan.FromSeconds(40)),
        };
        var csharpVictim = Worker("tokens", servers, prefix, slots, tokens, "10", "5", "2");
        var pythonVictim = Python("tokens", servers, prefix, slots, tokens, "10", "6", "2");
        await Task.Delay(2500);
        await KillAsync(csharpVictim);
        await KillAsync(pythonVictim); // its two loops are busy: it dies inside an operation
        var outputs = await Task.WhenAll(finishing);
        AssertWorkersClean(outputs, output, "DONE ");
        // C# side: McasGet resolves whatever the killed processes left; totals and tokens exact, no marker left.
        var entries = await new McasClient(client).GetManyAsync([.. Enumerable.Range(0, Accounts).Select(i => $"{prefix}acct:{i}")]);
        Assert.Equal(1000 * Accounts, entries.Sum(e => long.Parse(Encoding.ASCII.GetString(e.Value!))));
        await TokenStressTests.AssertTokensAsync(client, prefix);
        // Python side: its own McasGet sees the same.
        output.WriteLine((await FinishAsync(Python("check-transfer", servers, prefix, Accounts.ToString(), (1000 * Accounts).ToString()), TimeSpan.FromSeconds(20))).Trim());
        output.WriteLine((await FinishAsync(Python("check-tokens", servers, prefix, slots, tokens), TimeSpan.FromSeconds(20))).Trim());
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, program)));
}
