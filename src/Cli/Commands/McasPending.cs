using System.Globalization;
using System.Text;
using Memstore.Cli.Options;
using Memstore.Mcas;

namespace Memstore.Cli.Commands;

/// <summary>
/// <c>memstore mcas --pending [--repair]</c>: every MCAS descriptor still stored on each server (found with
/// <see cref="MetadumpScan"/>), its status and keys; with <c>--repair</c>, each operation helped to its end as a reader
/// would (<see cref="McasClient.FinishOperationAsync"/>). A descriptor outlives its operation only when the owner died
/// or lost its servers before cleaning up, or a helper finished it (it lingers); an undecided one left alone until its
/// TTL turns its keys into corruption for their next reader, so an operator sweeps them after an incident.
/// </summary>
internal static class McasPending
{
    public static async Task<int> RunAsync(MemcacheClientOptions options, string keyPrefix, bool repair, CommandContext context, CancellationToken cancellationToken)
    {
        TextWriter output = context.Output;
        var client = new MemcacheClient(options);
        await using (client.ConfigureAwait(false))
        {
            var mcas = new McasClient(client, new McasOptions { KeyPrefix = keyPrefix });
            await using (mcas.ConfigureAwait(false))
            {
                byte[] prefix = Encoding.UTF8.GetBytes(keyPrefix + "mcas:");
                var counts = new int[3];
                int repaired = 0, exitCode = ExitCodes.Success;
                foreach (ServerAddress server in options.Servers)
                {
                    try
                    {
                        await foreach (MetadumpLine entry in MetadumpScan.EntriesAsync(ClusterOptions.ForServer(options, server), server, prefix, cancellationToken).ConfigureAwait(false))
                        {
                            string key = Encoding.UTF8.GetString(entry.Key);
                            CacheValue stored = await client.GetAsync(key, cancellationToken).ConfigureAwait(false);
                            if (!stored.Found)
                            {
                                continue; // finished and deleted since the dump listed it
                            }

                            Descriptor descriptor;
                            try
                            {
                                descriptor = StoredRecordCodec.DecodeDescriptor(key, stored);
                            }
                            catch (MemcacheProtocolException error)
                            {
                                await output.WriteLineAsync($"{key} on {server}: not a descriptor ({Failures.OneLine(error.Message)}); left alone").ConfigureAwait(false);
                                exitCode = ExitCodes.Failure;
                                continue;
                            }

                            counts[(int)descriptor.Status]++;
                            long? left = entry.SecondsLeft(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
                            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                                $"descriptor {key} on {server}: {McasCommand.StatusName(descriptor.Status)}, {descriptor.Items.Length} keys ({string.Join(", ", descriptor.Items.Select(item => item.Key))}), ttl={(left is { } s ? s.ToString(CultureInfo.InvariantCulture) : "never")}")).ConfigureAwait(false);
                            if (repair)
                            {
                                McasStatus? outcome = await mcas.FinishOperationAsync(key, cancellationToken).ConfigureAwait(false);
                                await output.WriteLineAsync(outcome is { } status
                                    ? $"  repaired: {McasCommand.StatusName(status)}, every key released"
                                    : "  repaired: nothing to do (finished and deleted meanwhile)").ConfigureAwait(false);
                                repaired++;
                            }
                        }
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        return ExitCodes.Interrupted;
                    }
                    catch (McasCorruptionException error)
                    {
                        await context.Error.WriteLineAsync($"memstore mcas: {Failures.OneLine(error.Message)}").ConfigureAwait(false);
                        exitCode = ExitCodes.Failure;
                    }
                    catch (MemcacheException error)
                    {
                        await context.Error.WriteLineAsync($"memstore mcas: {Failures.Describe(error)}").ConfigureAwait(false);
                        exitCode = ExitCodes.Failure;
                    }
                }

                await mcas.FlushAsync(cancellationToken).ConfigureAwait(false);
                int total = counts.Sum();
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{total} descriptor(s): {counts[0]} undecided, {counts[1]} succeeded, {counts[2]} failed{(repair ? $"; {repaired} repaired" : total > 0 ? "; --repair finishes them" : "")}")).ConfigureAwait(false);
                return exitCode;
            }
        }
    }
}
