using System.CommandLine;
using System.Globalization;
using Memstore.Cli.Options;
using Memstore.Mcas;

namespace Memstore.Cli.Commands;

/// <summary>
/// <c>memstore mcas KEY</c>: whether a key holds an MCAS marker, the descriptor it points to, that descriptor's
/// state and entries, and what helping would do to the key (docs/mcas.md). Reads only, with the runtime's own
/// record parsers and decision rules (<see cref="McasClient.Plan"/>); <c>--repair</c> runs the runtime's reader
/// path (<see cref="McasClient.GetAsync"/>), which helps the operation to its end.
/// </summary>
internal sealed class McasCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "mcas";

    /// <inheritdoc />
    public string Summary => "show a key's MCAS marker, its descriptor's state and what repair would do";

    /// <inheritdoc />
    public string Notes =>
        "Reads KEY (nothing is written without --repair) and prints: what the key holds (no item, a plain\n"
        + "value, or an MCAS marker and whether it was installed over an absent key); for a marker, its\n"
        + "descriptor: missing, or its status (undecided, succeeded, failed) and every entry (expected CAS\n"
        + "token, old and new value sizes, the marker token the decide recorded, and what the entry's key\n"
        + "holds now); then 'repair:' and what helping would do to KEY: roll forward (the new value), roll\n"
        + "back (the old value, or delete a key that was absent), delete an orphan marker, or nothing.\n"
        + "For an undecided operation this is predicted from what the keys hold now (phase 1 succeeds if\n"
        + "every key is still as the operation read it); another participant may act first.\n"
        + "--repair then reads KEY through McasClient.GetAsync, which helps the operation to its end (or\n"
        + "deletes an orphan marker over an absent key), and prints the key's state afterwards. A marker\n"
        + "whose descriptor is missing and which replaced a value is corruption: the value is lost, --repair\n"
        + "cannot know it (McasClient.RepairAsync resets the key to a value you give); exit code 1.\n"
        + "Keys are sent as text (the client's default KeyMode).\n"
        + "--pending instead lists every MCAS descriptor each server still holds (lru_crawler metadump, keys\n"
        + "starting with --descriptor-prefix, default memstore:, then mcas:), one line each: status, keys\n"
        + "and TTL, then a count. A descriptor outlives its operation when the owner died or lost its servers\n"
        + "before cleaning up (or a helper finished it and it lingers a minute). An undecided one left until\n"
        + "its TTL makes its keys read as corruption, so sweep after an incident: --pending --repair helps\n"
        + "every listed operation to its end as a reader would (safe while owners are alive, at worst a\n"
        + "conflict for them).";

    /// <inheritdoc />
    public Command Create(CommandContext context)
    {
        var cluster = new ClusterOptions();
        var repair = OptionFactory.Flag("--repair", null, "help the key's operation (with --pending: every listed operation) to its end (writes: releases or undoes markers)");
        var pending = OptionFactory.Flag("--pending", null, "list every MCAS descriptor still stored, server by server (lru_crawler metadump), instead of one KEY");
        var descriptorPrefix = OptionFactory.Text("--descriptor-prefix", null, "PREFIX", "McasOptions.KeyPrefix of the applications (default memstore:)");
        var key = new Argument<string>("KEY") { Description = "the key to inspect; '--' before a key that starts with '-'", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command(Name, Summary) { repair, pending, descriptorPrefix, key };
        cluster.AddTo(command);
        command.Validators.Add(result =>
        {
            bool listing = result.GetValue(pending);
            if (listing && result.GetValue(key) is not null)
            {
                result.AddError("--pending lists every descriptor: give it no KEY");
            }
            else if (!listing && result.GetValue(key) is null)
            {
                result.AddError("Missing KEY: memstore mcas --servers LIST KEY (or --pending)");
            }
            else if (!listing && result.GetValue(descriptorPrefix) is not null)
            {
                result.AddError("--descriptor-prefix goes with --pending");
            }
        });
        command.SetAction((parsed, token) => parsed.GetValue(pending)
            ? McasPending.RunAsync(cluster.ClientOptions(parsed, context.Error), parsed.GetValue(descriptorPrefix) ?? "memstore:", parsed.GetValue(repair), context, token)
            : RunAsync(cluster.ClientOptions(parsed, context.Error), parsed.GetValue(key)!, parsed.GetValue(repair), context, token));
        return command;
    }

    private static async Task<int> RunAsync(MemcacheClientOptions options, string key, bool repair, CommandContext context, CancellationToken cancellationToken)
    {
        var client = new MemcacheClient(options);
        await using (client.ConfigureAwait(false))
        {
            _ = client.Locate(key);
            McasKeyAction? action = await InspectAsync(client, key, context, cancellationToken).ConfigureAwait(false);
            if (!repair || action is null)
            {
                return action == McasKeyAction.DescriptorMissing ? ExitCodes.Failure : ExitCodes.Success;
            }

            var mcas = new McasClient(client);
            await using (mcas.ConfigureAwait(false))
            {
                try
                {
                    _ = await mcas.GetAsync(key, cancellationToken).ConfigureAwait(false);
                }
                catch (McasCorruptionException error)
                {
                    await context.Error.WriteLineAsync($"memstore mcas: not repaired: {Failures.OneLine(error.Message)}").ConfigureAwait(false);
                    return ExitCodes.Failure;
                }

                await mcas.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            await context.Output.WriteLineAsync("after repair:").ConfigureAwait(false);
            action = await InspectAsync(client, key, context, cancellationToken).ConfigureAwait(false);
            return action == McasKeyAction.DescriptorMissing ? ExitCodes.Failure : ExitCodes.Success;
        }
    }

    /// <summary>Prints what the key holds; returns the action helping would take, or null when the key holds no marker.</summary>
    private static async Task<McasKeyAction?> InspectAsync(MemcacheClient client, string key, CommandContext context, CancellationToken cancellationToken)
    {
        TextWriter output = context.Output;
        CacheValue value = await client.GetAsync(key, cancellationToken).ConfigureAwait(false);
        string where = $"key {key} on {client.Locate(key)}";
        if (StoredRecordCodec.TryDecodeMarker(value) is not { } marker)
        {
            await output.WriteLineAsync(value.Found
                ? Invariant($"{where}: a plain value ({value.Value!.Length} bytes, flags {value.Flags}, cas {value.Cas.Value}), no MCAS marker")
                : $"{where}: no item").ConfigureAwait(false);
            await output.WriteLineAsync("repair: nothing to do").ConfigureAwait(false);
            return null;
        }

        await output.WriteLineAsync(Invariant(
            $"{where}: MCAS marker (cas {value.Cas.Value}), installed over {(marker.OverAbsent ? "an absent key" : "a value")}")).ConfigureAwait(false);
        CacheValue stored = await client.GetAsync(marker.DescriptorKey, cancellationToken).ConfigureAwait(false);
        Descriptor? descriptor = stored.Found ? StoredRecordCodec.DecodeDescriptor(marker.DescriptorKey, stored) : null;
        var states = new List<McasItemState>();
        if (descriptor is null)
        {
            await output.WriteLineAsync($"descriptor {marker.DescriptorKey} on {client.Locate(marker.DescriptorKey)}: missing").ConfigureAwait(false);
        }
        else
        {
            await output.WriteLineAsync(Invariant(
                $"descriptor {descriptor.Key} on {client.Locate(descriptor.Key)}: {StatusName(descriptor.Status)} (id {descriptor.Id}, {descriptor.Items.Length} entries)")).ConfigureAwait(false);
            for (int i = 0; i < descriptor.Items.Length; i++)
            {
                DescriptorItem item = descriptor.Items[i];
                CacheValue now = await client.GetAsync(item.Key, cancellationToken).ConfigureAwait(false);
                McasItemState state = McasClient.ItemState(descriptor, item, now);
                states.Add(state);
                await output.WriteLineAsync(EntryLine(item, descriptor.RecordedAt(i), state, now)).ConfigureAwait(false);
            }
        }

        McasKeyPlan plan = McasClient.Plan(key, marker, value.Cas.Value, descriptor, states);
        await output.WriteLineAsync($"repair: {ActionName(plan.Action)}: {plan.Reason}").ConfigureAwait(false);
        return plan.Action;
    }

    private static string EntryLine(DescriptorItem item, ulong recorded, McasItemState state, CacheValue now)
    {
        string expected = item.ExpectAbsent ? "absent" : Invariant($"cas {item.ExpectedCas}");
        string old = item.OldValue is null ? "none" : Invariant($"{item.OldValue.Length} bytes flags {item.OldFlags}");
        string next = item.NewValue is null ? "delete" : Invariant($"{item.NewValue.Length} bytes flags {item.NewFlags}");
        string holds = state switch
        {
            McasItemState.HeldByThisOperation => Invariant($"this operation's marker (cas {now.Cas.Value})"),
            McasItemState.HeldByOtherOperation => Invariant($"another operation's marker (cas {now.Cas.Value})"),
            McasItemState.AsRead => item.ExpectAbsent ? "still absent" : "still as read",
            _ => now.Found ? Invariant($"changed (cas {now.Cas.Value})") : "changed (absent)",
        };
        return Invariant($"  entry {item.Key}: expects {expected}, old {old}, new {next}, recorded marker {(recorded == 0 ? "none" : recorded.ToString(CultureInfo.InvariantCulture))}; now {holds}");
    }

    internal static string StatusName(McasStatus status) => status switch
    {
        McasStatus.Undecided => "undecided",
        McasStatus.Succeeded => "succeeded",
        _ => "failed",
    };

    private static string ActionName(McasKeyAction action) => action switch
    {
        McasKeyAction.RollForward => "roll forward",
        McasKeyAction.RollBack => "roll back",
        McasKeyAction.DependsOnOtherOperation => "depends on another operation",
        McasKeyAction.DeleteOrphan => "delete the orphan marker",
        McasKeyAction.DescriptorMissing => "descriptor missing",
        _ => "nothing",
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
