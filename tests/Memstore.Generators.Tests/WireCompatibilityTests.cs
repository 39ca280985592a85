using MessagePack;
using MessagePack.Resolvers;
using Memstore.Generators.Tests.Stores;

namespace Memstore.Generators.Tests;

/// <summary>Generated formatters and MessagePack's own contractless resolver read each other's bytes.</summary>
[Trait("Category", "Unit")]
public sealed class WireCompatibilityTests
{
    private static readonly MessagePackSerializerOptions Generated =
        MessagePackSerializerOptions.Standard.WithResolver(Memstore.Generated.MemstoreResolver.Instance);
    private static readonly MessagePackSerializerOptions Contractless =
        MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance);

    [Fact]
    public void Contractless_reads_generated_bytes_and_back()
    {
        var settings = new Settings { Theme = "solar", FontSize = 20, Plugins = ["a", "b"] };
        var fromGenerated = MessagePackSerializer.Deserialize<Settings>(MessagePackSerializer.Serialize(settings, Generated), Contractless);
        var fromContractless = MessagePackSerializer.Deserialize<Settings>(MessagePackSerializer.Serialize(settings, Contractless), Generated);
        foreach (var read in new[] { fromGenerated, fromContractless })
        {
            Assert.Equal(("solar", 20), (read.Theme, read.FontSize));
            Assert.Equal(["a", "b"], read.Plugins!);
        }

        var card = new Card { Name = "ace", Level = 4 };
        var standard = MessagePackSerializerOptions.Standard;
        Assert.Equal(MessagePackSerializer.Serialize(card, standard), MessagePackSerializer.Serialize(card, Generated));
        Assert.Equal(4, MessagePackSerializer.Deserialize<Card>(MessagePackSerializer.Serialize(card, standard), Generated).Level);
    }

    [Fact]
    public void Map_layout_writes_member_names_in_declaration_order()
    {
        var bytes = MessagePackSerializer.Serialize(new ProfileV1("ada", 36), Generated);
        Assert.Equal("{\"Name\":\"ada\",\"Age\":36}", MessagePackSerializer.ConvertToJson(bytes));
    }
}
