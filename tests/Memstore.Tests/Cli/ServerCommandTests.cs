using System.Text;
using Memstore.Cli;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Cli;

/// <summary>ping, stats, get, set and delete against a real memcached (one per class; tests use distinct keys).</summary>
[Trait("Category", "Memcached")]
public sealed class ServerCommandTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>
{
    private string Servers => fixture.Server.ConnectionString;

    [Fact]
    public async Task Ping_prints_version_and_round_trip_time_per_server()
    {
        var result = await CliRunner.RunAsync("ping", "--servers", Servers);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches($@"^{Servers.Replace(".", @"\.")}  version=1\.\d+\.\d+\S*  time=\d+\.\d{{3}} ms\n$", result.Output);
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task Stats_prints_name_value_lines_under_a_server_header()
    {
        var result = await CliRunner.RunAsync("stats", "-s", Servers);
        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Output.Split('\n');
        Assert.Equal($"# {Servers}", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("pid ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("curr_connections ", StringComparison.Ordinal));
        Assert.All(lines.Skip(1).Where(l => l.Length > 0), l => Assert.Equal(2, l.Split(' ', 2).Length));

        result = await CliRunner.RunAsync("stats", "-s", Servers, "--group", "settings");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"tcpport {fixture.Server.Port}\n", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_then_get_writes_the_value_as_is_without_a_newline()
    {
        var set = await CliRunner.RunAsync("set", "-s", Servers, "cli:greeting", "hello world");
        Assert.Equal(0, set.ExitCode);
        Assert.Equal($"stored cli:greeting (11 bytes) on {Servers}\n", set.Output);

        var get = await CliRunner.RunAsync("get", "-s", Servers, "cli:greeting");
        Assert.Equal(0, get.ExitCode);
        Assert.Equal("hello world", get.Output);
        Assert.Empty(get.Error);
    }

    [Fact]
    public async Task Set_dash_reads_binary_stdin_and_get_writes_the_same_bytes()
    {
        byte[] value = [0, 1, 2, 0xFF, 0xFE, (byte)'\r', (byte)'\n', 0xC3, 0x28, (byte)'x'];
        var set = await CliRunner.RunWithInputAsync(value, "set", "-s", Servers, "cli:binary", "-");
        Assert.True(set.ExitCode == 0, set.ToString());

        var get = await CliRunner.RunAsync("get", "-s", Servers, "cli:binary");
        Assert.Equal(0, get.ExitCode);
        Assert.Equal(value, get.OutputBytes);

        await using var client = MemcacheClient.Create(Servers);
        Assert.Equal(value, (await client.GetAsync("cli:binary")).Value);
    }

    [Fact]
    public async Task Ttl_and_flags_are_stored_and_show_meta_prints_flags_and_cas()
    {
        var set = await CliRunner.RunAsync("set", "-s", Servers, "--ttl", "100", "--flags", "4294967295", "cli:meta", "tab\there");
        Assert.True(set.ExitCode == 0, set.ToString());
        await using var client = MemcacheClient.Create(Servers);
        CacheValue stored = await client.GetAsync("cli:meta");
        Assert.Equal(uint.MaxValue, stored.Flags);
        string metadata = await fixture.Server.RawAsync("mg cli:meta t\r\n");
        Assert.Matches(@"^HD t(9\d|100)\r\n$", metadata);

        var get = await CliRunner.RunAsync("get", "-s", Servers, "--show-meta", "cli:meta");
        Assert.Equal(0, get.ExitCode);
        Assert.Equal($"cli:meta\tflags=4294967295\tcas={stored.Cas.Value}\tbytes=8\ttab\\there\n", get.Output);
    }

    [Fact]
    public async Task Get_of_several_keys_prints_one_escaped_line_per_hit_and_exits_3_on_a_miss()
    {
        await using var client = MemcacheClient.Create(Servers);
        await client.SetAsync("cli:m1", "one");
        await client.SetAsync("cli:m2", "two\nlines\\");
        await client.SetAsync("cli:m3", new byte[] { (byte)'a', 0xFF });

        var get = await CliRunner.RunAsync("get", "-s", Servers, "cli:m1", "cli:absent", "cli:m2", "cli:m3");
        Assert.Equal(ExitCodes.NotFound, get.ExitCode);
        Assert.Equal("cli:m1\tone\ncli:m2\ttwo\\nlines\\\\\ncli:m3\ta\\xFF\n", get.Output);
        Assert.Equal([$"memstore get: no item for key cli:absent on {Servers}"], get.ErrorLines);
    }

    [Fact]
    public async Task Get_of_a_missing_key_prints_nothing_on_stdout_and_exits_3()
    {
        var get = await CliRunner.RunAsync("get", "-s", Servers, "cli:never-set");
        Assert.Equal(3, get.ExitCode);
        Assert.Empty(get.OutputBytes);
        Assert.Equal([$"memstore get: no item for key cli:never-set on {Servers}"], get.ErrorLines);
    }

    [Fact]
    public async Task Delete_removes_the_item_and_a_second_delete_exits_3()
    {
        await using var client = MemcacheClient.Create(Servers);
        await client.SetAsync("cli:doomed", "x");

        var delete = await CliRunner.RunAsync("delete", "-s", Servers, "cli:doomed");
        Assert.Equal(0, delete.ExitCode);
        Assert.Equal($"deleted cli:doomed on {Servers}\n", delete.Output);
        Assert.False((await client.GetAsync("cli:doomed")).Found);

        delete = await CliRunner.RunAsync("delete", "-s", Servers, "cli:doomed");
        Assert.Equal(3, delete.ExitCode);
        Assert.Empty(delete.Output);
        Assert.Equal([$"memstore delete: no item for key cli:doomed on {Servers}"], delete.ErrorLines);
    }

    [Fact]
    public async Task Get_without_a_byte_stream_writes_the_value_as_text()
    {
        await using var client = MemcacheClient.Create(Servers);
        await client.SetAsync("cli:text", "grüße");
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exitCode = await CliApplication.RunAsync(["get", "-s", Servers, "cli:text"], new CommandContext(TextReader.Null, output, error));
        Assert.Equal(0, exitCode);
        Assert.Equal("grüße", output.ToString());
    }
}
