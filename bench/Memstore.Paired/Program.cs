using Memstore.Paired;

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i]] = args[i + 1];
}

if (args.Length % 2 != 0 || !options.ContainsKey("--old") || !options.ContainsKey("--new") || !options.ContainsKey("--server"))
{
    Console.Error.WriteLine(PairedHost.Usage);
    return 2;
}

return await PairedHost.RunAsync(options).ConfigureAwait(false);
