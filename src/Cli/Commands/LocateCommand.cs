using System.CommandLine;
using Memstore.Cli.Options;
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
    public string Notes =>
        "Prints one line per key: KEY<TAB>HOST:PORT. Without KEY arguments, reads keys from\n"
            + "standard input, one per line (blank lines are skipped). Contacts no server.";

    /// <inheritdoc />
    public Command Create(CommandContext context)
    {
        var cluster = new ClusterOptions(connects: false);
        var keys = new Argument<string[]>("KEY") { Arity = ArgumentArity.ZeroOrMore, Description = "keys to locate; none: read keys from standard input" };
        var command = new Command(Name, Summary) { keys };
        cluster.AddTo(command);
        command.SetAction((parsed, token) => RunAsync(
            new HashRing(cluster.ServerList(parsed), parsed.GetValue(cluster.Distribution)), parsed.GetValue(keys) ?? [], context, token));
        return command;
    }

    private static async Task<int> RunAsync(HashRing ring, string[] keys, CommandContext context, CancellationToken cancellationToken)
    {
        if (keys.Length > 0)
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

    private static Task WriteLocationAsync(HashRing ring, string key, TextWriter output) =>
        output.WriteLineAsync($"{key}\t{ring.Servers[ring.Locate(key)]}");
}
