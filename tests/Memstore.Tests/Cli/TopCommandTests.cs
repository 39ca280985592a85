using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Cli;

/// <summary>`memstore top` against real memcached under load: plain text once, and the live view in a tmux terminal.</summary>
[Trait("Category", "Memcached")]
public sealed class TopCommandTests
{
    /// <summary>Sets a new key and gets it back, over and over, until stopped: items grow, gets and sets move.</summary>
    private static async Task LoadAsync(string server, string prefix, CancellationToken stop)
    {
        await using var client = MemcacheClient.Create(server);
        for (long i = 0; !stop.IsCancellationRequested; i++)
        {
            // The loop checks stop between requests; a request itself is never cut off.
            await client.SetAsync($"{prefix}{i}", "load value", cancellationToken: CancellationToken.None);
            await client.GetAsync($"{prefix}{i}", CancellationToken.None);
            await client.GetAsync($"{prefix}missing{i}", CancellationToken.None);
        }
    }

    [Fact]
    public async Task Once_prints_rates_for_the_live_server_and_the_reason_for_the_dead_one()
    {
        await using var server = await MemcachedServer.StartAsync();
        string dead = $"127.0.0.1:{MemcachedServer.RefusingPort()}";
        using var stop = new CancellationTokenSource();
        Task load = LoadAsync(server.ConnectionString, "top-once-", stop.Token);
        try
        {
            var result = await CliRunner.RunAsync("top", "-s", $"{server.ConnectionString},{dead}", "--interval", "0.5");
            Assert.True(result.ExitCode == 0, result.ToString());
            string[] lines = result.Output.TrimEnd('\n').Split('\n');
            Assert.Equal(4, lines.Length);
            Assert.StartsWith("SERVER ", lines[0], StringComparison.Ordinal);
            string[] live = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal([server.ConnectionString, "up"], live[..2]);
            Assert.True(double.Parse(live[2]) > 0, lines[1]); // GET/s
            Assert.True(double.Parse(live[3]) > 0, lines[1]); // SET/s
            Assert.Equal("50.0", live[4]); // one hit, one miss per set
            Assert.Matches($@"^{dead.Replace(".", @"\.")}\s+down: .*unreachable", lines[2]);
            Assert.StartsWith("total ", lines[3], StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
            await load;
        }
    }

    [Fact]
    public async Task Once_exits_1_when_no_server_answers()
    {
        string dead = $"127.0.0.1:{MemcachedServer.RefusingPort()}";
        var result = await CliRunner.RunAsync("top", "-s", dead, "--once", "--interval", "0.1");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{dead}  down: ", result.Output, StringComparison.Ordinal);
        Assert.Equal(["memstore top: no server answered (1 listed)."], result.ErrorLines);
    }

    [TmuxTheory]
    [InlineData("q")]
    [InlineData("C-c")]
    public async Task Live_view_moves_with_the_load_and_quitting_restores_the_terminal(string quitKey)
    {
        await using var server = await MemcachedServer.StartAsync();
        using var stop = new CancellationTokenSource();
        Task load = LoadAsync(server.ConnectionString, "top-live-", stop.Token);
        try
        {
            using var tmux = Tmux.Start($"{Tmux.CliCommand} top --servers {server.ConnectionString} --interval 0.5");
            string first = await tmux.WaitForAsync(screen => TotalRow(screen) is { } row && Rate(row) > 0);
            long items = Items(TotalRow(first)!);
            string second = await tmux.WaitForAsync(screen => TotalRow(screen) is { } row && Items(row) > items);
            Assert.Contains("memstore top - 1 server(s)", second, StringComparison.Ordinal);
            Assert.Contains($"│ {server.ConnectionString} ", second, StringComparison.Ordinal);

            tmux.SendKeys("n");
            await tmux.WaitForAsync(screen => screen.Contains("sorted by server", StringComparison.Ordinal));

            tmux.SendKeys(quitKey);
            string after = await tmux.WaitForAsync(screen => screen.Contains("EXITED", StringComparison.Ordinal));
            Assert.Contains("EXITED 0", after, StringComparison.Ordinal);
            // Back from the alternate screen: the table is gone, the shell's screen is as it was.
            Assert.DoesNotContain("memstore top -", after, StringComparison.Ordinal);
            Assert.DoesNotContain("│", after, StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
            await load;
        }
    }

    private static string[]? TotalRow(string screen) =>
        screen.Split('\n').FirstOrDefault(l => l.StartsWith("│ total ", StringComparison.Ordinal)) is { } line
            ? [.. line.Split('│').Select(c => c.Trim()).Skip(1)]
            : null;

    // Columns: SERVER STATE GET/s SET/s HIT% READ/s WRITE/s CONNS ITEMS ...
    private static double Rate(string[] row) => double.TryParse(row[2], out double value) ? value : 0;

    private static long Items(string[] row) => long.TryParse(row[8], out long value) ? value : 0;
}
