using System.Globalization;

namespace Memstore;

/// <summary>
/// A memcached server as configured: host, port and ring weight. The host string is
/// used as written to place the server on the ring (no DNS lookup), exactly as libmemcached does.
/// </summary>
/// <param name="Host">Host name or IP address; an IPv6 address without brackets.</param>
/// <param name="Port">TCP port, 1..65535; 11211 by default.</param>
/// <param name="Weight">Relative share of keys in <see cref="MemcacheDistribution.KetamaWeighted"/>; at least 1.</param>
public readonly record struct ServerAddress(string Host, int Port = ServerAddress.DefaultPort, int Weight = 1)
{
    /// <summary>memcached's default port, 11211.</summary>
    public const int DefaultPort = 11211;

    /// <summary>Host name or IP address; an IPv6 address without brackets.</summary>
    /// <exception cref="ArgumentException">The host is empty or contains whitespace, control characters, commas or brackets.</exception>
    public string Host { get; init => field = CheckHost(value); } = CheckHost(Host);

    /// <summary>TCP port, 1..65535.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The port is outside 1..65535.</exception>
    public int Port { get; init => field = CheckPort(value); } = CheckPort(Port);

    /// <summary>Relative share of keys in weighted ketama; at least 1. Other distributions ignore it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The weight is less than 1.</exception>
    public int Weight { get; init => field = CheckWeight(value); } = CheckWeight(Weight);

    /// <summary>Whether the host is an IPv6 address (written in brackets in <see cref="ToString"/>).</summary>
    public bool IsIPv6 => Host?.Contains(':', StringComparison.Ordinal) == true;

    /// <summary>The address as <c>host:port</c>, with an IPv6 host in brackets: <c>[::1]:11211</c>.</summary>
    /// <returns>The address.</returns>
    public override string ToString() =>
        IsIPv6 ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}" : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Parses <c>host</c>, <c>host:port</c> or <c>host:port:weight</c>; an IPv6 host goes in
    /// brackets: <c>[::1]:11211:2</c>.
    /// </summary>
    /// <param name="text">The address text.</param>
    /// <returns>The address.</returns>
    /// <exception cref="FormatException">The text is not a valid address; the message says why.</exception>
    public static ServerAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out ServerAddress address, out string? error) ? address : throw new FormatException(error);
    }

    /// <summary>Parses an address as <see cref="Parse(string)"/> does, without throwing.</summary>
    /// <param name="text">The address text.</param>
    /// <param name="address">The address, when valid.</param>
    /// <returns>Whether the text is a valid address.</returns>
    public static bool TryParse(string? text, out ServerAddress address) => TryParse(text, out address, out _);

    /// <summary>Parses an address as <see cref="Parse(string)"/> does, without throwing, and says what is wrong.</summary>
    /// <param name="text">The address text.</param>
    /// <param name="address">The address, when valid.</param>
    /// <param name="error">Why the text is invalid, or null when it is valid.</param>
    /// <returns>Whether the text is a valid address.</returns>
    public static bool TryParse(string? text, out ServerAddress address, out string? error)
    {
        address = default;
        error = ParseCore(text, out string host, out int port, out int weight);
        if (error is not null)
        {
            error = $"Invalid server address '{text}': {error}";
            return false;
        }

        address = new ServerAddress(host, port, weight);
        return true;
    }

    /// <summary>Parses a comma-separated list of addresses, for example <c>10.0.1.1,10.0.1.2:11212,[::1]:11211:2</c>.</summary>
    /// <param name="commaSeparated">The list; whitespace around entries is ignored.</param>
    /// <returns>The addresses in list order (order matters to the ring).</returns>
    /// <exception cref="FormatException">The list is empty or an entry is invalid; the message names the entry.</exception>
    public static IReadOnlyList<ServerAddress> ParseList(string commaSeparated)
    {
        ArgumentNullException.ThrowIfNull(commaSeparated);
        if (string.IsNullOrWhiteSpace(commaSeparated))
        {
            throw new FormatException("The server list is empty; expected host[:port[:weight]] entries separated by commas.");
        }

        string[] entries = commaSeparated.Split(',');
        var servers = new ServerAddress[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            string entry = entries[i].Trim();
            if (entry.Length == 0)
            {
                throw new FormatException($"Server list entry {i + 1} is empty in '{commaSeparated}'.");
            }

            servers[i] = TryParse(entry, out ServerAddress address, out string? error)
                ? address
                : throw new FormatException($"Server list entry {i + 1}: {error}");
        }

        return servers;
    }

    private static string? ParseCore(string? text, out string host, out int port, out int weight)
    {
        host = string.Empty;
        port = DefaultPort;
        weight = 1;
        if (string.IsNullOrWhiteSpace(text))
        {
            return "the host is empty.";
        }

        string rest;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return "missing ']' after the IPv6 address.";
            }

            host = text[1..close];
            rest = text[(close + 1)..];
            if (rest.Length > 0 && rest[0] != ':')
            {
                return "expected ':' after ']'.";
            }
        }
        else
        {
            int colon = text.IndexOf(':', StringComparison.Ordinal);
            host = colon < 0 ? text : text[..colon];
            rest = colon < 0 ? string.Empty : text[colon..];
            if (text.Contains("::", StringComparison.Ordinal) || rest.Count(c => c == ':') > 2)
            {
                return "an IPv6 address must be in brackets, for example [::1]:11211.";
            }
        }

        string? hostError = HostError(host);
        if (hostError is not null)
        {
            return hostError;
        }

        string[] numbers = rest.Length == 0 ? [] : rest[1..].Split(':');
        if (numbers.Length > 2)
        {
            return "expected host[:port[:weight]].";
        }

        if (numbers.Length >= 1 && !TryParseNumber(numbers[0], 1, 65535, out port))
        {
            return $"the port '{numbers[0]}' is not a number from 1 to 65535.";
        }

        if (numbers.Length == 2 && !TryParseNumber(numbers[1], 1, int.MaxValue, out weight))
        {
            return $"the weight '{numbers[1]}' is not a whole number of at least 1.";
        }

        return null;
    }

    private static bool TryParseNumber(string text, int min, int max, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    private static string? HostError(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return "the host is empty.";
        }

        foreach (char c in host)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is ',' or '[' or ']' or '/')
            {
                return $"the host '{host}' contains a character that is not allowed ('{c}' U+{(int)c:X4}).";
            }
        }

        return null;
    }

    private static string CheckHost(string host)
    {
        string? error = HostError(host);
        return error is null ? host : throw new ArgumentException("Invalid server host: " + error, nameof(host));
    }

    private static int CheckPort(int port) => port is >= 1 and <= 65535
        ? port
        : throw new ArgumentOutOfRangeException(nameof(port), port, "The port must be from 1 to 65535.");

    private static int CheckWeight(int weight) => weight >= 1
        ? weight
        : throw new ArgumentOutOfRangeException(nameof(weight), weight, "The weight must be at least 1.");
}
