using Memstore.Generators.Tests.Infrastructure;
using System.Reflection;
using Memstore.Generators.Tests.Stores;
using Memstore.Mcas;
using Memstore.Tests.Infrastructure;

namespace Memstore.Generators.Tests;

/// <summary>Generated [McasGroup] keyspaces and store transactions, run against a real memcached.</summary>
[Trait("Category", "Memcached")]
public sealed class McasStoreTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>, IAsyncLifetime
{
    private MemcacheClient _client = null!;
    private McasBankStore _store = null!;

    public Task InitializeAsync()
    {
        _client = MemcacheClient.Create(fixture.Server.ConnectionString);
        _store = new McasBankStore(_client);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    private static string NewId() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Get_of_an_absent_key_is_a_typed_absent_item()
    {
        var item = await _store.Accounts.GetAsync(NewId());
        Assert.False(item.Exists);
        Assert.Null(item.Value);
        Assert.False(item.TryGetValue(out _));
    }

    [Fact]
    public async Task Set_and_delete_go_through_mcas_and_read_back_typed()
    {
        var id = NewId();
        await _store.Accounts.SetAsync(id, new BankAccount("ann", 100));
        var item = await _store.Accounts.GetAsync(id);
        Assert.True(item.Exists);
        Assert.Equal(new BankAccount("ann", 100), item.Value);
        Assert.Equal("mbank:acct:" + id, item.Key);
        Assert.Equal(MemcacheFlags.MessagePack, _store.Accounts.Flags);

        // The stored bytes are the plain MessagePack value once the commit has finished.
        var raw = await _client.GetAsync(_store.Accounts.FormatKey(id));
        Assert.Equal(MemcacheFlags.MessagePack, raw.Flags);

        Assert.True(await _store.Accounts.DeleteAsync(id));
        Assert.False((await _store.Accounts.GetAsync(id)).Exists);
        Assert.False(await _store.Accounts.DeleteAsync(id));
    }

    [Fact]
    public async Task TrySet_commits_against_the_item_read_and_reports_a_conflict()
    {
        var id = NewId();
        var absent = await _store.Accounts.GetAsync(id);
        Assert.True(await _store.Accounts.TrySetAsync(absent, new BankAccount("bob", 1)));
        // The absent entry is stale now: someone (we) created the item.
        Assert.False(await _store.Accounts.TrySetAsync(absent, new BankAccount("eve", 999)));

        var read = await _store.Accounts.GetAsync(id);
        Assert.True(await _store.Accounts.TrySetAsync(read, read.Value! with { Balance = 2 }));
        Assert.False(await _store.Accounts.TrySetAsync(read, read.Value! with { Balance = 3 }));
        Assert.False(await _store.Accounts.TryDeleteAsync(read));
        Assert.Equal(2, (await _store.Accounts.GetAsync(id)).Value!.Balance);

        var latest = await _store.Accounts.GetAsync(id);
        Assert.True(await _store.Accounts.TryDeleteAsync(latest));
        Assert.False((await _store.Accounts.GetAsync(id)).Exists);
    }

    [Fact]
    public async Task Transfers_in_store_transactions_keep_the_total()
    {
        var (a, b) = (NewId(), NewId());
        var total = (1, "eu-" + NewId());
        await _store.TransactAsync(async (tx, ct) =>
        {
            await tx.Accounts.GetAsync(a, ct);
            await tx.Accounts.GetAsync(b, ct);
            await tx.Totals.GetAsync(total, ct);
            tx.Accounts.Set(a, new BankAccount("a", 100));
            tx.Accounts.Set(b, new BankAccount("b", 0));
            tx.Totals.Set(total, 100);
        });

        async Task Transfer(string from, string to, long amount) =>
            await _store.TransactAsync(async (tx, ct) =>
            {
                var source = (await tx.Accounts.GetAsync(from, ct)).Value!;
                var target = (await tx.Accounts.GetAsync(to, ct)).Value!;
                tx.Accounts.Set(from, source with { Balance = source.Balance - amount });
                tx.Accounts.Set(to, target with { Balance = target.Balance + amount });
            });

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? Transfer(a, b, 3) : Transfer(b, a, 1)));

