// A separate OS process for the multi-process MCAS and deque tests (tests/Memstore.Tests/Mcas/MultiProcessTests.cs).
// Modes:
//   transfer <servers> <prefix> <accounts> <seconds> <seed>   random transfers until the time is up
//   crash    <servers> <prefix> <accounts>                    one transfer that stops after phase 1 and waits to be killed
//   produce  <servers> <deque> <producer> <count>             pushes "<producer>:<i>" at the right end
//   consume  <servers> <deque>                                pops from the left until empty and "<deque>:done" exists
//   bench    <servers>                                        MCAS and deque figures for docs/performance.md
//   tokens   <servers> <prefix> <slots> <tokens> <seconds> <seed> [loops [tolerate-transport]]   token moves + checker (TokenWorkload.cs)
//   tokens-seed  <servers> <prefix> <slots> <tokens>          tokens in the first slots, the rest deleted
//   tokens-check <servers> <prefix> <slots> <tokens>          end invariant; exit 1 and VIOLATION if broken
//   starved  <live> <frozen> <closed> <closed-pid> <timeout-ms>                   calls while the thread pool is blocked (PoolStarvation.cs)
//   stampede <servers> <key> <callers> <factory-ms> <start-unix-ms> [naive]   one cold key, many callers (Stampede.cs)
using System.Diagnostics;
using System.Text;
using Memstore;
using Memstore.Collections;
using Memstore.Mcas;

var mode = args[0];
if (mode == "starved")
{
    return await PoolStarvation.RunAsync(args[1], args[2], args[3], int.Parse(args[4]), TimeSpan.FromMilliseconds(int.Parse(args[5])));
}
await using var client = MemcacheClient.Create(args[1]);
switch (mode)
{
    case "transfer":
        await TransferAsync(client, args[2], int.Parse(args[3]), TimeSpan.FromSeconds(double.Parse(args[4])), int.Parse(args[5]));
        break;
    case "crash":
        await CrashAsync(client, args[2], int.Parse(args[3]));
        break;
    case "produce":
        var producer = await MemcacheDeque.BindAsync(client, args[2]);
        for (var i = 0; i < int.Parse(args[4]); i++)
        {
            await producer.PushRightAsync(Encoding.UTF8.GetBytes($"{args[3]}:{i}"));
        }
        Console.WriteLine("DONE");
        break;
    case "tokens":
        await TokenWorkload.RunAsync(client, args[2], int.Parse(args[3]), int.Parse(args[4]), TimeSpan.FromSeconds(double.Parse(args[5])), int.Parse(args[6]),
            args.Length > 7 ? int.Parse(args[7]) : 4, tolerateTransport: args.Length > 8 && args[8] == "tolerate-transport");
        break;
    case "tokens-seed":
        await TokenWorkload.SeedAsync(client, args[2], int.Parse(args[3]), int.Parse(args[4]));
        break;
    case "tokens-check":
        return await TokenWorkload.CheckAsync(client, args[2], int.Parse(args[3]), int.Parse(args[4])) ? 0 : 1;
    case "stampede":
        await Stampede.RunAsync(client, args[2], int.Parse(args[3]), int.Parse(args[4]), long.Parse(args[5]), args.Length > 6 && args[6] == "naive");
        break;
    case "bench":
        await McasBench.RunAsync(args[1]);
        break;
    case "consume":
        await ConsumeAsync(client, args[2]);
        break;
    default:
        Console.Error.WriteLine($"unknown mode {mode}");
        return 2;
}
return 0;

static string Account(string prefix, int i) => $"{prefix}acct:{i}";

static long Balance(McasEntry entry) => long.Parse(Encoding.ASCII.GetString(entry.Value!));

static async Task TransferOnceAsync(McasClient mcas, string prefix, int accounts, Random random)
{
    var from = random.Next(accounts);
    var to = (from + 1 + random.Next(accounts - 1)) % accounts;
    var amount = random.Next(1, 50);
    await mcas.TransactAsync(async (tx, ct) =>
    {
        var entries = await tx.GetManyAsync([Account(prefix, from), Account(prefix, to)], ct);
        var (a, b) = (Balance(entries[0]), Balance(entries[1]));
        if (a >= amount)
        {
            tx.Set(entries[0].Key, Encoding.ASCII.GetBytes((a - amount).ToString()));
            tx.Set(entries[1].Key, Encoding.ASCII.GetBytes((b + amount).ToString()));
        }
    });
}

static async Task TransferAsync(MemcacheClient client, string prefix, int accounts, TimeSpan duration, int seed)
{
    var mcas = new McasClient(client, new McasOptions { RetryBudget = TimeSpan.FromSeconds(30) });
    var clock = Stopwatch.StartNew();
    var commits = 0;
    // Four concurrent callers per process: contention inside the process as well as across processes.
    var workers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
    {
        var random = new Random(seed * 100 + w);
        while (clock.Elapsed < duration)
        {
            await TransferOnceAsync(mcas, prefix, accounts, random);
            Interlocked.Increment(ref commits);
        }
    }));
    await Task.WhenAll(workers);
    await mcas.FlushAsync();
    Console.WriteLine($"DONE commits={commits} seconds={clock.Elapsed.TotalSeconds:F1}");
}

static async Task CrashAsync(MemcacheClient client, string prefix, int accounts)
{
    var mcas = new McasClient(client);
    mcas.AfterPhase1ForTesting = async (descriptor, keys, ct) =>
    {
        Console.WriteLine($"PHASE1 {descriptor} {string.Join(' ', keys)}");
        Console.Out.Flush();
        await Task.Delay(Timeout.Infinite, ct); // the test SIGKILLs us here
    };
    await TransferOnceAsync(mcas, prefix, accounts, new Random());
    Console.WriteLine("NOT KILLED");
}

static async Task ConsumeAsync(MemcacheClient client, string name)
{
    var deque = await MemcacheDeque.BindAsync(client, name);
    var output = new StringBuilder();
    while (true)
    {
        var popped = await deque.TryPopLeftAsync();
        if (popped.Success)
        {
            output.Append(Encoding.UTF8.GetString(popped.Value!)).Append('\n');
            continue;
        }
        // Empty: stop only once producers are done and one more pop still finds nothing.
        if ((await client.GetAsync(name + ":done")).Found)
        {
            var last = await deque.TryPopLeftAsync();
            if (!last.Success)
            {
                break;
            }
            output.Append(Encoding.UTF8.GetString(last.Value!)).Append('\n');
            continue;
        }
        await Task.Delay(2);
    }
    await deque.FlushAsync();
    Console.Write(output);
    Console.WriteLine("DONE");
}
