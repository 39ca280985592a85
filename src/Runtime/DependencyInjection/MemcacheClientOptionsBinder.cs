using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Memstore.DependencyInjection;

/// <summary>
/// Reads <see cref="MemcacheClientOptions"/> from a configuration section by hand, so every mistake is
/// reported with its configuration path ("Memstore:Servers:1:Port must be 1..65535; it is 70000.") and
/// all mistakes at once. Unknown settings are errors: a misspelt timeout must not be silently ignored.
/// </summary>
internal static class MemcacheClientOptionsBinder
{
    /// <summary>Sections that belong to other parts of Memstore and are skipped here.</summary>
    private static readonly HashSet<string> OtherSections = new(StringComparer.OrdinalIgnoreCase) { "Clients", "DistributedCache" };

    private static readonly HashSet<string> ServerFields = new(StringComparer.OrdinalIgnoreCase) { "Host", "Port", "Weight" };

    private static readonly HashSet<string> Settings = new(StringComparer.OrdinalIgnoreCase)
    {
        "Servers", "Distribution", "KeyMode", "MaxValueSize", "MaxResponseValueSize", "OperationTimeout", "ConnectTimeout", "StallTimeout",
        "ReconnectDelay", "MaxReconnectDelay", "Failover", "ServerFailureLimit", "ServerTimeoutLimit", "DeadTime", "ConnectionsPerServer",
        "MaxQueuedRequestsPerConnection", "RecordKeysInTraces",
    };

    /// <summary>Applies the section to <paramref name="options"/>; returns the problems found (empty when none).</summary>
    public static List<string> Bind(IConfigurationSection section, MemcacheClientOptions options)
    {
        var errors = new List<string>();
        options.ConfigurationPath = section.Path;
        foreach (var child in section.GetChildren())
        {
            if (!Settings.Contains(child.Key) && !OtherSections.Contains(child.Key))
            {
                errors.Add($"{child.Path} is not a Memstore setting. Known settings: {string.Join(", ", Settings.Order(StringComparer.Ordinal))}.");
            }
        }
        BindServers(section.GetSection("Servers"), options, errors);
        Read<MemcacheDistribution>(section, "Distribution", errors, static (string text, out MemcacheDistribution value) =>
            MemcacheDistributionNames.TryParse(text, out value) || TryEnum(text, out value),
            "one of " + string.Join(", ", MemcacheDistributionNames.All), v => options.Distribution = v);
        Read<KeyMode>(section, "KeyMode", errors, TryEnum, "Text or Binary", (KeyMode v) => options.KeyMode = v);
        Read<FailoverPolicy>(section, "Failover", errors, TryEnum, "FailFast or Redistribute", (FailoverPolicy v) => options.Failover = v);
        Read<int>(section, "MaxValueSize", errors, TryInt, "a whole number of bytes", v => options.MaxValueSize = v);
        Read<int>(section, "MaxResponseValueSize", errors, TryInt, "a whole number of bytes", v => options.MaxResponseValueSize = v);
        Read<int>(section, "ServerFailureLimit", errors, TryInt, "a whole number", v => options.ServerFailureLimit = v);
        Read<int>(section, "ServerTimeoutLimit", errors, TryInt, "a whole number", v => options.ServerTimeoutLimit = v);
        Read<int>(section, "ConnectionsPerServer", errors, TryInt, "a whole number", v => options.ConnectionsPerServer = v);
        Read<int>(section, "MaxQueuedRequestsPerConnection", errors, TryInt, "a whole number", v => options.MaxQueuedRequestsPerConnection = v);
        Read<bool>(section, "RecordKeysInTraces", errors, bool.TryParse, "true or false", v => options.RecordKeysInTraces = v);
        const string span = "a time span such as \"00:00:02\" (2 s) or \"00:00:00.250\" (250 ms)";
        Read<TimeSpan>(section, "OperationTimeout", errors, TryTimeSpan, span, v => options.OperationTimeout = v);
        Read<TimeSpan>(section, "ConnectTimeout", errors, TryTimeSpan, span, v => options.ConnectTimeout = v);
        Read<TimeSpan>(section, "StallTimeout", errors, TryTimeSpan, span, v => options.StallTimeout = v);
        Read<TimeSpan>(section, "ReconnectDelay", errors, TryTimeSpan, span, v => options.ReconnectDelay = v);
        Read<TimeSpan>(section, "MaxReconnectDelay", errors, TryTimeSpan, span, v => options.MaxReconnectDelay = v);
        Read<TimeSpan>(section, "DeadTime", errors, TryTimeSpan, span, v => options.DeadTime = v);
        return errors;
    }

