namespace Memstore.Tests.Cluster;

[Trait("Category", "Unit")]
public class DistributionNameTests
{
    [Theory]
    [InlineData("ketama", MemcacheDistribution.Ketama)]
    [InlineData("KETAMA", MemcacheDistribution.Ketama)]
    [InlineData("Ketama-Weighted", MemcacheDistribution.KetamaWeighted)]
    [InlineData("ketama-pre1010", MemcacheDistribution.KetamaPre1010)]
    [InlineData(" modula ", MemcacheDistribution.Modula)]
    public void Parses_names_case_insensitively(string name, MemcacheDistribution expected)
    {
        Assert.Equal(expected, MemcacheDistributionNames.Parse(name));
        Assert.True(MemcacheDistributionNames.TryParse(name, out MemcacheDistribution parsed));
        Assert.Equal(expected, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("consistent")]
    [InlineData("ketama_weighted")]
    [InlineData("modulo")]
    public void Rejects_unknown_names_listing_the_valid_ones(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => MemcacheDistributionNames.Parse(name));
        Assert.Contains($"Unknown distribution '{name}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ketama, ketama-weighted, ketama-pre1010, modula", error.Message, StringComparison.Ordinal);
        Assert.False(MemcacheDistributionNames.TryParse(name, out _));
    }

    [Fact]
    public void Names_round_trip()
    {
        foreach (MemcacheDistribution distribution in Enum.GetValues<MemcacheDistribution>())
        {
            Assert.Equal(distribution, MemcacheDistributionNames.Parse(distribution.ToName()));
        }

        Assert.Equal(MemcacheDistribution.Ketama, default(MemcacheDistribution));
        Assert.Throws<ArgumentOutOfRangeException>(() => ((MemcacheDistribution)9).ToName());
    }
}
