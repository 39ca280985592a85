using Memstore.Generators.Tests.Stores;
using Memstore.Tests.Infrastructure;

namespace Memstore.Generators.Tests;

/// <summary>Stores generated at this project's build, run against a real memcached.</summary>
[Trait("Category", "Memcached")]
public sealed class StoreRoundTripTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>, IAsyncLifetime
{
    private MemcacheClient _client = null!;
    private TestStore _store = null!;

    public Task InitializeAsync()
    {
        _client = MemcacheClient.Create(fixture.Server.ConnectionString);
        _store = new TestStore(_client);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    private static Everything Sample(string text) => new(
        Flag: true, B: 200, Sb: -5, S: -300, Us: 60000, I: int.MinValue, Ui: uint.MaxValue, L: long.MinValue, Ul: ulong.MaxValue,
        F: 1.5f, D: Math.PI, M: 12345.6789m, C: 'é', Text: text, When: new DateTime(2024, 2, 29, 12, 0, 0, DateTimeKind.Utc),
        At: new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)), Span: TimeSpan.FromMinutes(90),
        Id: Guid.NewGuid(), Link: new Uri("https://example.com/a?b=c"), Blob: [0, 1, 255], Ints: [1, -2, 3],
        Strings: ["a", "", "ünïcode"], Map: new() { ["one"] = 1, ["two"] = 2 }, Set: [5, 7],
        Children: [new Nested { Label = "x", Numbers = [1, 2] }, new Nested { Label = null }], MaybeInt: null, MaybeColor: Color.Green,
        Color: Color.Blue, Child: new Nested { Label = "child", Numbers = [9] }, Point: new Point(3, -4), MaybePoint: new Point(1, 1),
        ByName: new Dictionary<string, Nested> { ["n"] = new() { Label = "by-name" } }, Region: Region.Us)
    {
        Note = "settable",
        Init = "init-only",
        Day = new DateOnly(2024, 2, 29),
        Time = new TimeOnly(23, 59, 58),
        Version = new Version(1, 2, 3),
        Longs = [long.MaxValue, -1],
        Names = new Dictionary<Color, string> { [Color.Red] = "red" },
    };

    [Fact]
    public async Task Every_supported_member_type_round_trips()
    {
        var value = Sample("round trip");
        var stored = await _store.Everything.SetAsync("e1", value);
        Assert.True(stored.Stored);

        var item = await _store.Everything.TryGetAsync("e1");
        Assert.True(item.Found);
        var read = item.Value;
        Assert.Equal(value with { Blob = read.Blob, Ints = read.Ints, Strings = read.Strings, Map = read.Map, Set = read.Set, Children = read.Children, Child = read.Child, ByName = read.ByName, Longs = read.Longs, Names = read.Names }, read);
        Assert.Equal(value.Blob, read.Blob);
        Assert.Equal(value.Ints, read.Ints);
        Assert.Equal(value.Strings, read.Strings);
        Assert.Equal(value.Map, read.Map);
        Assert.Equal(value.Set, read.Set);
        Assert.Equal(["x", null], read.Children.Select(c => c.Label));
        Assert.Equal([1, 2], read.Children[0].Numbers);
        Assert.Equal("child", read.Child.Label);
        Assert.Equal("by-name", read.ByName["n"].Label);
        Assert.Equal("settable", read.Note);
        Assert.Equal("init-only", read.Init);
        Assert.Equal((value.Day, value.Time, value.Version), (read.Day, read.Time, read.Version));
        Assert.Equal(value.Longs, read.Longs);
        Assert.Equal("red", read.Names![Color.Red]);
        Assert.Equal(item.Cas, (await _store.Everything.TryGetAsync("e1")).Cas);
    }

    [Fact]
    public async Task Classes_structs_and_user_layouts_round_trip()
    {
        var user = Guid.NewGuid();
        await _store.Settings.SetAsync(user, new Settings { Theme = "light", FontSize = 14, Plugins = ["git"] });
        var settings = await _store.Settings.GetAsync(user);
        Assert.Equal(("light", 14, "git"), (settings!.Theme, settings.FontSize, settings.Plugins![0]));

        await _store.Cards.SetAsync(-7, new Card { Name = "ace", Level = 3, Scratch = "dropped" });
        var card = await _store.Cards.GetAsync(-7);
        Assert.Equal(("ace", 3, "not stored"), (card!.Name, card.Level, card.Scratch));

        await _store.Renamed.SetAsync(ulong.MaxValue, new Renamed { Name = "r", Value = 2.5 });
        Assert.Equal(2.5, (await _store.Renamed.GetAsync(ulong.MaxValue))!.Value);

        await _store.ByColor.SetAsync(Color.Red, [new Point(1, 2), new Point(3, 4)]);
        Assert.Equal([new Point(1, 2), new Point(3, 4)], await _store.ByColor.GetAsync(Color.Red));
    }

    [Fact]
    public async Task Keys_follow_prefix_and_template_for_every_key_type()
    {
        var id = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        Assert.Equal("gt:all:abc", _store.Everything.FormatKey("abc"));
        Assert.Equal("gt:settings:00112233445566778899aabbccddeeff", _store.Settings.FormatKey(id));
        Assert.Equal("gt:card:-9223372036854775808", _store.Cards.FormatKey(long.MinValue));
        Assert.Equal("gt:renamed:18446744073709551615", _store.Renamed.FormatKey(ulong.MaxValue));
        Assert.Equal("gt:color:3", _store.ByColor.FormatKey(Color.Blue));
        Assert.Equal("gt:text:acme/-1/00112233445566778899aabbccddeeff/7", _store.Texts.FormatKey(("acme", Region.Eu, id, 7)));
        Assert.Equal("gt:hits:home", _store.Hits.FormatKey("home"));
        Assert.Throws<InvalidKeyException>(() => _store.Everything.FormatKey(new string('x', 300)));
    }

    [Fact]
    public async Task Plain_values_carry_flags_other_clients_understand()
    {
        var key = ("acme", Region.Us, Guid.NewGuid(), 1);
        await _store.Texts.SetAsync(key, "héllo");
        var raw = await _client.GetAsync(_store.Texts.FormatKey(key));
        Assert.Equal((MemcacheFlags.Utf8String, "héllo"), (raw.Flags, raw.AsString()));
        Assert.Equal("héllo", await _store.Texts.GetAsync(key));

        await _store.Blobs.SetAsync(1, [1, 2, 3]);
        raw = await _client.GetAsync(_store.Blobs.FormatKey(1));
        Assert.Equal(MemcacheFlags.Raw, raw.Flags);
        Assert.Equal(new byte[] { 1, 2, 3 }, raw.Value);

        await _store.Numbers.SetAsync(5, -42);
        raw = await _client.GetAsync(_store.Numbers.FormatKey(5));
        Assert.Equal((MemcacheFlags.Integer, "-42"), (raw.Flags, raw.AsString()));
        Assert.Equal(-42, await _store.Numbers.GetAsync(5));
        // pylibmc writes every Python integer with flags 4 (pymemcache reads them as integers): so does Memstore.
        await _client.SetAsync(_store.Numbers.FormatKey(6), "1234567890123", flags: MemcacheFlags.PythonLong);
        Assert.Equal(1234567890123, await _store.Numbers.GetAsync(6));

        await _store.Settings.SetAsync(Guid.Empty, new Settings());
        raw = await _client.GetAsync(_store.Settings.FormatKey(Guid.Empty));
        Assert.Equal(MemcacheFlags.MessagePack, raw.Flags);

        // A value written by another client in a different format is a clear error, not garbage.
        await _client.SetAsync(_store.Settings.FormatKey(Guid.Empty), "plain text", flags: MemcacheFlags.Utf8String);
        await Assert.ThrowsAsync<MemcacheFormatException>(async () => await _store.Settings.GetAsync(Guid.Empty));
    }

    [Fact]
    public async Task Counters_increment_decrement_and_read_as_decimal_text()
    {
        var page = "page-" + Guid.NewGuid().ToString("N");
        Assert.Null(await _store.Hits.GetAsync(page));
        Assert.Equal(1UL, await _store.Hits.IncrementAsync(page));
        Assert.Equal(11UL, await _store.Hits.IncrementAsync(page, 10));
        Assert.Equal(8UL, await _store.Hits.DecrementAsync(page, 3));
        Assert.Equal(8UL, await _store.Hits.GetAsync(page));
        // memcached's decr keeps the item's length, padding with spaces; any client's integer parser reads it.
        Assert.Equal("8", (await _client.GetAsync(_store.Hits.FormatKey(page))).AsString()!.TrimEnd());
        await _store.Hits.SetAsync(page, 100);
        Assert.Equal(101UL, await _client.IncrementAsync(_store.Hits.FormatKey(page)) is { } r ? r.Value : 0);
        Assert.Equal(DeleteStatus.Deleted, await _store.Hits.DeleteAsync(page));
    }

    [Fact]
    public async Task Get_or_create_computes_a_typed_value_once_and_reads_it_back()
    {
        var key = "goc-" + Guid.NewGuid().ToString("N");
        var calls = 0;
        ValueTask<Everything> Load(string id, CancellationToken _)
        {
            calls++;
            return ValueTask.FromResult(Sample("loaded " + id));
        }
        var made = await _store.Everything.GetOrCreateAsync(key, Load);
        var read = await _store.Everything.GetOrCreateAsync(key, Load);
        Assert.Equal(1, calls);
        Assert.Equal("loaded " + key, made.Text);
        Assert.Equal(made.Text, read.Text);
        Assert.Equal(made.M, read.M);
        Assert.Equal("loaded " + key, (await _store.Everything.GetAsync(key))!.Text); // stored with the codec's flags

        Assert.True(await _store.Everything.InvalidateAsync(key, TimeSpan.FromSeconds(30)));
        var refreshed = await _store.Everything.GetOrCreateAsync(key, (id, _) => ValueTask.FromResult(Sample("refreshed")));
        Assert.Equal("refreshed", refreshed.Text); // this caller held the lease on the stale value
        Assert.Equal("refreshed", (await _store.Everything.GetAsync(key))!.Text);
    }

    [Fact]
    public async Task Miss_add_replace_delete()
    {
        Assert.False((await _store.Everything.TryGetAsync("absent")).Found);
        Assert.Null(await _store.Everything.GetAsync("absent"));
        Assert.Equal(StoreStatus.NotStored, (await _store.Everything.ReplaceAsync("e-arp", Sample("r"))).Status);
        Assert.Equal(StoreStatus.Stored, (await _store.Everything.AddAsync("e-arp", Sample("a"))).Status);
        Assert.Equal(StoreStatus.NotStored, (await _store.Everything.AddAsync("e-arp", Sample("b"))).Status);
        Assert.Equal(StoreStatus.Stored, (await _store.Everything.ReplaceAsync("e-arp", Sample("c"))).Status);
        Assert.Equal("c", (await _store.Everything.GetAsync("e-arp"))!.Text);
        Assert.Equal(DeleteStatus.Deleted, await _store.Everything.DeleteAsync("e-arp"));
        Assert.Equal(DeleteStatus.NotFound, await _store.Everything.DeleteAsync("e-arp"));
    }

    [Fact]
    public async Task Compare_and_set_with_the_token_of_a_typed_read()
    {
        await _store.Everything.SetAsync("e-cas", Sample("v1"));
        var read = await _store.Everything.TryGetAsync("e-cas");
        var first = await _store.Everything.CompareAndSetAsync("e-cas", read.Value! with { Text = "v2" }, read.Cas);
        var conflict = await _store.Everything.CompareAndSetAsync("e-cas", read.Value! with { Text = "v3" }, read.Cas);
        Assert.Equal(StoreStatus.Stored, first.Status);
        Assert.Equal(StoreStatus.Exists, conflict.Status);
        Assert.Equal("v2", (await _store.Everything.GetAsync("e-cas"))!.Text);
        Assert.Equal(DeleteStatus.Exists, await _store.Everything.DeleteAsync("e-cas", read.Cas));
    }

    [Fact]
    public async Task Get_many_returns_hits_and_misses_in_order()
    {
        await _store.Cards.SetAsync(100, new Card { Name = "a" });
        await _store.Cards.SetAsync(102, new Card { Name = "c" });
        var items = await _store.Cards.GetManyAsync([100, 101, 102]);
        Assert.Equal(["a", null, "c"], items.Select(i => i.Found ? i.Value.Name : null));
        Assert.True(items[0].Cas.HasValue);
    }

    [Fact]
    public async Task Typed_deques_push_and_pop_through_the_codec()
    {
        var bank = new Outer.BankStore(_client);
        Assert.Equal("bank:transfers", bank.Transfers.Name);
        // Operations bind on first use: the deque must exist.
        await Assert.ThrowsAsync<Memstore.Collections.DequeNameException>(async () => await new TypedDeque<string>(_client, "gen:deque:" + Guid.NewGuid().ToString("N"), Memstore.Serialization.Utf8StringCodec.Instance).PushRightAsync("x"));

        await bank.Transfers.CreateOrBindAsync();
        while ((await bank.Transfers.TryPopLeftAsync()).Success)
        {
        }
        Assert.True(await bank.Transfers.IsEmptyAsync());
        await bank.Transfers.PushRightAsync(new ProfileV1("b", 1));
        await bank.Transfers.PushLeftAsync(new ProfileV1("a", 1));
        await bank.Transfers.PushRightAsync(new ProfileV1("c", 1));

        // Another store over the same client binds to the same deque.
        var other = new Outer.BankStore(_client);
        Assert.False(await other.Transfers.CreateOrBindAsync());
        Assert.Equal("a", (await other.Transfers.TryPopLeftAsync()).Value!.Name);
        Assert.Equal("c", (await bank.Transfers.TryPopRightAsync()).Value!.Name);
        var last = await bank.Transfers.TryPopLeftAsync();
        Assert.True(last.Success);
        Assert.Equal("b", last.Value!.Name);
        Assert.Equal(default, await bank.Transfers.TryPopLeftAsync());
        await Assert.ThrowsAsync<Memstore.Collections.DequeNameException>(async () => await bank.Transfers.CreateAsync());
    }

    [Fact]
    public async Task Ttl_expires_items_and_touch_extends_them()
    {
        await _store.ShortLived.SetAsync(1, "gone soon");
        await _store.ShortLived.SetAsync(2, "kept");
        Assert.True(await _store.ShortLived.TouchAsync(2, TimeSpan.FromMinutes(1)));
        var touched = await _store.ShortLived.GetAndTouchAsync(2, TimeSpan.FromMinutes(1));
        Assert.Equal("kept", touched.Value);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.False((await _store.ShortLived.TryGetAsync(1)).Found);
        Assert.Equal("kept", await _store.ShortLived.GetAsync(2));
        Assert.False(await _store.ShortLived.TouchAsync(1));
    }

    [Fact]
    public async Task Mcas_members_are_mcas_keyspaces_and_deques_are_typed_deques()
    {
        var bank = new Outer.BankStore(_client);
        Assert.IsAssignableFrom<McasKeyspace<string, ProfileV1>>(bank.Accounts);
        Assert.Equal("bank:acct:x", bank.Accounts.FormatKey("x"));
        Assert.False((await bank.Owners.GetAsync(Guid.NewGuid())).Exists);
        Assert.Equal("bank:jobs", bank.Jobs.Name);
        await bank.Audit.SetAsync(1, "ok");
        Assert.Equal("ok", await bank.Audit.GetAsync(1));
    }
}