    private delegate bool Parser<T>(string text, out T value);

    private static void Read<T>(IConfigurationSection section, string name, List<string> errors, Parser<T> parse, string expected, Action<T> apply)
    {
        var child = section.GetSection(name);
        if (child.Value is null)
        {
            if (child.GetChildren().Any())
            {
                errors.Add($"{child.Path} must be a single value ({expected}), not a section.");
            }
            return;
        }
        if (parse(child.Value.Trim(), out var value))
        {
            apply(value);
        }
        else
        {
            errors.Add($"{child.Path} is \"{child.Value}\"; expected {expected}.");
        }
    }

    private static void BindServers(IConfigurationSection servers, MemcacheClientOptions options, List<string> errors)
    {
        if (servers.Value is { } list)
        {
            options.Servers.Clear();
            try
            {
                foreach (var server in ServerAddress.ParseList(list))
                {
                    options.Servers.Add(server);
                }
            }
            catch (FormatException ex)
            {
                errors.Add($"{servers.Path}: {ex.Message}");
            }
            return;
        }
        var entries = servers.GetChildren().ToList();
        if (entries.Count == 0)
        {
            return;
        }
        options.Servers.Clear();
        foreach (var entry in entries.OrderBy(static e => int.TryParse(e.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue))
        {
            if (entry.Value is { } text)
            {
                if (ServerAddress.TryParse(text, out var address, out var error))
                {
                    options.Servers.Add(address);
                }
                else
                {
                    errors.Add($"{entry.Path}: {error}");
                }
                continue;
            }
            BindServerObject(entry, options, errors);
        }
    }

    private static void BindServerObject(IConfigurationSection entry, MemcacheClientOptions options, List<string> errors)
    {
        foreach (var field in entry.GetChildren())
        {
            if (!ServerFields.Contains(field.Key))
            {
                errors.Add($"{field.Path} is not a server setting; a server has Host, Port and Weight (or is written as \"host:port:weight\").");
            }
        }
        var host = entry["Host"];
        var ok = true;
        if (string.IsNullOrWhiteSpace(host))
        {
            errors.Add($"{entry.Path}:Host is missing; a server needs a host name or IP address.");
            ok = false;
        }
        var port = ServerAddress.DefaultPort;
        if (entry["Port"] is { } portText && (!TryInt(portText, out port) || port is < 1 or > 65535))
        {
            errors.Add($"{entry.Path}:Port must be 1..65535; it is \"{portText}\".");
            ok = false;
        }
        var weight = 1;
        if (entry["Weight"] is { } weightText && (!TryInt(weightText, out weight) || weight < 1))
        {
            errors.Add($"{entry.Path}:Weight must be a whole number of at least 1; it is \"{weightText}\".");
            ok = false;
        }
        if (!ok)
        {
            return;
        }
        try
        {
            options.Servers.Add(new ServerAddress(host!.Trim(), port, weight));
        }
        catch (ArgumentException ex)
        {
            errors.Add($"{entry.Path}:Host is invalid: {ex.Message}");
        }
    }

    private static bool TryInt(string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private static bool TryEnum<T>(string text, out T value)
        where T : struct, Enum =>
        Enum.TryParse(text, ignoreCase: true, out value) && Enum.IsDefined(value) && !char.IsAsciiDigit(text[0]) && text[0] != '-';

    /// <summary>TimeSpan text ("00:00:02"); a bare number is refused, because TimeSpan reads "5" as five days.</summary>
    private static bool TryTimeSpan(string text, out TimeSpan value)
    {
        value = default;
        return text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
    }
}
