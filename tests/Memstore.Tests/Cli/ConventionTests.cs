using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Cli;

/// <summary>What the System.CommandLine parser must not change: keys that look like options or response files, and tables.</summary>
[Trait("Category", "Memcached")]
public sealed class ConventionTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>
{
    private string Servers => fixture.Server.ConnectionString;

    [Fact]
    public async Task Keys_starting_with_at_or_dash_after_double_dash_are_keys()
    {
        var set = await CliRunner.RunAsync("set", "-s", Servers, "@cli-home", "at");
        Assert.True(set.ExitCode == 0, set.ToString());
        set = await CliRunner.RunAsync("set", "-s", Servers, "--", "-cli-dash", "dash");
        Assert.True(set.ExitCode == 0, set.ToString());

        var get = await CliRunner.RunAsync("get", "-s", Servers, "--", "@cli-home", "-cli-dash");
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal("@cli-home\tat\n-cli-dash\tdash\n", get.Output);

        var refused = await CliRunner.RunAsync("get", "-s", Servers, "-cli-dash");
        Assert.Equal(2, refused.ExitCode);
        Assert.StartsWith("memstore get: Unknown option '-cli-dash'. (Put '--' before", Assert.Single(refused.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_format_table_draws_one_column_per_server()
    {
        var result = await CliRunner.RunAsync("stats", "-s", Servers, "--format", "table");
        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Output.Split('\n');
        Assert.Contains(Servers, lines[1], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("curr_connections", StringComparison.Ordinal) && l.Contains('│'));

        var bad = await CliRunner.RunAsync("stats", "-s", Servers, "--format", "csv");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("csv", Assert.Single(bad.ErrorLines), StringComparison.Ordinal);
    }
}
