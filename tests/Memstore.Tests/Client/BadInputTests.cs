using System.Text;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Client;

/// <summary>Invalid keys, oversized values and server errors: clear errors, nothing sent, nothing lost.</summary>
[Trait("Category", "Memcached")]
public sealed class BadInputTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>
{
    [Fact]
    public async Task A_key_with_CR_LF_cannot_inject_a_command_and_nothing_is_flushed()
    {
        await using var client = MemcacheClient.Create(fixture.Server.ConnectionString);
        var survivor = TestKeys.Unique();
        await client.SetAsync(survivor, "still here");

        var error = await Assert.ThrowsAsync<InvalidKeyException>(async () => await client.GetAsync("a\r\nflush_all"));
        Assert.Contains("\"a\\r\\nflush_all\"", error.Message);
        Assert.Contains("control character", error.Message);
        await Assert.ThrowsAsync<InvalidKeyException>(async () => await client.SetAsync("a\r\nflush_all", "x"));
        await Assert.ThrowsAsync<InvalidKeyException>(async () => await client.DeleteAsync("x\r\nflush_all"));

        Assert.Equal("still here", (await client.GetAsync(survivor)).AsString());
        var stats = Assert.Single(await client.GetStatsAsync()).Value;
        Assert.Equal("0", stats["cmd_flush"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("tab\there")]
    [InlineData("nul\0")]
    [InlineData("del\u007f")]
    public async Task Keys_breaking_the_text_rules_are_refused_before_sending(string key)
    {
        await using var client = MemcacheClient.Create(fixture.Server.ConnectionString);
        var error = await Assert.ThrowsAsync<InvalidKeyException>(async () => await client.GetAsync(key));
        Assert.Equal(key, error.Key);
    }

    [Fact]
    public async Task Key_length_limit_is_250_bytes_counted_in_utf8()
    {
        await using var client = MemcacheClient.Create(fixture.Server.ConnectionString);
        var longest = new string('k', 250);
        Assert.True((await client.SetAsync(longest, "ok")).Stored);
        Assert.Equal("ok", (await client.GetAsync(longest)).AsString());

        var error = await Assert.ThrowsAsync<InvalidKeyException>(async () => await client.GetAsync(new string('k', 251)));
        Assert.Contains("251 UTF-8 bytes", error.Message);
        await Assert.ThrowsAsync<InvalidKeyException>(async () => await client.GetAsync(new string('é', 126))); // 252 bytes
    }

    [Fact]
    public async Task Binary_key_mode_sends_any_key_base64_encoded()
    {
        var options = MemcacheClientOptions.Parse(fixture.Server.ConnectionString);
        options.KeyMode = KeyMode.Base64;
        await using var client = new MemcacheClient(options);
        var key = "line\r\nbreak and space " + Guid.NewGuid();
        await client.SetAsync(key, "binary-safe");
        Assert.Equal("binary-safe", (await client.GetAsync(key)).AsString());
        Assert.Equal("binary-safe", (await client.GetManyAsync([key])).Single().AsString());
        Assert.Equal(DeleteStatus.Deleted, await client.DeleteAsync(key));

        // The raw key never reached the server as text: memcached's "flush_all" counter stays untouched.
        await client.GetAsync("x\r\nflush_all");
        Assert.Equal("0", Assert.Single(await client.GetStatsAsync()).Value["cmd_flush"]);

        await Assert.ThrowsAsync<InvalidKeyException>(async () => await client.GetAsync(new string('b', 187)));
        Assert.False((await client.GetAsync(new string('b', 186))).Found);
    }

    [Fact]
    public async Task Values_over_the_configured_limit_are_refused_before_sending()
    {
        var options = MemcacheClientOptions.Parse(fixture.Server.ConnectionString);
        options.MaxValueSize = 1000;
        await using var client = new MemcacheClient(options);
        var key = TestKeys.Unique();
        var error = await Assert.ThrowsAsync<ValueTooLargeException>(async () => await client.SetAsync(key, new byte[1001]));
        Assert.Equal(1001, error.Length);
        Assert.Equal(1000, error.Limit);
        Assert.Contains(key, error.Message);
        Assert.True((await client.SetAsync(key, new byte[1000])).Stored);
    }

    [Fact]
    public async Task A_value_over_the_servers_item_size_is_refused_before_sending_and_the_connection_survives()
    {
        // The client allows 2 MiB but this server keeps its default 1 MiB item size.
        var options = MemcacheClientOptions.Parse(fixture.Server.ConnectionString);
        options.MaxValueSize = 2 * 1024 * 1024;
        await using var client = new MemcacheClient(options);
        var key = TestKeys.Unique();
        await client.SetAsync(key, "before");
        var before = long.Parse(Assert.Single(await client.GetStatsAsync()).Value["total_connections"]);

        // The connection has learnt the server's item_size_max: the value is refused before it is sent
        // (issue 12), instead of crossing the wire to get SERVER_ERROR object too large.
        var error = await Assert.ThrowsAsync<ValueTooLargeException>(async () => await client.SetAsync(key, new byte[1536 * 1024]));
        Assert.Contains("item_size_max of 1048576 bytes", error.Message);
        Assert.Contains(key, error.Message);
        Assert.Contains(fixture.Server.Address.ToString(), error.Message);

        // Nothing was sent: the old value is still there and the same connection still answers correctly.
        Assert.Equal("before", (await client.GetAsync(key)).AsString());
        var other = TestKeys.Unique();
        await client.SetAsync(other, "after");
        Assert.Equal("after", (await client.GetAsync(other)).AsString());
        var after = long.Parse(Assert.Single(await client.GetStatsAsync()).Value["total_connections"]);
        Assert.Equal(before, after); // same connection, still in step
    }

    [Fact]
    public void Options_are_validated_with_messages_that_name_the_setting()
    {
        Assert.Contains("Servers", Assert.Throws<ArgumentException>(() => new MemcacheClient(new MemcacheClientOptions())).Message);
        var options = MemcacheClientOptions.Parse("127.0.0.1:1");
        options.OperationTimeout = TimeSpan.Zero;
        Assert.Contains("OperationTimeout", Assert.Throws<ArgumentException>(() => new MemcacheClient(options)).Message);
        options = MemcacheClientOptions.Parse("127.0.0.1:1,127.0.0.1:1");
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => new MemcacheClient(options)).Message);
        options = MemcacheClientOptions.Parse("127.0.0.1:1");
        options.ConnectionsPerServer = 0;
        Assert.Contains("ConnectionsPerServer", Assert.Throws<ArgumentException>(() => new MemcacheClient(options)).Message);
    }

    [Fact]
    public async Task Negative_expiry_is_an_argument_error()
    {
        await using var client = MemcacheClient.Create(fixture.Server.ConnectionString);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await client.SetAsync("k", "v", TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task Stats_group_must_be_a_word()
    {
        await using var client = MemcacheClient.Create(fixture.Server.ConnectionString);
        await Assert.ThrowsAsync<ArgumentException>(async () => await client.GetStatsAsync("slabs\r\nflush_all"));
    }

    [Fact]
    public async Task A_disposed_client_refuses_new_work()
    {
        var client = MemcacheClient.Create(fixture.Server.ConnectionString);
        await client.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await client.GetAsync("k"));
    }

    [Fact]
    public async Task A_canceled_token_fails_the_call_and_the_client_goes_on()
    {
        await using var client = MemcacheClient.Create(fixture.Server.ConnectionString);
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await client.GetAsync("k", canceled.Token));
        var key = TestKeys.Unique();
        await client.SetAsync(key, Encoding.UTF8.GetBytes("x"));
        Assert.True((await client.GetAsync(key)).Found);
    }
}
