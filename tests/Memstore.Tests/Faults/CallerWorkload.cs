using System.Collections.Concurrent;
using System.Diagnostics;

namespace Memstore.Tests.Faults;

/// <summary>
/// Callers that each own a few keys and a counter, run a mix of sets, gets, multi-gets, MCAS-path reads and
/// increments, and check every answer against what they wrote: a value must be one the caller stored there
/// (or tried to, when that store failed and may or may not have been applied), a miss only before any store
/// was confirmed, a set must answer Stored, a counter must move forward by no more than the increments sent.
/// Every call must end within the operation timeout plus a margin, and fail only with Memstore's exceptions.
/// </summary>
internal sealed class CallerWorkload
{
    private const int KeysPerCaller = 6;

    private readonly MemcacheClient _client;
    private readonly TimeSpan _callLimit;
    private readonly string _prefix;
    private readonly CallerState[] _callers;

    public CallerWorkload(MemcacheClient client, int callers, string prefix, TimeSpan callLimit)
    {
        _client = client;
        _callLimit = callLimit;
        _prefix = prefix;
        _callers = Enumerable.Range(0, callers).Select(i => new CallerState(i)).ToArray();
    }

    /// <summary>Wrong values, wrong statuses, untyped exceptions and overlong calls, with what happened.</summary>
    public ConcurrentQueue<string> Violations { get; } = new();

    /// <summary>Typed failures seen, by exception type.</summary>
    public ConcurrentDictionary<string, int> Failures { get; } = new();

    public int Calls => _callers.Sum(c => c.Calls);

    public int Successes => _callers.Sum(c => c.Successes);

    public TimeSpan LongestCall => _callers.Max(c => c.Longest);

    /// <summary>Runs every caller until <paramref name="duration"/> has passed.</summary>
    public Task RunAsync(TimeSpan duration)
    {
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        return Task.WhenAll(_callers.Select(c => Task.Run(() => RunCallerAsync(c, until))));
    }

    /// <summary>
    /// Once faults are off: each caller must complete a store and a read of its own within
    /// <paramref name="limit"/>. Returns how long the slowest took.
    /// </summary>
    public async Task<TimeSpan> RecoverAsync(TimeSpan limit)
    {
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(_callers.Select(c => Task.Run(async () =>
        {
            while (Stopwatch.GetElapsedTime(started) < limit)
            {
                if (await StepAsync(c, 0) && await StepAsync(c, 1))
                {
                    return;
                }
                await Task.Delay(20);
            }
            Violations.Enqueue($"caller {c.Id} did not recover within {limit.TotalSeconds} s after the proxy passed through again");
        })));
        return Stopwatch.GetElapsedTime(started);
    }

    private async Task RunCallerAsync(CallerState caller, long until)
    {
        var step = caller.Id;
        while (Stopwatch.GetTimestamp() < until)
        {
            await StepAsync(caller, step++ % 5);
        }
    }

