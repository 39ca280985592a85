using Memstore.Generators.Tests.Stores;
using Memstore.Tests.Infrastructure;

namespace Memstore.Generators.Tests;

/// <summary>Two deploys share a keyspace with different versions of its value type: both directions still read.</summary>
[Trait("Category", "Memcached")]
public sealed class EvolutionTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>
{
    /// <summary>What the other deploy sees: the item's bytes and flags as stored, under the other store's key.</summary>
    private static async Task CopyAsync(MemcacheClient client, string from, string to)
    {
        var item = await client.GetAsync(from);
        Assert.True(item.Found);
        Assert.True((await client.SetAsync(to, item.Value, flags: item.Flags)).Stored);
    }

    [Fact]
    public async Task Map_layout_reads_old_values_with_new_type_and_new_values_with_old_type()
    {
        await using var client = MemcacheClient.Create(fixture.Server.ConnectionString);
        var v1 = new EvolutionV1Store(client);
        var v2 = new EvolutionV2Store(client);
        // Old writer, new reader: the removed member is skipped, added members take their defaults.
        await v1.Profiles.SetAsync(1, new ProfileV1("ada", 36));
        await CopyAsync(client, v1.Profiles.FormatKey(1), v2.Profiles.FormatKey(1));
        var upgraded = await v2.Profiles.GetAsync(1);
        Assert.Equal("ada", upgraded!.Name);
        Assert.Equal("none@example.com", upgraded.Email);
        Assert.Equal(["default"], upgraded.Tags);

        // New writer, old reader: unknown members are skipped, the missing one is default.
        await v2.Profiles.SetAsync(2, new ProfileV2("bob", "bob@example.com") { Tags = ["x"] });
        await CopyAsync(client, v2.Profiles.FormatKey(2), v1.Profiles.FormatKey(2));
        var downgraded = await v1.Profiles.GetAsync(2);
        Assert.Equal(new ProfileV1("bob", 0), downgraded);
    }

    [Fact]
    public async Task Int_key_layout_skips_unknown_indexes_both_ways()
    {
        await using var client = MemcacheClient.Create(fixture.Server.ConnectionString);
        var v1 = new EvolutionV1Store(client);
        var v2 = new EvolutionV2Store(client);

        await v1.Cards.SetAsync(1, new CardV1 { Name = "old", Level = 9 });
        await CopyAsync(client, v1.Cards.FormatKey(1), v2.Cards.FormatKey(1));
        var upgraded = await v2.Cards.GetAsync(1);
        Assert.Equal(("old", Color.Blue), (upgraded!.Name, upgraded.Color));

        await v2.Cards.SetAsync(2, new CardV2 { Name = "new", Color = Color.Red });
        await CopyAsync(client, v2.Cards.FormatKey(2), v1.Cards.FormatKey(2));
        var downgraded = await v1.Cards.GetAsync(2);
        Assert.Equal(("new", 0), (downgraded!.Name, downgraded.Level));
    }
}
