namespace Memstore.Cli.Commands;

/// <summary>
/// <c>memstore stats</c>: every server's <c>stats</c> (or <c>stats GROUP</c>) as <c>name value</c>
/// lines under a <c># HOST:PORT</c> header.
/// </summary>
internal sealed class StatsCommand : ICommand
{
    private static readonly OptionSpec GroupOption = new("--group", "-g", "NAME");

    /// <inheritdoc />
    public string Name => "stats";

    /// <inheritdoc />
    public string Summary => "print every server's statistics";

    /// <inheritdoc />
    public string Usage =>
        "Usage: memstore stats --servers LIST [--group NAME] [--timeout MS]\n\n"
        + "For each server that answers: a '# HOST:PORT' line, then one 'name value' line per statistic,\n"
        + "then a blank line. A server that fails gets one line on standard error and the exit code is 1.\n\n"
        + "Options:\n"
        + "  -g, --group NAME           a stats group such as settings, slabs, items, conns\n"
        + ClusterOptions.UsageLines + "\n";

    /// <inheritdoc />
    public async Task<int> RunAsync(IReadOnlyList<string> arguments, CommandContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ParsedArguments parsed = ClusterOptions.Parse(arguments, GroupOption);
        if (parsed.Positionals.Count > 0)
        {
            throw new UsageException($"stats takes no arguments; got '{parsed.Positionals[0]}'. Use --group NAME for a stats group.");
        }

        string? group = parsed.Value(GroupOption.Name);
        if (group is not null && (group.Length == 0 || !group.All(char.IsAsciiLetterOrDigit)))
        {
            throw new UsageException($"A stats group is a single word such as 'settings' or 'slabs'; '{group}' is not.");
        }

        MemcacheClientOptions options = ClusterOptions.ClientOptions(parsed, context.Error);
        var outcomes = await ServerFanOut.RunAsync(
            options,
            async (client, token) => (await client.GetStatsAsync(group, token).ConfigureAwait(false)).Values.Single(),
            cancellationToken).ConfigureAwait(false);

        foreach (var outcome in outcomes.Where(o => o.Error is null))
        {
            await context.Output.WriteLineAsync($"# {outcome.Server}").ConfigureAwait(false);
            foreach ((string name, string value) in outcome.Value!)
            {
                await context.Output.WriteLineAsync($"{name} {value}").ConfigureAwait(false);
            }

            await context.Output.WriteLineAsync().ConfigureAwait(false);
        }

        return await ServerFanOut.ReportFailuresAsync(Name, outcomes, context.Error).ConfigureAwait(false);
    }
}
