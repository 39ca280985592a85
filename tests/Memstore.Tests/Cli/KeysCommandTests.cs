using System.Diagnostics;
using System.Text.Json;
using Memstore.Cli;
using Memstore.Cli.Commands;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Cli;

/// <summary>`memstore keys` against real memcached (a server of its own per test: a dump lists every key).</summary>
[Trait("Category", "Memcached")]
public sealed class KeysCommandTests
{
    [Fact]
    public async Task Lists_keys_with_prefix_ttl_and_item_size_and_decodes_url_encoded_keys()
    {
        await using var server = await MemcachedServer.StartAsync();
        await using var client = MemcacheClient.Create(server.ConnectionString);
        await client.SetAsync("app:one", "12345", TimeSpan.FromSeconds(100));
        await client.SetAsync("app:grüße%", "x");
        await client.SetAsync("other:key", "ignored");

        var result = await CliRunner.RunAsync("keys", "-s", server.ConnectionString, "--prefix", "app:");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Error);
        string[] lines = result.Output.TrimEnd('\n').Split('\n').Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, lines.Length);
        // Size is what the item takes in memory: value, key and 59 bytes (header, CRLF, NUL, CAS), as ServerSettings measures.
        Assert.Equal($"app:grüße%\tttl=never\tsize={59 + System.Text.Encoding.UTF8.GetByteCount("app:grüße%") + 1}\tserver={server.ConnectionString}", lines[0]);
        Assert.Matches($@"^app:one\tttl=(9[89]|100)\tsize={59 + 7 + 5}\tserver={server.ConnectionString.Replace(".", @"\.")}$", lines[1]);
    }

    [Fact]
    public async Task Limit_stops_after_n_keys_across_servers_and_json_has_one_object_per_line()
    {
        await using var first = await MemcachedServer.StartAsync();
        await using var second = await MemcachedServer.StartAsync();
        foreach (MemcachedServer server in new[] { first, second })
        {
            await using var client = MemcacheClient.Create(server.ConnectionString);
            for (int i = 0; i < 5; i++)
            {
                await client.SetAsync($"k{i}", "v", TimeSpan.FromSeconds(1000));
            }
        }

        string servers = $"{first.ConnectionString},{second.ConnectionString}";
        var all = await CliRunner.RunAsync("keys", "-s", servers);
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Equal(10, all.Output.TrimEnd('\n').Split('\n').Length);

        var limited = await CliRunner.RunAsync("keys", "-s", servers, "--limit", "7", "--json");
        Assert.True(limited.ExitCode == 0, limited.ToString());
        Assert.Equal(["memstore keys: stopped at --limit 7."], limited.ErrorLines);
        var objects = limited.Output.TrimEnd('\n').Split('\n').Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(7, objects.Count);
        Assert.Equal(5, objects.Count(o => o.GetProperty("server").GetString() == first.ConnectionString));
        Assert.All(objects, o =>
        {
            Assert.Matches("^k[0-4]$", o.GetProperty("key").GetString());
            Assert.InRange(o.GetProperty("ttl").GetInt64(), 990, 1000);
            Assert.InRange(o.GetProperty("expires_at").GetInt64() - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 990, 1001);
            Assert.Equal(59 + 2 + 1, o.GetProperty("size").GetInt64());
        });
    }

    [Fact]
    public async Task Keys_written_in_base64_key_mode_are_listed_as_their_text()
    {
        await using var server = await MemcachedServer.StartAsync();
        var options = MemcacheClientOptions.Parse(server.ConnectionString);
        options.KeyMode = KeyMode.Base64;
        await using var client = new MemcacheClient(options);
        await client.SetAsync("with space\tand tab", "v");

        var result = await CliRunner.RunAsync("keys", "-s", server.ConnectionString);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"with space\\tand tab\tttl=never\tsize={59 + 18 + 1}\tserver={server.ConnectionString}\n", result.Output);
    }

    [Fact]
    public async Task An_unreachable_server_is_named_with_exit_1_and_the_others_are_still_listed()
    {
        await using var server = await MemcachedServer.StartAsync();
        await using var client = MemcacheClient.Create(server.ConnectionString);
        await client.SetAsync("alive", "v");
        string dead = $"127.0.0.1:{MemcachedServer.RefusingPort()}";

        var watch = Stopwatch.StartNew();
        var result = await CliRunner.RunAsync("keys", "-s", $"{dead},{server.ConnectionString}", "--timeout", "1000");
        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.StartsWith("alive\tttl=never\t", result.Output, StringComparison.Ordinal);
        string line = Assert.Single(result.ErrorLines);
        Assert.StartsWith($"memstore keys: {dead} is unreachable", line, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_server_that_stops_answering_mid_dump_times_out_after_timeout_ms()
    {
        await using var server = await MemcachedServer.StartAsync();
        var options = MemcacheClientOptions.Parse(server.ConnectionString);
        options.OperationTimeout = TimeSpan.FromMilliseconds(300);
        await using var connection = await Memstore.Transport.DedicatedServerConnection.OpenAsync(options, options.Servers[0], CancellationToken.None);
        server.Pause();
        try
        {
            var watch = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<MemcacheTimeoutException>(async () =>
            {
                await foreach (string _ in connection.RunAsync("lru_crawler metadump all", "END"))
                {
                }
            });
            Assert.Contains(server.ConnectionString, error.Message, StringComparison.Ordinal);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
        }
        finally
        {
            server.Resume();
        }
    }

    [Theory]
    [InlineData("memstore keys: Option '--limit' needs a whole number from 1", "--limit", "0")]
    [InlineData("memstore keys: Option '--limit' needs a whole number", "--limit", "many")]
    [InlineData("memstore keys: keys takes no arguments", "extra")]
    [InlineData("memstore keys: Option '--prefix' needs a value", "--prefix")]
    public async Task Bad_arguments_exit_2(string message, params string[] arguments)
    {
        var result = await CliRunner.RunAsync(["keys", "-s", "127.0.0.1:1", .. arguments]);
        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Empty(result.Output);
        Assert.StartsWith(message, Assert.Single(result.ErrorLines), StringComparison.Ordinal);

        var missing = await CliRunner.RunAsync("keys");
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.StartsWith("memstore keys: Missing --servers", Assert.Single(missing.ErrorLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("key=a%2520b exp=1796237482 la=1 cas=1 fetch=no cls=1 size=69", "a%20b", 1796237482L, 69L)]
    [InlineData("key=k%C3%A9 exp=-1 la=1 cas=3 fetch=no cls=1 size=63", "ké", null, 63L)]
    public void Metadump_lines_are_decoded(string line, string key, long? expires, long size)
    {
        MetadumpLine parsed = MetadumpLine.TryParse(line)!;
        Assert.Equal(key, System.Text.Encoding.UTF8.GetString(parsed.Key));
        Assert.Equal(expires, parsed.Expires);
        Assert.Equal(size, parsed.Size);
        Assert.Null(MetadumpLine.TryParse("BUSY currently processing crawler request"));
        Assert.Null(MetadumpLine.TryParse("key=bad%zz exp=-1 size=1"));
    }
}