    /// <summary>One call, timed and checked. Returns whether it succeeded.</summary>
    private async Task<bool> StepAsync(CallerState caller, int kind)
    {
        var slot = caller.Random.Next(KeysPerCaller);
        var key = $"{_prefix}:c{caller.Id}:k{slot}";
        var started = Stopwatch.GetTimestamp();
        string? what = null;
        try
        {
            switch (kind)
            {
                case 0:
                    var value = $"{key}=v{caller.Calls}:{new string('x', caller.Random.Next(200))}";
                    what = "set " + key;
                    caller.Tried(slot, value);
                    StoreResult stored;
                    try
                    {
                        stored = await _client.SetAsync(key, value);
                    }
                    catch
                    {
                        caller.Unknown[slot].Add(value);
                        throw;
                    }
                    if (stored.Status != StoreStatus.Stored)
                    {
                        Violations.Enqueue($"set {key} answered {stored.Status}");
                    }
                    else
                    {
                        caller.Confirmed(slot, value);
                    }
                    break;
                case 1:
                    what = "get " + key;
                    Check(caller, slot, key, (await _client.GetAsync(key)).AsString());
                    break;
                case 2:
                    what = "get-many";
                    var keys = Enumerable.Range(0, KeysPerCaller).Select(j => $"{_prefix}:c{caller.Id}:k{j}").ToArray();
                    var values = await _client.GetManyAsync(keys);
                    for (var j = 0; j < keys.Length; j++)
                    {
                        Check(caller, j, keys[j], values[j].AsString());
                    }
                    break;
                case 3:
                    what = "mcas-get " + key;
                    Check(caller, slot, key, (await _client.GetWithTtlAsync(key, CancellationToken.None)).Value.AsString());
                    break;
                default:
                    var counter = $"{_prefix}:c{caller.Id}:counter";
                    what = "increment " + counter;
                    caller.IncrementsSent++;
                    var result = await _client.IncrementAsync(counter, 1, initialValue: 0);
                    // The first increment creates the counter at 0; every later one adds 1; failed ones may or may not have.
                    if (!result.Found || (long)result.Value < caller.LastCounter + 1 || (long)result.Value > caller.IncrementsSent - 1)
                    {
                        Violations.Enqueue($"increment {counter} answered {result.Found}/{result.Value} after {caller.IncrementsSent} sent, last seen {caller.LastCounter}");
                    }
                    caller.LastCounter = (long)result.Value;
                    break;
            }
            caller.Successes++;
            return true;
        }
        catch (MemcacheException ex)
        {
            Failures.AddOrUpdate(ex.GetType().Name, 1, static (_, n) => n + 1);
            return false;
        }
#pragma warning disable CA1031 // Anything that is not Memstore's is the finding.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Violations.Enqueue($"{what} threw {ex.GetType().Name}: {ex.Message}");
            return false;
        }
        finally
        {
            caller.Calls++;
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed > caller.Longest)
            {
                caller.Longest = elapsed;
            }
            if (elapsed > _callLimit)
            {
                Violations.Enqueue($"{what} took {elapsed.TotalMilliseconds:0} ms, over the {_callLimit.TotalMilliseconds:0} ms limit");
            }
        }
    }

    private void Check(CallerState caller, int slot, string key, string? read)
    {
        if (!caller.Acceptable[slot].Contains(read))
        {
            Violations.Enqueue(read is null
                ? $"{key} read as a miss after a confirmed store"
                : $"{key} read {Shorten(read)}, which this caller never stored there (acceptable: {caller.Acceptable[slot].Count})");
        }
    }

    private static string Shorten(string text) => text.Length > 60 ? text[..60] + "..." : text;

    private sealed class CallerState(int id)
    {
        public int Id { get; } = id;
        public Random Random { get; } = new(id);
        public int Calls { get; set; }
        public int Successes { get; set; }
        public TimeSpan Longest { get; set; }
        public long LastCounter { get; set; } = -1;
        public long IncrementsSent { get; set; }

        /// <summary>Per key: the values a read may return (null for a miss).</summary>
        public HashSet<string?>[] Acceptable { get; } = Enumerable.Range(0, KeysPerCaller).Select(_ => new HashSet<string?> { null }).ToArray();

        /// <summary>Per key: values of stores that failed, so may or may not have been applied.</summary>
        public HashSet<string>[] Unknown { get; } = Enumerable.Range(0, KeysPerCaller).Select(_ => new HashSet<string>()).ToArray();

        /// <summary>A store is about to be sent: until it is answered, it may or may not apply.</summary>
        public void Tried(int slot, string value) => Acceptable[slot].Add(value);

        /// <summary>
        /// A store was confirmed: only its value can be read now, or one of a store whose outcome is unknown
        /// (a reset connection's last bytes may still be applied by the server after this store). Values of
        /// earlier confirmed stores are no longer acceptable, so a stale reply is caught.
        /// </summary>
        public void Confirmed(int slot, string value)
        {
            Acceptable[slot] = [value, .. Unknown[slot]];
        }
    }
}
