using System.Globalization;
using Memstore.Load;

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (UsageException ex)
{
    if (ex.Message.Length > 0)
    {
        Console.Error.WriteLine($"error: {ex.Message}");
    }
    Console.Error.WriteLine(LoadOptions.Usage);
    return ex.Message.Length > 0 ? 2 : 0;
}

var result = await LoadRunner.RunAsync(options).ConfigureAwait(false);
var ci = CultureInfo.InvariantCulture;
if (options.CompareMemcaslap)
{
    var memcaslap = Memcaslap.Run(options);
    if (memcaslap is { } theirs)
    {
        Console.WriteLine(string.Create(ci,
            $"memcaslap_ops_per_sec={theirs:0} memstore_ops_per_sec={result.OpsPerSecond:0} ratio={(theirs > 0 ? result.OpsPerSecond / theirs : 0):0.00}"));
    }
    else
    {
        Console.WriteLine("memcaslap_ops_per_sec=unavailable");
    }
}
if (options.CompareBlocking)
{
    // Right after Memstore's run, against the same server and keys, so both see the same machine.
    var blocking = BlockingBaseline.Run(options);
    Console.WriteLine(string.Create(ci,
        $"blocking_ops_per_sec={blocking.OpsPerSecond:0} blocking_p50_us={blocking.P50} blocking_p99_us={blocking.P99} blocking_errors={blocking.Errors} memstore_ops_per_sec={result.OpsPerSecond:0} ratio={(blocking.OpsPerSecond > 0 ? result.OpsPerSecond / blocking.OpsPerSecond : 0):0.00}"));
}
Console.WriteLine(string.Create(ci, $"ops_per_sec={result.OpsPerSecond:0} p50_us={result.P50} p99_us={result.P99} errors={result.Errors}"));
return 0;
