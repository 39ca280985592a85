using System.Text;
using Memstore.Cluster;

namespace Memstore.Tests.Cluster;

/// <summary>Every key of every configuration in the vectors libmemcached produced must land on the same server.</summary>
[Trait("Category", "Unit")]
public class VectorTests
{
    public static TheoryData<string, string> Configurations()
    {
        var data = new TheoryData<string, string>();
        foreach (string name in VectorFile.FileNames)
        {
            foreach (VectorConfig config in VectorFile.Load(name).Configs)
            {
                data.Add(name, config.Name);
            }
        }

        return data;
    }

    [Fact]
    public void Every_distribution_has_a_vector_file_with_thousands_of_keys()
    {
        foreach (string name in VectorFile.FileNames)
        {
            VectorFile file = VectorFile.Load(name);
            Assert.Equal(MemcacheDistributionNames.Parse(name), file.Distribution);
            Assert.True(file.Keys.Count >= 10_000, $"{name}: only {file.Keys.Count} keys");
            Assert.True(file.Configs.Count >= 6, $"{name}: only {file.Configs.Count} configurations");
            Assert.Contains(file.Keys, k => k.Key.Any(b => b >= 0x80));
            Assert.Contains(file.Keys, k => k.Key.Length == 250);
            Assert.Contains(file.Keys, k => k.Key.Length == 1);
        }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Ring_matches_libmemcached_for_every_key(string distributionName, string configName)
    {
        VectorFile file = VectorFile.Load(distributionName);
        int column = file.Configs.ToList().FindIndex(c => c.Name == configName);
        var ring = new HashRing(file.Configs[column].Servers, file.Distribution);

        var mismatches = new List<string>();
        foreach ((byte[] key, int[] expected) in file.Keys)
        {
            int actual = ring.Locate(key);
            if (actual != expected[column] && mismatches.Count < 5)
            {
                mismatches.Add($"{Convert.ToHexString(key)}: expected {expected[column]}, got {actual}");
            }
        }

        Assert.True(mismatches.Count == 0,
            $"{distributionName}/{configName}: keys placed differently from libmemcached:\n" + string.Join("\n", mismatches));
    }

    [Fact]
    public void String_overload_matches_the_byte_overload_for_utf8_keys()
    {
        VectorFile file = VectorFile.Load("ketama");
        var ring = new HashRing(file.Configs.First(c => c.Name == "ten-names").Servers);
        foreach ((byte[] key, _) in file.Keys.Take(2000))
        {
            string text = Encoding.UTF8.GetString(key);
            Assert.Equal(ring.Locate(key), ring.Locate(text));
        }
    }
}
