using System.CommandLine;
using System.CommandLine.Parsing;
using Memstore.Cluster;

using Memstore.Cli.Commands;

namespace Memstore.Cli.Options;

/// <summary>
/// The options every server command shares: <c>--servers</c>, <c>--distribution</c>, <c>--timeout</c> and, for
/// commands that connect, the TLS and authentication options of <see cref="SecurityOptions"/>; and how they become
/// <see cref="MemcacheClientOptions"/>. Each command gets its own instances (an option belongs to one command).
/// </summary>
internal sealed class ClusterOptions
{
    /// <summary>The CLI's default for <c>--timeout</c>, in milliseconds (the client library's default).</summary>
    public const int DefaultTimeoutMilliseconds = 2000;

    private readonly bool _connects;

    /// <summary>Creates the options; <paramref name="connects"/> adds timeout, TLS and authentication.</summary>
    /// <param name="connects">Whether the command talks to the servers (every command but <c>locate</c>).</param>
    public ClusterOptions(bool connects = true)
    {
        _connects = connects;
        Servers = new Option<IReadOnlyList<ServerAddress>>("--servers", "-s")
        {
            HelpName = "LIST",
            Description = connects
                ? "comma-separated host[:port[:weight]], IPv6 as [::1]:11211 (required)"
                : "comma-separated host[:port[:weight]], IPv6 as [::1]:11211; the order matters, as in libmemcached (required)",
            CustomParser = result => ParseServers(result, rejectRepeats: connects),
        };
        Distribution = new Option<MemcacheDistribution>("--distribution", "-d")
        {
            HelpName = "NAME",
            Description = "ketama (default), ketama-weighted, ketama-pre1010, modula",
            CustomParser = ParseDistribution,
        };
        Timeout = OptionFactory.Number(
            "--timeout", "-t", "MS", "connect and operation timeout in milliseconds",
            DefaultTimeoutMilliseconds, minimum: 1, maximum: int.MaxValue);
    }

    /// <summary><c>--servers LIST</c>.</summary>
    public Option<IReadOnlyList<ServerAddress>> Servers { get; }

    /// <summary><c>--distribution NAME</c>.</summary>
    public Option<MemcacheDistribution> Distribution { get; }

    /// <summary><c>--timeout MS</c>.</summary>
    public Option<long> Timeout { get; }

    /// <summary>TLS and authentication.</summary>
    public SecurityOptions Security { get; } = new();

    /// <summary>Adds the options and their checks to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Add(Servers);
        command.Add(Distribution);
        if (_connects)
        {
            command.Add(Timeout);
            Security.AddTo(command);
        }

        command.Validators.Add(result =>
        {
            if (result.GetResult(Servers) is null)
            {
                result.AddError("Missing --servers LIST, for example --servers 10.0.0.1:11211,10.0.0.2:11211.");
            }
        });
    }

    /// <summary>The servers of <c>--servers</c> (present: the command's validator requires it).</summary>
    public IReadOnlyList<ServerAddress> ServerList(ParseResult parsed) => parsed.GetRequiredValue(Servers);

    /// <summary>
    /// Client options for the shared options: servers, distribution, both timeouts from <c>--timeout</c>, TLS and
    /// authentication (whose warnings go to <paramref name="warnings"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The client refuses the options, for example a <c>--tls-ca</c> file that does not exist.</exception>
    public MemcacheClientOptions ClientOptions(ParseResult parsed, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        var timeout = TimeSpan.FromMilliseconds(parsed.GetValue(Timeout));
        var options = new MemcacheClientOptions
        {
            Distribution = parsed.GetValue(Distribution),
            OperationTimeout = timeout,
            ConnectTimeout = timeout,
        };
        foreach (ServerAddress server in ServerList(parsed))
        {
            options.Servers.Add(server);
        }

        Security.Apply(parsed, options, warnings);
        options.Validate();
        return options;
    }

    /// <summary>Options for a client of one server of <paramref name="cluster"/>, with the same timeouts, TLS and credentials.</summary>
    public static MemcacheClientOptions ForServer(MemcacheClientOptions cluster, ServerAddress server)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var options = new MemcacheClientOptions
        {
            OperationTimeout = cluster.OperationTimeout,
            ConnectTimeout = cluster.ConnectTimeout,
        };
        SecurityOptions.Copy(cluster, options);
        options.Servers.Add(server);
        return options;
    }

    private static IReadOnlyList<ServerAddress> ParseServers(ArgumentResult result, bool rejectRepeats)
    {
        if (result.Tokens.Count == 0)
        {
            return [];
        }

        IReadOnlyList<ServerAddress> servers;
        try
        {
            servers = ServerAddress.ParseList(result.Tokens[0].Value);
        }
        catch (FormatException error)
        {
            result.AddError(Failures.OneLine(error.Message));
            return [];
        }

        var seen = new HashSet<(string Host, int Port)>();
        foreach (ServerAddress server in servers)
        {
            if (rejectRepeats && !seen.Add((server.Host.ToUpperInvariant(), server.Port)))
            {
                result.AddError($"--servers lists {server} twice.");
                return [];
            }
        }

        return servers;
    }

    private static MemcacheDistribution ParseDistribution(ArgumentResult result)
    {
        if (result.Tokens.Count == 0)
        {
            return MemcacheDistribution.Ketama;
        }

        string name = result.Tokens[0].Value;
        if (MemcacheDistributionNames.TryParse(name, out MemcacheDistribution distribution))
        {
            return distribution;
        }

        result.AddError($"Unknown distribution '{name}'. Valid values: {string.Join(", ", MemcacheDistributionNames.All)}.");
        return MemcacheDistribution.Ketama;
    }
}
