using System.Globalization;
using Memstore.Cluster;

namespace Memstore.Cli.Commands;

/// <summary>
/// The options every server command shares (<c>--servers</c>, <c>--distribution</c>, <c>--timeout</c>),
/// their parsing into <see cref="MemcacheClientOptions"/>, and number parsing for command options.
/// Every mistake becomes a <see cref="UsageException"/> (exit code 2).
/// </summary>
internal static class ClusterOptions
{
    /// <summary>The CLI's default for <c>--timeout</c>, in milliseconds (the client library's default).</summary>
    public const int DefaultTimeoutMilliseconds = 2000;

    /// <summary>Help lines for the shared options, for a command's usage text.</summary>
    public const string UsageLines =
        "  -s, --servers LIST         comma-separated host[:port[:weight]], IPv6 as [::1]:11211\n"
        + "  -d, --distribution NAME    ketama (default), ketama-weighted, ketama-pre1010, modula\n"
        + "  -t, --timeout MS           connect and operation timeout in milliseconds (default 2000)\n"
        + SecurityOptions.UsageLines
        + "  -h, --help                 show this help\n";

    /// <summary><c>--servers LIST</c>.</summary>
    public static readonly OptionSpec Servers = new("--servers", "-s", "LIST");

    /// <summary><c>--distribution NAME</c>.</summary>
    public static readonly OptionSpec Distribution = new("--distribution", "-d", "NAME");

    /// <summary><c>--timeout MS</c>.</summary>
    public static readonly OptionSpec Timeout = new("--timeout", "-t", "MS");

    /// <summary>Parses a server command's arguments: the shared options plus <paramref name="extra"/>.</summary>
    public static ParsedArguments Parse(IReadOnlyList<string> arguments, params OptionSpec[] extra) =>
        ParsedArguments.Parse(arguments, [Servers, Distribution, Timeout, .. SecurityOptions.All, .. extra]);

    /// <summary>The server list of <c>--servers</c>, which is required.</summary>
    public static IReadOnlyList<ServerAddress> ParseServers(ParsedArguments parsed)
    {
        string servers = parsed.Value(Servers.Name)
            ?? throw new UsageException("Missing --servers LIST, for example --servers 10.0.0.1:11211,10.0.0.2:11211.");
        try
        {
            return ServerAddress.ParseList(servers);
        }
        catch (FormatException error)
        {
            throw new UsageException(error.Message, error);
        }
    }

    /// <summary>The distribution of <c>--distribution</c>, ketama when absent.</summary>
    public static MemcacheDistribution ParseDistribution(ParsedArguments parsed)
    {
        string? name = parsed.Value(Distribution.Name);
        if (name is null)
        {
            return MemcacheDistribution.Ketama;
        }

        return MemcacheDistributionNames.TryParse(name, out MemcacheDistribution distribution)
            ? distribution
            : throw new UsageException($"Unknown distribution '{name}'. Valid values: {string.Join(", ", MemcacheDistributionNames.All)}.");
    }

    /// <summary>
    /// Client options for the shared options: servers, distribution, both timeouts from <c>--timeout</c>, TLS and
    /// authentication (<see cref="SecurityOptions"/>, whose warnings go to <paramref name="warnings"/>).
    /// </summary>
    public static MemcacheClientOptions ClientOptions(ParsedArguments parsed, TextWriter warnings)
    {
        IReadOnlyList<ServerAddress> servers = ParseServers(parsed);
        var timeout = TimeSpan.FromMilliseconds(
            ParseNumber(parsed, Timeout, DefaultTimeoutMilliseconds, minimum: 1, maximum: int.MaxValue));
        var options = new MemcacheClientOptions
        {
            Distribution = ParseDistribution(parsed),
            OperationTimeout = timeout,
            ConnectTimeout = timeout,
        };
        var seen = new HashSet<(string Host, int Port)>();
        foreach (ServerAddress server in servers)
        {
            if (!seen.Add((server.Host.ToUpperInvariant(), server.Port)))
            {
                throw new UsageException($"--servers lists {server} twice.");
            }

            options.Servers.Add(server);
        }

        SecurityOptions.Apply(parsed, options, warnings);
        try
        {
            options.Validate();
        }
        catch (ArgumentException error)
        {
            throw new UsageException(Failures.UsageMessage(error), error);
        }

        return options;
    }

    /// <summary>Options for a client of one server of <paramref name="cluster"/>, with the same timeouts, TLS and credentials.</summary>
    public static MemcacheClientOptions ForServer(MemcacheClientOptions cluster, ServerAddress server)
    {
        var options = new MemcacheClientOptions
        {
            OperationTimeout = cluster.OperationTimeout,
            ConnectTimeout = cluster.ConnectTimeout,
        };
        SecurityOptions.Copy(cluster, options);
        options.Servers.Add(server);
        return options;
    }

    /// <summary>The whole-number value of <paramref name="option"/>, or <paramref name="absent"/> when it was not given.</summary>
    public static long ParseNumber(ParsedArguments parsed, OptionSpec option, long absent, long minimum, long maximum)
    {
        string? text = parsed.Value(option.Name);
        if (text is null)
        {
            return absent;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value < minimum || value > maximum)
        {
            throw new UsageException(string.Create(
                CultureInfo.InvariantCulture,
                $"Option '{option.Name}' needs a whole number from {minimum} to {maximum}; '{text}' is not."));
        }

        return value;
    }
}
