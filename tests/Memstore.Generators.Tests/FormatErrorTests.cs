using Memstore.Generators.Tests.Stores;
using Memstore.Tests.Infrastructure;

namespace Memstore.Generators.Tests;

/// <summary>
/// A typed read of bytes its codec cannot read names the operation, the key and the server, on every typed read path,
/// and leaves the item and the connection as they were.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class FormatErrorTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>, IAsyncLifetime
{
    private MemcacheClient _client = null!;
    private TestStore _store = null!;
    private McasBankStore _bank = null!;

    public Task InitializeAsync()
    {
        _client = MemcacheClient.Create(fixture.Server.ConnectionString);
        _store = new TestStore(_client);
        _bank = new McasBankStore(_client);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    private string Server => fixture.Server.Address.ToString();

    private async Task<string> WriteForeignSettingsAsync(Guid id)
    {
        var key = _store.Settings.FormatKey(id);
        await _client.SetAsync(key, "plain text", flags: MemcacheFlags.Utf8String);
        return key;
    }

    private void AssertNames(MemcacheFormatException error, string operation, string key)
    {
        Assert.Equal(key, error.Key);
        Assert.Equal(Server, error.Server);
        Assert.StartsWith($"'{operation}' of key \"{key}\" on {Server}: Expected MessagePack for Settings", error.Message);
        Assert.Contains("UTF-8 string", error.Message);
        Assert.Null(error.Value); // the item is still on the server
    }

    [Fact]
    public async Task Get_names_the_key_and_server_and_leaves_the_item()
    {
        var id = Guid.NewGuid();
        var key = await WriteForeignSettingsAsync(id);

        var error = await Assert.ThrowsAsync<MemcacheFormatException>(async () => await _store.Settings.GetAsync(id));

        AssertNames(error, "get", key);
        Assert.Equal("plain text", (await _client.GetAsync(key)).AsString());
        // The connection was not reset: the next typed read on it works.
        await _store.Settings.SetAsync(id, new Settings());
        Assert.NotNull(await _store.Settings.GetAsync(id));
    }

    [Fact]
    public async Task Get_and_touch_names_the_key()
    {
        var id = Guid.NewGuid();
        var key = await WriteForeignSettingsAsync(id);

        var error = await Assert.ThrowsAsync<MemcacheFormatException>(async () => await _store.Settings.GetAndTouchAsync(id, TimeSpan.FromMinutes(5)));

        AssertNames(error, "get-and-touch", key);
    }

    [Fact]
    public async Task Get_many_names_the_key_that_failed_not_the_first()
    {
        var good = Guid.NewGuid();
        var bad = Guid.NewGuid();
        await _store.Settings.SetAsync(good, new Settings());
        var key = await WriteForeignSettingsAsync(bad);

        var error = await Assert.ThrowsAsync<MemcacheFormatException>(async () => await _store.Settings.GetManyAsync([good, Guid.NewGuid(), bad]));

        AssertNames(error, "get-many", key);
    }

    [Fact]
    public async Task Get_or_create_on_a_foreign_item_names_the_key_and_does_not_overwrite_it()
    {
        var id = Guid.NewGuid();
        var key = await WriteForeignSettingsAsync(id);
        var factoryRuns = 0;

        var error = await Assert.ThrowsAsync<MemcacheFormatException>(async () =>
            await _store.Settings.GetOrCreateAsync(id, (_, _) => { factoryRuns++; return ValueTask.FromResult(new Settings()); }));

        AssertNames(error, "get-or-create", key);
        Assert.Equal(0, factoryRuns); // a hit: the factory is not a way around a value it cannot read
        Assert.Equal("plain text", (await _client.GetAsync(key)).AsString());
    }

    [Fact]
    public async Task Mcas_get_names_the_key()
    {
        var id = Guid.NewGuid().ToString("N");
        var key = _bank.Accounts.FormatKey(id);
        await _client.SetAsync(key, "plain text", flags: MemcacheFlags.Utf8String);

        var error = await Assert.ThrowsAsync<MemcacheFormatException>(async () => await _bank.Accounts.GetAsync(id));

        Assert.Equal(key, error.Key);
        Assert.Equal(Server, error.Server);
        Assert.StartsWith($"'mcas-get' of key \"{key}\" on {Server}: Expected MessagePack for BankAccount", error.Message);
    }
}
