using System.IO.Compression;
using Memstore;

namespace Memstore.Tests.Cluster;

/// <summary>
/// One vector file written by tests/vectors/ring_vectors.c: "config NAME SERVERS" lines give
/// the columns, then each line is hex(key) TAB server index per config.
/// </summary>
internal sealed record VectorFile(
    MemcacheDistribution Distribution,
    IReadOnlyList<VectorConfig> Configs,
    IReadOnlyList<(byte[] Key, int[] Expected)> Keys)
{
    private static readonly Dictionary<string, VectorFile> Cache = [];

    public static IReadOnlyList<string> FileNames { get; } = MemcacheDistributionNames.All;

    public static VectorFile Load(string distributionName)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(distributionName, out VectorFile? file))
            {
                file = Read(distributionName);
                Cache[distributionName] = file;
            }

            return file;
        }
    }

    private static VectorFile Read(string distributionName)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Cluster", "Vectors", distributionName + ".tsv.gz");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        var configs = new List<VectorConfig>();
        var keys = new List<(byte[], int[])>();
        MemcacheDistribution? distribution = null;
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith("# distribution ", StringComparison.Ordinal))
            {
                distribution = MemcacheDistributionNames.Parse(line["# distribution ".Length..]);
            }
            else if (line.StartsWith('#'))
            {
                continue;
            }
            else if (line.StartsWith("config ", StringComparison.Ordinal))
            {
                string[] parts = line.Split(' ');
                configs.Add(new VectorConfig(parts[1], ServerAddress.ParseList(parts[2])));
            }
            else
            {
                string[] fields = line.Split('\t');
                Assert.Equal(configs.Count + 1, fields.Length);
                keys.Add((Convert.FromHexString(fields[0]), fields[1..].Select(int.Parse).ToArray()));
            }
        }

        Assert.NotNull(distribution);
        return new VectorFile(distribution.Value, configs, keys);
    }
}

internal sealed record VectorConfig(string Name, IReadOnlyList<ServerAddress> Servers);
