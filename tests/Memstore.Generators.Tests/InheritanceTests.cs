using MessagePack;
using MessagePack.Resolvers;
using Memstore.Generators.Tests.Stores;
using Memstore.Tests.Infrastructure;

namespace Memstore.Generators.Tests;

/// <summary>Value types with base types keep every member: the same bytes as MessagePack's contractless resolver, and back.</summary>
[Trait("Category", "Memcached")]
public sealed class InheritanceTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>
{
    private static readonly MessagePackSerializerOptions Generated =
        MessagePackSerializerOptions.Standard.WithResolver(Memstore.Generated.MemstoreResolver.Instance);
    private static readonly MessagePackSerializerOptions Contractless =
        MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance);

    private static Puppy SamplePuppy() => new() { Name = "rex", Legs = 4, Born = 2024, Breed = "lab", GoodBoy = true, AgeInWeeks = 9 };

    private static Director SampleDirector() => new("ann", 12, "east") { Assistant = "bo" };

    private static Square SampleSquare() => new() { Id = 7, Kind = "big square", Scale = 2.5, Side = 3 };

    private static Relabelled SampleRelabelled()
    {
        var value = new Relabelled { Label = "derived label", Weight = 1L << 40 };
        ((Labelled)value).Weight = 5;
        return value;
    }

    /// <summary>Same bytes both ways, and each reads the other's.</summary>
    private static T AgreeWithContractless<T>(T value, string expectedJson)
    {
        var generated = MessagePackSerializer.Serialize(value, Generated);
        var contractless = MessagePackSerializer.Serialize(value, Contractless);
        Assert.Equal(expectedJson, MessagePackSerializer.ConvertToJson(generated));
        Assert.Equal(Convert.ToHexString(contractless), Convert.ToHexString(generated));
        var back = MessagePackSerializer.Deserialize<T>(contractless, Generated);
        Assert.Equal(Convert.ToHexString(generated), Convert.ToHexString(MessagePackSerializer.Serialize(back, Generated)));
        var viaContractless = MessagePackSerializer.Deserialize<T>(generated, Contractless);
        Assert.Equal(Convert.ToHexString(generated), Convert.ToHexString(MessagePackSerializer.Serialize(viaContractless, Contractless)));
        return back;
    }

    [Fact]
    public void Three_levels_of_classes_store_base_members_first()
    {
        var back = AgreeWithContractless(SamplePuppy(),
            "{\"Name\":\"rex\",\"Legs\":4,\"Born\":2024,\"Breed\":\"lab\",\"GoodBoy\":true,\"AgeInWeeks\":9}");
        Assert.Equal(("rex", 4, 2024, "lab", true, 9), (back.Name, back.Legs, back.Born, back.Breed, back.GoodBoy, back.AgeInWeeks));
    }

    [Fact]
    public void Records_deriving_records_go_through_the_derived_constructor()
    {
        var back = AgreeWithContractless(SampleDirector(), "{\"Name\":\"ann\",\"Reports\":12,\"Division\":\"east\",\"Assistant\":\"bo\"}");
        Assert.Equal(SampleDirector(), back);
    }

    [Fact]
    public void Abstract_bases_with_overridden_members_store_the_concrete_values()
    {
        // An override belongs to the derived level, as reflection (and so MessagePack) sees it; Scale, not overridden, to the base.
        var back = AgreeWithContractless(SampleSquare(), "{\"Id\":7,\"Scale\":2.5,\"Kind\":\"big square\",\"Side\":3}");
        Assert.Equal((7, "big square", 2.5, 3.0), (back.Id, back.Kind, back.Scale, back.Side));
    }

    [Fact]
    public void New_members_hide_same_typed_base_members_and_keep_differently_typed_ones()
    {
        var back = AgreeWithContractless(SampleRelabelled(),
            "{\"Weight\":5,\"Memstore.Generators.Tests.Stores.Relabelled.Weight\":1099511627776,\"Label\":\"derived label\"}");
        Assert.Equal(("derived label", 1L << 40, 5), (back.Label, back.Weight, ((Labelled)back).Weight));
    }

    [Fact]
    public async Task Derived_values_round_trip_through_memcached()
    {
        await using var client = MemcacheClient.Create(fixture.Server.ConnectionString);
        var store = new InheritanceStore(client);
        await store.Puppies.SetAsync(1, SamplePuppy());
        await store.Directors.SetAsync(1, SampleDirector());
        await store.Squares.SetAsync(1, SampleSquare());
        await store.Relabelled.SetAsync(1, SampleRelabelled());

        var puppy = (await store.Puppies.GetAsync(1))!;
        Assert.Equal(("rex", 4, 2024, "lab", true, 9), (puppy.Name, puppy.Legs, puppy.Born, puppy.Breed, puppy.GoodBoy, puppy.AgeInWeeks));
        Assert.Equal(SampleDirector(), await store.Directors.GetAsync(1));
        var square = (await store.Squares.GetAsync(1))!;
        Assert.Equal((7, "big square", 2.5, 3.0), (square.Id, square.Kind, square.Scale, square.Side));
        var relabelled = (await store.Relabelled.GetAsync(1))!;
        Assert.Equal(("derived label", 1L << 40, 5), (relabelled.Label, relabelled.Weight, ((Labelled)relabelled).Weight));
    }

    [Fact]
    public async Task A_base_class_keyspace_reads_what_a_derived_one_wrote_where_members_agree()
    {
        // Map layout by name: a Dog reader skips the Puppy-only member and keeps the rest.
        await using var client = MemcacheClient.Create(fixture.Server.ConnectionString);
        var store = new InheritanceStore(client);
        await store.Puppies.SetAsync(2, SamplePuppy());
        var item = await client.GetAsync(store.Puppies.FormatKey(2));
        await client.SetAsync(store.Dogs.FormatKey(2), item.Value, flags: item.Flags);
        var dog = (await store.Dogs.GetAsync(2))!;
        Assert.Equal(("rex", 4, 2024, "lab", true), (dog.Name, dog.Legs, dog.Born, dog.Breed, dog.GoodBoy));
    }
}
