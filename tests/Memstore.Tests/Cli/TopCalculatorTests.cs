using System.Diagnostics;
using Memstore.Cli.Top;

namespace Memstore.Tests.Cli;

/// <summary>The stats-delta arithmetic of `memstore top`, fed made-up samples: no terminal, no server.</summary>
[Trait("Category", "Unit")]
public sealed class TopCalculatorTests
{
    private static readonly long Start = Stopwatch.GetTimestamp();

    private static ServerSample Sample(string server, double atSeconds, long gets, long sets, long hits, long misses, long evictions = 0, long bytes = 1000) =>
        new(server, new Dictionary<string, string>
        {
            ["cmd_get"] = $"{gets}", ["cmd_set"] = $"{sets}", ["get_hits"] = $"{hits}", ["get_misses"] = $"{misses}",
            ["bytes_read"] = $"{sets * 100}", ["bytes_written"] = $"{gets * 10}", ["evictions"] = $"{evictions}",
            ["curr_connections"] = "5", ["curr_items"] = "42", ["bytes"] = $"{bytes}", ["limit_maxbytes"] = "67108864",
        }, null, Start + (long)(atSeconds * Stopwatch.Frequency));

    [Fact]
    public void Rates_are_counter_differences_per_second_and_the_total_sums_them()
    {
        var calculator = new TopCalculator();
        TopSnapshot first = calculator.Update([Sample("a:1", 0, 100, 10, 80, 20), Sample("b:1", 0, 0, 0, 0, 0)], TopSort.Ops);
        Assert.Null(first.Rows[0].GetsPerSecond);
        Assert.Equal(5, first.Rows[0].Connections);

        // In 2 s: a did 400 gets (300 hits) and 40 sets; b 100 gets (all misses), 10 evictions.
        TopSnapshot second = calculator.Update([Sample("a:1", 2, 500, 50, 380, 120), Sample("b:1", 2, 100, 0, 0, 100, evictions: 10)], TopSort.Ops);
        TopRow a = second.Rows.Single(r => r.Server == "a:1");
        Assert.Equal(200, a.GetsPerSecond);
        Assert.Equal(20, a.SetsPerSecond);
        Assert.Equal(0.75, a.HitRatio);
        Assert.Equal(2000, a.BytesReadPerSecond);
        Assert.Equal(2000, a.BytesWrittenPerSecond);
        TopRow b = second.Rows.Single(r => r.Server == "b:1");
        Assert.Equal(0.0, b.HitRatio);
        Assert.Equal(5, b.EvictionsPerSecond);

        Assert.Equal(250, second.Total.GetsPerSecond);
        Assert.Equal(20, second.Total.SetsPerSecond);
        Assert.Equal(300.0 / 500, second.Total.HitRatio!.Value, 10);
        Assert.Equal(10, second.Total.Connections);
        Assert.Equal(2 * 67108864L, second.Total.BytesLimit);
        Assert.Equal(["a:1", "b:1"], second.Rows.Select(r => r.Server));
    }

    [Fact]
    public void A_restarted_server_gives_no_rate_and_a_down_server_keeps_its_reason_and_sorts_last()
    {
        var calculator = new TopCalculator();
        calculator.Update([Sample("a:1", 0, 1000, 0, 0, 0), Sample("b:1", 0, 0, 0, 0, 0)], TopSort.Ops);
        TopSnapshot snapshot = calculator.Update(
            [new ServerSample("a:1", null, "a:1 is unreachable", Start + Stopwatch.Frequency), Sample("b:1", 1, 10, 0, 10, 0)], TopSort.Ops);
        Assert.Equal(["b:1", "a:1"], snapshot.Rows.Select(r => r.Server));
        Assert.False(snapshot.Rows[1].Up);
        Assert.Equal("a:1 is unreachable", snapshot.Rows[1].Failure);
        Assert.Equal(10, snapshot.Total.GetsPerSecond);

        // Back, with counters reset: no rate for the first interval after it returns.
        snapshot = calculator.Update([Sample("a:1", 2, 5, 0, 0, 0), Sample("b:1", 2, 20, 0, 20, 0)], TopSort.Ops);
        Assert.Null(snapshot.Rows.Single(r => r.Server == "a:1").GetsPerSecond);

        var restarted = new TopCalculator();
        restarted.Update([Sample("a:1", 0, 1000, 0, 0, 0)], TopSort.Ops);
        Assert.Null(restarted.Update([Sample("a:1", 1, 3, 0, 0, 0)], TopSort.Ops).Rows[0].GetsPerSecond);
    }

    [Fact]
    public void All_servers_down_makes_the_total_down()
    {
        TopSnapshot snapshot = new TopCalculator().Update([new ServerSample("a:1", null, "refused", Start)], TopSort.Ops);
        Assert.False(snapshot.Total.Up);
        Assert.Contains("down: refused", TopRenderer.PlainText(snapshot), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ops", "b:1,a:1,c:1")]
    [InlineData("hits", "a:1,c:1,b:1")]
    [InlineData("mem", "c:1,b:1,a:1")]
    [InlineData("evictions", "b:1,a:1,c:1")]
    [InlineData("server", "a:1,b:1,c:1")]
    public void Sort_orders_by_the_chosen_column(string name, string expected)
    {
        Assert.True(TopSortNames.TryParse(name, out TopSort sort));
        var calculator = new TopCalculator();
        calculator.Update([Sample("a:1", 0, 0, 0, 0, 0), Sample("b:1", 0, 0, 0, 0, 0), Sample("c:1", 0, 0, 0, 0, 0)], sort);
        TopSnapshot snapshot = calculator.Update(
        [
            Sample("a:1", 1, 10, 0, 10, 0, bytes: 1),
            Sample("b:1", 1, 100, 0, 10, 90, evictions: 5, bytes: 2),
            Sample("c:1", 1, 5, 0, 4, 1, bytes: 3),
        ], sort);
        Assert.Equal(expected, string.Join(',', snapshot.Rows.Select(r => r.Server)));
    }

    [Fact]
    public void Plain_text_has_a_header_a_line_per_server_and_the_total()
    {
        var calculator = new TopCalculator();
        calculator.Update([Sample("a:1", 0, 0, 0, 0, 0)], TopSort.Ops);
        string text = calculator.Update([Sample("a:1", 1, 1500, 0, 750, 750)], TopSort.Ops) is var s ? TopRenderer.PlainText(s) : "";
        string[] lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("SERVER", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^a:1\s+up\s+1500\s+0\s+50\.0\s", lines[1]);
        Assert.StartsWith("total", lines[2], StringComparison.Ordinal);
        Assert.Equal("1.5KiB", TopRenderer.Bytes(1536));
    }
}
