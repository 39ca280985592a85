using System.CommandLine;
using System.Globalization;
using Memstore.Cli.Bench;
using Memstore.Cli.Options;

namespace Memstore.Cli.Commands;

/// <summary>
/// <c>memstore bench</c>: the load runner of bench/Memstore.Load (the same <see cref="LoadEngine"/>) against a cluster:
/// a live progress line on a terminal, a summary with a latency histogram, or <c>--json</c>; Ctrl-C stops it
/// with the partial summary.
/// </summary>
internal sealed class BenchCommand : ICommand
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);

    /// <inheritdoc />
    public string Name => "bench";

    /// <inheritdoc />
    public string Summary => "load the cluster (gets and sets) and report throughput and latency";

    /// <inheritdoc />
    public string Notes =>
        "Sets --keys keys named PREFIX + 14 digits (this writes to the cluster: use a test cluster or a\n"
        + "prefix nothing else uses), then runs a closed loop: --concurrency workers, each with one request in\n"
        + "flight (gets, or multi-gets of --multiget keys, and sets by --get-ratio). The warm-up is not\n"
        + "measured. On a terminal a progress line (elapsed, ops/s, p50/p99, errors) is kept up to date on\n"
        + "standard error. At the end: requests, ops/s, percentiles and a latency histogram; with --json one\n"
        + "JSON object instead. Ctrl-C stops the run and prints what was measured so far (\"stopped\"),\n"
        + "then exits with code 130. Exit code 1 when no request succeeded.";

    /// <inheritdoc />
    public Command Create(CommandContext context)
    {
        var cluster = new ClusterOptions();
        var concurrency = OptionFactory.Number("--concurrency", "-c", "N", "workers, each with one request in flight", 16, 1, 100_000);
        var duration = OptionFactory.Decimal("--duration", "SECONDS", "seconds measured", 10, 0.1, 3600);
        var warmup = OptionFactory.Decimal("--warmup", "SECONDS", "seconds run before measuring (default: 2, or a fifth of --duration if less)", -1, 0, 600);
        warmup.DefaultValueFactory = null;
        var getRatio = OptionFactory.Decimal("--get-ratio", "RATIO", "share of requests that are gets; the rest are sets", 0.9, 0, 1);
        var valueSize = OptionFactory.Number("--value-size", null, "BYTES", "bytes per value", 100, 1, 1024 * 1024);
        var keys = OptionFactory.Number("--keys", null, "N", "distinct keys, all set before the run", 10_000, 1, 10_000_000);
        var multiGet = OptionFactory.Number("--multiget", null, "K", "read K keys per get request (0: single gets)", 0, 0, 10_000);
        var prefix = OptionFactory.Text("--key-prefix", null, "PREFIX", "the keys' prefix (default memstore-bench:)");
        var json = OptionFactory.Flag("--json", null, "print the result as one JSON object (no progress line)");
        var command = new Command(Name, Summary) { concurrency, duration, warmup, getRatio, valueSize, keys, multiGet, prefix, json };
        cluster.AddTo(command);
        command.SetAction((parsed, token) =>
        {
            double seconds = parsed.GetValue(duration);
            var settings = new LoadSettings
            {
                Concurrency = (int)parsed.GetValue(concurrency),
                DurationSeconds = seconds,
                WarmupSeconds = parsed.GetResult(warmup) is { Implicit: false } ? parsed.GetValue(warmup) : Math.Min(2, seconds / 5),
                GetRatio = parsed.GetValue(getRatio),
                ValueSize = (int)parsed.GetValue(valueSize),
                Keys = LoadSettings.KeyNames((int)parsed.GetValue(keys), parsed.GetValue(prefix) ?? "memstore-bench:"),
                MultiGet = (int)parsed.GetValue(multiGet),
            };
            return RunAsync(cluster.ClientOptions(parsed, context.Error), settings, parsed.GetValue(json), context, token);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        MemcacheClientOptions options, LoadSettings settings, bool json, CommandContext context, CancellationToken cancellationToken)
    {
        bool progress = context.IsTerminal && !json;
        var client = new MemcacheClient(options);
        await using (client.ConfigureAwait(false))
        {
            // Keys are checked before anything is sent: a prefix that makes them invalid is a usage error.
            _ = client.Locate(settings.Keys[^1]);
            void OnError(long count, Exception error)
            {
                if (count <= 3)
                {
                    context.Error.WriteLine($"{(progress ? "\r\u001b[K" : "")}memstore bench: error {count}: {Failures.Describe(error)}");
                }
            }

            var engine = new LoadEngine(client, settings, OnError);
            if (!json)
            {
                await context.Output.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture,
                    $"memstore bench: {options.Servers.Count} server(s), concurrency {settings.Concurrency}, {settings.DurationSeconds:0.###} s after {settings.WarmupSeconds:0.###} s warm-up, {settings.GetRatio * 100:0.#}% gets, {settings.ValueSize}-byte values, {settings.Keys.Count} keys{(settings.MultiGet > 0 ? $", multi-get {settings.MultiGet}" : "")}"))
                    .ConfigureAwait(false);
                await context.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }

            long populateErrors;
            var populate = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                populateErrors = await engine.PopulateAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await context.Error.WriteLineAsync("memstore bench: stopped while setting the keys; nothing measured.").ConfigureAwait(false);
                return ExitCodes.Interrupted;
            }

            if (!json)
            {
                await context.Output.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture, $"set {settings.Keys.Count} keys in {populate.Elapsed.TotalSeconds:0.00} s ({populateErrors} errors)")).ConfigureAwait(false);
                await context.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }

            void ShowProgress(LoadProgress now)
            {
                context.Error.Write("\r" + BenchReport.ProgressLine(now, settings.DurationSeconds) + "\u001b[K");
                context.Error.Flush();
            }

            Action<LoadProgress>? onProgress = progress ? ShowProgress : null;
            LoadProgress result = await engine.RunAsync(onProgress, ProgressInterval, cancellationToken).ConfigureAwait(false);
            if (progress)
            {
                await context.Error.WriteLineAsync().ConfigureAwait(false);
            }

            await context.Output.WriteAsync(json
                ? BenchReport.Json(result, settings, options.Servers.Select(s => s.ToString()), populateErrors)
                : BenchReport.Summary(result, settings.MultiGet > 0)).ConfigureAwait(false);
            if (result.Requests == 0 && (result.Errors > 0 || populateErrors > 0))
            {
                return ExitCodes.Failure;
            }

            // Stopped by Ctrl-C: the partial summary is printed; the exit code says it was cut short.
            return cancellationToken.IsCancellationRequested ? ExitCodes.Interrupted : ExitCodes.Success;
        }
    }
}