        var sum = await _store.TransactAsync(async (tx, ct) =>
            (await tx.Accounts.GetAsync(a, ct)).Value!.Balance + (await tx.Accounts.GetAsync(b, ct)).Value!.Balance);
        Assert.Equal(100, sum);
        Assert.Equal(100 - 10 * 3 + 10, (await _store.Accounts.GetAsync(a)).Value!.Balance);
        Assert.Equal(100, (await _store.Totals.GetAsync(total)).Value);
        Assert.Equal($"mbank:Totals:1:{total.Item2}", _store.Totals.FormatKey(total));
    }

    [Fact]
    public async Task A_transaction_that_loses_a_race_runs_again_with_fresh_reads()
    {
        var id = NewId();
        await _store.Accounts.SetAsync(id, new BankAccount("c", 10));
        var attempts = new List<int>();
        var result = await _store.TransactAsync(async (tx, ct) =>
        {
            attempts.Add(tx.Attempt);
            var item = await tx.Accounts.GetAsync(id, ct);
            if (tx.Attempt == 1)
            {
                // Someone else commits between our read and our commit.
                var outside = await _store.Accounts.GetAsync(id, ct);
                Assert.True(await _store.Accounts.TrySetAsync(outside, outside.Value! with { Balance = 50 }, cancellationToken: ct));
            }
            tx.Accounts.Set(id, item.Value! with { Balance = item.Value.Balance + 1 });
            return item.Value.Balance + 1;
        });
        Assert.Equal(51, result);
        Assert.Equal([1, 2], attempts);
        Assert.Equal(51, (await _store.Accounts.GetAsync(id)).Value!.Balance);
    }

    [Fact]
    public async Task The_store_can_share_an_mcas_client_and_update_runs_a_read_modify_write()
    {
        var mcas = new McasClient(_client);
        var store = new McasBankStore(mcas);
        Assert.Same(mcas, store.Accounts.Mcas);
        Assert.Same(_client, store.Client);
        var id = NewId();
        var written = await store.Accounts.UpdateAsync(id, item => item.Exists ? item.Value! with { Balance = item.Value.Balance + 1 } : new BankAccount("d", 1));
        Assert.Equal(1, written.Balance);
        written = await store.Accounts.UpdateAsync(id, item => item.Value! with { Balance = item.Value.Balance + 1 });
        Assert.Equal(2, (await _store.Accounts.GetAsync(id)).Value!.Balance);
        await mcas.DisposeAsync();
    }

    [Fact]
    public void The_mcas_keyspace_has_no_plain_accessors()
    {
        var type = _store.Accounts.GetType();
        Assert.True(type.IsSubclassOf(typeof(McasKeyspace<string, BankAccount>)));
        Assert.False(typeof(Keyspace<string, BankAccount>).IsAssignableFrom(type));
        var names = type.GetMethods(BindingFlags.Public | BindingFlags.Instance).Select(m => m.Name).ToHashSet();
        foreach (var plain in new[] { "TryGetAsync", "GetAndTouchAsync", "AddAsync", "ReplaceAsync", "StoreAsync", "CompareAndSetAsync", "TouchAsync" })
        {
            Assert.DoesNotContain(plain, names);
        }
        Assert.DoesNotContain(type.GetProperties(), p => p.PropertyType == typeof(MemcacheClient));
        // Every read returns an MCAS item, every write commits through MCAS.
        Assert.All(type.GetMethods(BindingFlags.Public | BindingFlags.Instance).Where(m => m.Name == "GetAsync"),
            m => Assert.Equal(typeof(ValueTask<McasItem<BankAccount>>), m.ReturnType));
        Assert.NotNull(type.GetMethod("TrySetAsync")!.GetCustomAttribute<McasCommitAttribute>());
        Assert.NotNull(type.GetMethod("TryDeleteAsync")!.GetCustomAttribute<McasCommitAttribute>());
    }

    [Fact]
    public void The_assembly_carries_a_keyspace_manifest_for_every_keyspace()
    {
        var manifest = typeof(McasBankStore).Assembly.GetCustomAttributes<MemstoreKeyspaceManifestAttribute>()
            .Where(m => m.Store == typeof(McasBankStore).FullName)
            .Select(m => (m.KeyTemplate, m.Member, m.McasManaged)).OrderBy(m => m.Member).ToArray();
        Assert.Equal(
        [
            ("mbank:acct:{id}", "Accounts", true),
            ("mbank:note:{id}", "Notes", false),
            ("mbank:Totals:{Region}:{Name}", "Totals", true),
        ], manifest);
        var bank = typeof(McasBankStore).Assembly.GetCustomAttributes<MemstoreKeyspaceManifestAttribute>()
            .Where(m => m.Store == "Memstore.Generators.Tests.Stores.Outer.BankStore").Select(m => (m.KeyTemplate, m.McasManaged)).OrderBy(m => m.KeyTemplate);
        Assert.Equal([("bank:acct:{id}", true), ("bank:audit:{id}", false), ("bank:owner:{id}", true)], bank);
    }

    [Fact]
    public void A_compiled_store_carries_its_manifest_in_the_emitted_assembly()
    {
        var result = GeneratorHarness.RunClean("""
            using Memstore;
            namespace Bank;
            [MemcacheStore(Prefix = "bank:")]
            public partial class BankStore
            {
                [McasGroup("acct:{id}")]
                public partial McasKeyspace<string, long> Accounts { get; }

                [Keyspace("log:{day}:{n}")]
                public partial Keyspace<(int Day, int N), string> Log { get; }

                [Counter("hits:{page}")]
                public partial CounterKeyspace<string> Hits { get; }
            }
            """);
        using var image = new MemoryStream();
        var emit = result.Output.Emit(image);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        var assembly = Assembly.Load(image.ToArray());
        var manifest = assembly.GetCustomAttributes<MemstoreKeyspaceManifestAttribute>()
            .Select(m => (m.KeyTemplate, m.Store, m.Member, m.McasManaged)).OrderBy(m => m.Member).ToArray();
        Assert.Equal(
        [
            ("bank:acct:{id}", "Bank.BankStore", "Accounts", true),
            ("bank:hits:{page}", "Bank.BankStore", "Hits", false),
            ("bank:log:{day}:{n}", "Bank.BankStore", "Log", false),
        ], manifest);
    }
}
