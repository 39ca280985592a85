using System.CommandLine;
using System.Globalization;
using Memstore.Cli.Options;
using Memstore.Cli.Top;
using Spectre.Console;

namespace Memstore.Cli.Commands;

/// <summary>
/// <c>memstore top</c>: a live view of every server's load from <c>stats</c> deltas, refreshed every interval, on the
/// terminal's alternate screen; with <c>--once</c> or redirected output, plain text once.
/// </summary>
internal sealed class TopCommand : ICommand
{
    private const string EnterAlternateScreen = "\u001b[?1049h\u001b[?25l";
    private const string LeaveAlternateScreen = "\u001b[?25h\u001b[?1049l";

    /// <inheritdoc />
    public string Name => "top";

    /// <inheritdoc />
    public string Summary => "live view of every server: ops/s, hit ratio, traffic, memory, evictions";

    /// <inheritdoc />
    public string Notes =>
        "Rates are the difference of each server's stats counters (cmd_get, cmd_set, get_hits, get_misses,\n"
        + "bytes_read, bytes_written, evictions) between two samples, per second; HIT% is hits among the gets\n"
        + "of the interval. The total row sums the servers that answered. A server that does not answer is\n"
        + "shown down with the reason.\n"
        + "Keys in the live view: s next sort column; o ops, h hits, m mem, e evictions, n server; q quits\n"
        + "(so does Ctrl-C) and restores the screen.\n"
        + "With --once, or when standard output is not a terminal: two samples one interval apart, printed\n"
        + "once as plain text; the exit code is 1 if no server answered.";

    /// <inheritdoc />
    public Command Create(CommandContext context)
    {
        var cluster = new ClusterOptions();
        var interval = new Option<TimeSpan>("--interval", "-i")
        {
            HelpName = "SECONDS",
            Description = "seconds between refreshes, from 0.1 to 3600",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(1),
            CustomParser = ParseInterval,
        };
        var sort = new Option<TopSort>("--sort")
        {
            HelpName = "COLUMN",
            Description = $"order of the servers: {string.Join(", ", TopSortNames.All)} (largest first; server by name)",
            DefaultValueFactory = _ => TopSort.Ops,
            CustomParser = ParseSort,
        };
        var once = OptionFactory.Flag("--once", null, "print the figures once as plain text and exit (the default when output is not a terminal)");
        var command = new Command(Name, Summary) { interval, sort, once };
        cluster.AddTo(command);
        command.SetAction((parsed, token) =>
        {
            MemcacheClientOptions options = cluster.ClientOptions(parsed, context.Error);
            TimeSpan every = parsed.GetValue(interval);
            TopSort order = parsed.GetValue(sort);
            return parsed.GetValue(once) || !context.IsTerminal
                ? RunOnceAsync(options, every, order, context, token)
                : RunLiveAsync(options, every, order, context, token);
        });
        return command;
    }

    private static async Task<int> RunOnceAsync(
        MemcacheClientOptions options, TimeSpan interval, TopSort sort, CommandContext context, CancellationToken cancellationToken)
    {
        var sampler = new StatsSampler(options);
        await using (sampler.ConfigureAwait(false))
        {
            var calculator = new TopCalculator();
            calculator.Update(await sampler.SampleAsync(cancellationToken).ConfigureAwait(false), sort);
            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            TopSnapshot snapshot = calculator.Update(await sampler.SampleAsync(cancellationToken).ConfigureAwait(false), sort);
            await context.Output.WriteAsync(TopRenderer.PlainText(snapshot)).ConfigureAwait(false);
            if (!snapshot.Total.Up)
            {
                await context.Error.WriteLineAsync($"memstore top: no server answered ({options.Servers.Count} listed).").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            return ExitCodes.Success;
        }
    }

    private static async Task<int> RunLiveAsync(
        MemcacheClientOptions options, TimeSpan interval, TopSort sort, CommandContext context, CancellationToken cancellationToken)
    {
        var sampler = new StatsSampler(options);
        await using (sampler.ConfigureAwait(false))
        {
            var calculator = new TopCalculator();
            await context.Output.WriteAsync(EnterAlternateScreen).ConfigureAwait(false);
            await context.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                TopSnapshot snapshot = calculator.Update(await sampler.SampleAsync(cancellationToken).ConfigureAwait(false), sort);
                while (true)
                {
                    await DrawAsync(snapshot, options, interval, context).ConfigureAwait(false);
                    long next = Environment.TickCount64 + (long)interval.TotalMilliseconds;
                    while (Environment.TickCount64 < next)
                    {
                        if (Console.KeyAvailable)
                        {
                            ConsoleKeyInfo key = Console.ReadKey(intercept: true);
                            if (key.Key is ConsoleKey.Q or ConsoleKey.Escape)
                            {
                                return ExitCodes.Success;
                            }

                            if (SortFor(key, snapshot.Sort) is { } chosen)
                            {
                                snapshot = snapshot with { Rows = TopCalculator.Sort(snapshot.Rows, chosen), Sort = chosen };
                                await DrawAsync(snapshot, options, interval, context).ConfigureAwait(false);
                            }
                        }

                        await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                    }

                    snapshot = calculator.Update(await sampler.SampleAsync(cancellationToken).ConfigureAwait(false), snapshot.Sort);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C: as q.
                return ExitCodes.Success;
            }
            finally
            {
                await context.Output.WriteAsync(LeaveAlternateScreen).ConfigureAwait(false);
                await context.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private static TopSort? SortFor(ConsoleKeyInfo key, TopSort current) => key.Key switch
    {
        ConsoleKey.S => current.Next(),
        ConsoleKey.O => TopSort.Ops,
        ConsoleKey.H => TopSort.Hits,
        ConsoleKey.M => TopSort.Mem,
        ConsoleKey.E => TopSort.Evictions,
        ConsoleKey.N => TopSort.Server,
        _ => null,
    };

    /// <summary>Draws a frame from the top-left corner, clearing what the previous, possibly longer, frame left.</summary>
    private static async Task DrawAsync(TopSnapshot snapshot, MemcacheClientOptions options, TimeSpan interval, CommandContext context)
    {
        using var frame = new StringWriter(CultureInfo.InvariantCulture);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(frame),
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Standard,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = Math.Max(80, Console.WindowWidth);
        string title = string.Create(
            CultureInfo.InvariantCulture,
            $"memstore top - {options.Servers.Count} server(s) - every {interval.TotalSeconds:0.###} s - {DateTime.Now:HH:mm:ss} - sorted by {snapshot.Sort.ToName()}");
        console.Write(TopRenderer.View(snapshot, title));
        console.MarkupLine("[dim]keys: s next sort, o ops, h hits, m mem, e evictions, n server, q quit[/]");
        string text = frame.ToString().ReplaceLineEndings("\u001b[K\n");
        await context.Output.WriteAsync("\u001b[H" + text + "\u001b[J").ConfigureAwait(false);
        await context.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private static TimeSpan ParseInterval(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "1";
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds) || seconds < 0.1 || seconds > 3600)
        {
            result.AddError($"Option '--interval' needs a number of seconds from 0.1 to 3600; '{text}' is not.");
            return TimeSpan.FromSeconds(1);
        }

        return TimeSpan.FromSeconds(seconds);
    }

    private static TopSort ParseSort(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "ops";
        if (TopSortNames.TryParse(text, out TopSort sort))
        {
            return sort;
        }

        result.AddError($"Unknown sort column '{text}'. Valid values: {string.Join(", ", TopSortNames.All)}.");
        return TopSort.Ops;
    }
}
