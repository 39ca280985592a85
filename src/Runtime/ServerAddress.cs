namespace Memstore;

/// <summary>A memcached server: host, port and (for weighted distributions) weight.</summary>
/// <param name="Host">Host name or IP address, as configured (used verbatim for ring placement).</param>
/// <param name="Port">TCP port.</param>
/// <param name="Weight">Relative weight for <c>ketama-weighted</c>.</param>
public readonly record struct ServerAddress(string Host, int Port = 11211, int Weight = 1)
{
    /// <summary>Parses <c>host:port,host:port</c> (temporary; replaced by the ring's parser).</summary>
    public static IReadOnlyList<ServerAddress> ParseList(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var result = new List<ServerAddress>();
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = part.LastIndexOf(':');
            result.Add(colon < 0 ? new ServerAddress(part) : new ServerAddress(part[..colon], int.Parse(part[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture)));
        }
        return result;
    }

    /// <inheritdoc />
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
