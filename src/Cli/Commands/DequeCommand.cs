using System.CommandLine;
using System.Globalization;
using Memstore.Cli.Options;
using Memstore.Collections;

namespace Memstore.Cli.Commands;

/// <summary>
/// <c>memstore deque NAME</c>: a deque's anchor, its length by walking the nodes (bounded by <c>--max-nodes</c>)
/// and the first broken link (<see cref="DequeWalk"/>); for a sharded deque, each shard. Reads only, with the
/// runtime's record parsers (<see cref="DequeCodec"/>).
/// </summary>
internal sealed class DequeCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "deque";

    /// <inheritdoc />
    public string Summary => "show a deque's anchor, its length by walking the nodes, and any broken link";

    /// <inheritdoc />
    public string Notes =>
        "Reads NAME's anchor (status stable, R_PUSH or L_PUSH, and its end nodes), then walks the nodes\n"
        + "from the left end by their right links, at most --max-nodes of them, checking every link: the\n"
        + "anchor's ends exist, each node points back at the one before it, no node is missing and no link\n"
        + "leads back to a node already passed. A push not yet finished (R_PUSH/L_PUSH) is reported as\n"
        + "pending, not broken. Prints the anchor line, 'length N' (or 'length more than N' when the walk\n"
        + "stopped at --max-nodes), and 'healthy' or 'broken: WHAT'; --show-nodes adds one line per node\n"
        + "(key and value size). For a sharded deque (ShardedMemcacheDeque) every shard NAME:sI is walked.\n"
        + "Nothing is written. A deque in use may change during the walk: run it again before acting on a\n"
        + "broken link. Exit code 1 when a link is broken, NAME is missing or is not a deque, or a server\n"
        + "failed.";

    /// <inheritdoc />
    public Command Create(CommandContext context)
    {
        var cluster = new ClusterOptions();
        var maxNodes = OptionFactory.Number("--max-nodes", null, "N", "read at most N nodes per deque (default 10000)", 10_000, 1, 100_000_000);
        var showNodes = OptionFactory.Flag("--show-nodes", null, "print every node's key and value size, in order");
        var name = new Argument<string>("NAME") { Description = "the deque's name (the key of its anchor)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command(Name, Summary) { maxNodes, showNodes, name };
        cluster.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(name) is null)
            {
                result.AddError("Missing NAME: memstore deque --servers LIST NAME");
            }
        });
        command.SetAction((parsed, token) => RunAsync(
            cluster.ClientOptions(parsed, context.Error), parsed.GetValue(name)!, parsed.GetValue(maxNodes), parsed.GetValue(showNodes), context, token));
        return command;
    }

    private static async Task<int> RunAsync(
        MemcacheClientOptions options, string name, long maxNodes, bool showNodes, CommandContext context, CancellationToken cancellationToken)
    {
        var client = new MemcacheClient(options);
        await using (client.ConfigureAwait(false))
        {
            _ = client.Locate(name);
            CacheValue value = await client.GetAsync(name, cancellationToken).ConfigureAwait(false);
            if (!value.Found)
            {
                await context.Error.WriteLineAsync($"memstore deque: no deque named {name}: the key does not exist on {client.Locate(name)}.").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            if (ShardCount(name, value) is { } count)
            {
                await context.Output.WriteLineAsync(Invariant($"sharded deque {name} on {client.Locate(name)}: {count} shards")).ConfigureAwait(false);
                int exitCode = ExitCodes.Success;
                for (int i = 0; i < count; i++)
                {
                    int shard = await ShowAsync(client, ShardedMemcacheDeque.ShardName(name, i), null, maxNodes, showNodes, context, cancellationToken).ConfigureAwait(false);
                    exitCode = Math.Max(exitCode, shard);
                }

                return exitCode;
            }

            return await ShowAsync(client, name, value, maxNodes, showNodes, context, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<int> ShowAsync(
        MemcacheClient client, string name, CacheValue? read, long maxNodes, bool showNodes, CommandContext context, CancellationToken cancellationToken)
    {
        TextWriter output = context.Output;
        CacheValue value = read ?? await client.GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (!value.Found)
        {
            await output.WriteLineAsync($"deque {name} on {client.Locate(name)}: anchor missing").ConfigureAwait(false);
            await output.WriteLineAsync("broken: the anchor does not exist (evicted or flushed?)").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        Anchor anchor;
        try
        {
            anchor = DequeCodec.DecodeAnchor(name, value);
        }
        catch (MemcacheProtocolException error)
        {
            await context.Error.WriteLineAsync($"memstore deque: {Failures.OneLine(error.Message)}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        await output.WriteLineAsync(
            $"deque {name} on {client.Locate(name)}: anchor {StatusName(anchor.Status)}, left {anchor.Left ?? "none"}, right {anchor.Right ?? "none"}").ConfigureAwait(false);
        DequeWalkResult walk = await DequeWalk.RunAsync(client, anchor, maxNodes, cancellationToken).ConfigureAwait(false);
        if (showNodes)
        {
            foreach ((string key, int bytes) in walk.Nodes)
            {
                await output.WriteLineAsync(Invariant($"  node {key} ({bytes} bytes)")).ConfigureAwait(false);
            }
        }

        await output.WriteLineAsync(walk.Truncated
            ? Invariant($"length more than {walk.Length} (the walk stopped at --max-nodes {maxNodes})")
            : Invariant($"length {walk.Length}")).ConfigureAwait(false);
        if (walk.Pending is { } pending)
        {
            await output.WriteLineAsync($"pending: {pending}").ConfigureAwait(false);
        }

        if (walk.Broken is { } broken)
        {
            await output.WriteLineAsync($"broken: {broken}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        await output.WriteLineAsync(walk.Truncated ? "no broken link in the nodes walked" : "healthy").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>The shard count when the item is a sharded deque's record (read by the runtime's parser), else null.</summary>
    private static int? ShardCount(string name, CacheValue value)
    {
        try
        {
            return ShardedMemcacheDeque.DecodeCount(name, value);
        }
        catch (DequeNameException)
        {
            return null;
        }
    }

    private static string StatusName(AnchorStatus status) => status switch
    {
        AnchorStatus.Stable => "stable",
        AnchorStatus.RightPush => "R_PUSH (a right push is being linked)",
        _ => "L_PUSH (a left push is being linked)",
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
