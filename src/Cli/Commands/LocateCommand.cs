using Memstore.Cluster;

namespace Memstore.Cli.Commands;

/// <summary>
/// <c>memstore locate</c>: which server each key belongs to, computed locally from the server
/// list exactly as libmemcached would place it. Contacts no server.
/// </summary>
internal sealed class LocateCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "locate";

    /// <inheritdoc />
    public string Summary => "show which server each key maps to (no server contacted)";

    /// <inheritdoc />
    public string Usage =>
        """
        Usage: memstore locate --servers LIST [--distribution NAME] [KEY...]

        Prints one line per key: KEY<TAB>HOST:PORT. Without KEY arguments, reads keys from
        standard input, one per line (blank lines are skipped).

        Options:
          -s, --servers LIST         comma-separated host[:port[:weight]], IPv6 as [::1]:11211;
                                     the order matters, as in libmemcached
          -d, --distribution NAME    ketama (default), ketama-weighted, ketama-pre1010, modula
          -h, --help                 show this help

        """;

    /// <inheritdoc />
    public async Task<int> RunAsync(IReadOnlyList<string> arguments, CommandContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        HashRing ring = BuildRing(ParsedArguments.Parse(arguments, [ClusterOptions.Servers, ClusterOptions.Distribution]), out IReadOnlyList<string> keys);

        if (keys.Count > 0)
        {
            foreach (string key in keys)
            {
                await WriteLocationAsync(ring, key, context.Output).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }

        while (await context.Input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length > 0)
            {
                await WriteLocationAsync(ring, line, context.Output).ConfigureAwait(false);
            }
        }

        return ExitCodes.Success;
    }

    private static HashRing BuildRing(ParsedArguments parsed, out IReadOnlyList<string> keys)
    {
        IReadOnlyList<ServerAddress> servers = ClusterOptions.ParseServers(parsed);
        MemcacheDistribution distribution = ClusterOptions.ParseDistribution(parsed);
        keys = parsed.Positionals;
        return new HashRing(servers, distribution);
    }

    private static Task WriteLocationAsync(HashRing ring, string key, TextWriter output) =>
        output.WriteLineAsync($"{key}\t{ring.Servers[ring.Locate(key)]}");
}
