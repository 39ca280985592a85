using System.CommandLine;
using Memstore.Cli.Options;
using Spectre.Console;

namespace Memstore.Cli.Commands;

/// <summary>
/// <c>memstore stats</c>: every server's <c>stats</c> (or <c>stats GROUP</c>): as <c>name value</c> lines under a
/// <c># HOST:PORT</c> header, or as one table with a column per server.
/// </summary>
internal sealed class StatsCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "stats";

    /// <inheritdoc />
    public string Summary => "print every server's statistics";

    /// <inheritdoc />
    public string Notes =>
        "For each server that answers: a '# HOST:PORT' line, then one 'name value' line per statistic,\n"
            + "then a blank line; or, on a terminal or with --format table, one table with a column per server.\n"
            + "A server that fails gets one line on standard error and the exit code is 1.";

    /// <inheritdoc />
    public Command Create(CommandContext context)
    {
        var cluster = new ClusterOptions();
        var group = new Option<string>("--group", "-g")
        {
            HelpName = "NAME",
            Description = "a stats group such as settings, slabs, items, conns",
            Validators =
            {
                result =>
                {
                    string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                    if (text.Length == 0 || !text.All(char.IsAsciiLetterOrDigit))
                    {
                        result.AddError($"A stats group is a single word such as 'settings' or 'slabs'; '{text}' is not.");
                    }
                },
            },
        };
        var format = new Option<string>("--format", "-f")
        {
            HelpName = "FORMAT",
            Description = "lines: 'name value' lines per server; table: one table, a column per server (default: table on a terminal, else lines)",
        };
        format.AcceptOnlyFromAmong("lines", "table");
        var command = new Command(Name, Summary)
        {
            group, format,
        };
        cluster.AddTo(command);
        command.SetAction((parsed, token) =>
        {
            bool table = parsed.GetValue(format) is { } chosen ? chosen == "table" : context.IsTerminal;
            return RunAsync(cluster.ClientOptions(parsed, context.Error), parsed.GetValue(group), table, context, token);
        });
        return command;
    }

    private async Task<int> RunAsync(MemcacheClientOptions options, string? group, bool table, CommandContext context, CancellationToken cancellationToken)
    {
        var outcomes = await ServerFanOut.RunAsync(
            options,
            async (client, token) => (await client.GetStatsAsync(group, token).ConfigureAwait(false)).Values.Single(),
            cancellationToken).ConfigureAwait(false);

        var answered = outcomes.Where(o => o.Error is null).ToList();
        if (table)
        {
            if (answered.Count > 0)
            {
                await context.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
                Terminal.Create(context).Write(StatsTable(answered));
            }
        }
        else
        {
            foreach (var outcome in answered)
            {
                await context.Output.WriteLineAsync($"# {outcome.Server}").ConfigureAwait(false);
                foreach ((string name, string value) in outcome.Value!)
                {
                    await context.Output.WriteLineAsync($"{name} {value}").ConfigureAwait(false);
                }

                await context.Output.WriteLineAsync().ConfigureAwait(false);
            }
        }

        return await ServerFanOut.ReportFailuresAsync(Name, outcomes, context.Error).ConfigureAwait(false);
    }

    /// <summary>One row per statistic (in the order the servers sent them), one column per server.</summary>
    private static Table StatsTable(IReadOnlyList<ServerOutcome<IReadOnlyDictionary<string, string>>> answered)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("statistic");
        foreach (var outcome in answered)
        {
            table.AddColumn(new TableColumn(Markup.Escape(outcome.Server.ToString())).RightAligned());
        }

        IEnumerable<string> names = answered.SelectMany(o => o.Value!.Keys).Distinct(StringComparer.Ordinal);
        foreach (string name in names)
        {
            table.AddRow([Markup.Escape(name), .. answered.Select(o => Markup.Escape(o.Value!.GetValueOrDefault(name) ?? ""))]);
        }

        return table;
    }
}
