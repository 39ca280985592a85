using System.Globalization;
using System.Security.Authentication;
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

    private const string Span = "a time span such as \"00:00:02\" (2 s) or \"00:00:00.250\" (250 ms)";

    /// <summary>
    /// Every setting configuration can set besides <c>Servers</c>, with its parser and the text that says what is
    /// expected: the one list of bindable options (the set of known names is derived from it). A test checks it
    /// against the public properties of <see cref="MemcacheClientOptions"/>.
    /// </summary>
    internal static readonly Setting[] Bindings =
    [
        Setting.Of<MemcacheDistribution>("Distribution", static (string text, out MemcacheDistribution value) =>
            MemcacheDistributionNames.TryParse(text, out value) || TryEnum(text, out value),
            "one of " + string.Join(", ", MemcacheDistributionNames.All), static (o, v) => o.Distribution = v),
        Setting.Of<KeyMode>("KeyMode", TryEnum, "Text or Base64", static (o, v) => o.KeyMode = v),
        Setting.Of<FailoverPolicy>("Failover", TryEnum, "FailFast, Redistribute or Gutter", static (o, v) => o.Failover = v),
        Setting.Of<int>("MaxValueSize", TryInt, "a whole number of bytes", static (o, v) => o.MaxValueSize = v),
        Setting.Of<int>("MaxResponseValueSize", TryInt, "a whole number of bytes", static (o, v) => o.MaxResponseValueSize = v),
        Setting.Of<int>("ServerFailureLimit", TryInt, "a whole number", static (o, v) => o.ServerFailureLimit = v),
        Setting.Of<int>("ServerTimeoutLimit", TryInt, "a whole number", static (o, v) => o.ServerTimeoutLimit = v),
        Setting.Of<int>("ConnectionsPerServer", TryInt, "a whole number", static (o, v) => o.ConnectionsPerServer = v),
        Setting.Of<int>("MaxQueuedRequestsPerConnection", TryInt, "a whole number", static (o, v) => o.MaxQueuedRequestsPerConnection = v),
        Setting.Of<bool>("RecordKeysInTraces", bool.TryParse, "true or false", static (o, v) => o.RecordKeysInTraces = v),
        Setting.Of<TimeSpan>("OperationTimeout", TryTimeSpan, Span, static (o, v) => o.OperationTimeout = v),
        Setting.Of<TimeSpan>("ConnectTimeout", TryTimeSpan, Span, static (o, v) => o.ConnectTimeout = v),
        Setting.Of<TimeSpan>("StallTimeout", TryTimeSpan, Span, static (o, v) => o.StallTimeout = v),
        Setting.Of<TimeSpan>("ReconnectDelay", TryTimeSpan, Span, static (o, v) => o.ReconnectDelay = v),
        Setting.Of<TimeSpan>("MaxReconnectDelay", TryTimeSpan, Span, static (o, v) => o.MaxReconnectDelay = v),
        Setting.Of<TimeSpan>("DeadTime", TryTimeSpan, Span, static (o, v) => o.DeadTime = v),
        Setting.Of<TimeSpan>("GutterMaxExpiry", TryTimeSpan, Span, static (o, v) => o.GutterMaxExpiry = v),
        Setting.Of<string>("Username", TryText, "a user name", static (o, v) => o.Username = v),
        Setting.Of<string>("Password", TryText, "a password", static (o, v) => o.Password = v),
        Setting.Of<string>("PasswordFile", TryText, "a file path", static (o, v) => o.PasswordFile = v),
        Setting.Of<bool>("Tls:Enabled", bool.TryParse, "true or false", static (o, v) => o.Tls.Enabled = v),
        Setting.Of<string>("Tls:CaCertificatesPath", TryText, "a PEM file path", static (o, v) => o.Tls.CaCertificatesPath = v),
        Setting.Of<string>("Tls:TargetHost", TryText, "a host name", static (o, v) => o.Tls.TargetHost = v),
        Setting.Of<string>("Tls:ClientCertificatePath", TryText, "a PEM file path", static (o, v) => o.Tls.ClientCertificatePath = v),
        Setting.Of<string>("Tls:ClientKeyPath", TryText, "a PEM file path", static (o, v) => o.Tls.ClientKeyPath = v),
        Setting.Of<SslProtocols>("Tls:EnabledSslProtocols", TryProtocols, "Tls12, Tls13 or \"Tls12, Tls13\"", static (o, v) => o.Tls.EnabledSslProtocols = v),
        Setting.Of<bool>("Tls:AllowUntrustedCertificates", bool.TryParse, "true or false", static (o, v) => o.Tls.AllowUntrustedCertificates = v),
    ];

    /// <summary>The names of top-level settings and of those in sections ("Tls:Enabled" is "Enabled" in the "Tls" section).</summary>
    private static readonly HashSet<string> Settings = new(Bindings.Select(static b => b.Name).Append("Servers").Append("GutterServers").Append("AutoDiscovery"), StringComparer.OrdinalIgnoreCase);

    private static readonly HashSet<string> DiscoveryFields = new(StringComparer.OrdinalIgnoreCase) { "Endpoint", "PollInterval", "RetryInterval" };

    private static readonly HashSet<string> SettingSections = new(
        Bindings.Select(static b => b.Name).Where(static n => n.Contains(':', StringComparison.Ordinal)).Select(static n => n[..n.IndexOf(':', StringComparison.Ordinal)]),
        StringComparer.OrdinalIgnoreCase);

    /// <summary>Applies the section to <paramref name="options"/>; returns the problems found (empty when none).</summary>
    public static List<string> Bind(IConfigurationSection section, MemcacheClientOptions options)
    {
        var errors = new List<string>();
        options.ConfigurationPath = section.Path;
        foreach (var child in section.GetChildren())
        {
            if (SettingSections.Contains(child.Key))
            {
                CheckSection(child, errors);
            }
            else if (!Settings.Contains(child.Key) && !OtherSections.Contains(child.Key))
            {
                errors.Add($"{child.Path} is not a Memstore setting. Known settings: {string.Join(", ", Settings.Where(static n => !n.Contains(':', StringComparison.Ordinal)).Concat(SettingSections).Order(StringComparer.Ordinal))}.");
            }
        }
        BindServers(section.GetSection("Servers"), options.Servers, errors);
        BindServers(section.GetSection("GutterServers"), options.GutterServers, errors);
        BindAutoDiscovery(section.GetSection("AutoDiscovery"), options, errors);
        foreach (var binding in Bindings)
        {
            binding.Bind(section, options, errors);
        }
        return errors;
    }

    /// <summary>Unknown keys inside a section of settings such as <c>Tls</c>.</summary>
    private static void CheckSection(IConfigurationSection child, List<string> errors)
    {
        if (child.Value is not null)
        {
            errors.Add($"{child.Path} must be a section (for example {child.Path}:Enabled), not a single value.");
            return;
        }
        var prefix = child.Key + ":";
        var known = Settings.Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Select(n => n[prefix.Length..]).ToList();
        foreach (var field in child.GetChildren())
        {
            if (!known.Contains(field.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{field.Path} is not a Memstore setting. Known {child.Key} settings: {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
            }
        }
    }

    /// <summary>One bindable option: its configuration name and how to read and apply it.</summary>
    internal sealed class Setting
    {
        private Setting(string name, Action<IConfigurationSection, MemcacheClientOptions, List<string>> bind)
        {
            Name = name;
            Bind = bind;
        }

        /// <summary>The configuration key, which is also the property's name.</summary>
        public string Name { get; }

        public Action<IConfigurationSection, MemcacheClientOptions, List<string>> Bind { get; }

        public static Setting Of<T>(string name, Parser<T> parse, string expected, Action<MemcacheClientOptions, T> apply) =>
            new(name, (section, options, errors) => Read(section, name, errors, parse, expected, value => apply(options, value)));
    }

    internal delegate bool Parser<T>(string text, out T value);

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

    /// <summary>A server list (<c>Servers</c>, <c>GutterServers</c>): <c>"a:1,b:2"</c>, or an array of strings and Host/Port/Weight objects.</summary>
    private static void BindServers(IConfigurationSection servers, IList<ServerAddress> target, List<string> errors)
    {
        if (servers.Value is { } list)
        {
            target.Clear();
            try
            {
                foreach (var server in ServerAddress.ParseList(list))
                {
                    target.Add(server);
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
        target.Clear();
        foreach (var entry in entries.OrderBy(static e => int.TryParse(e.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue))
        {
            if (entry.Value is { } text)
            {
                if (ServerAddress.TryParse(text, out var address, out var error))
                {
                    target.Add(address);
                }
                else
                {
                    errors.Add($"{entry.Path}: {error}");
                }
                continue;
            }
            BindServerObject(entry, target, errors);
        }
    }

    /// <summary><c>AutoDiscovery</c>: <c>"host:port"</c> for the endpoint alone, or a section with Endpoint, PollInterval, RetryInterval.</summary>
    private static void BindAutoDiscovery(IConfigurationSection discovery, MemcacheClientOptions options, List<string> errors)
    {
        var endpointSection = discovery.Value is not null ? discovery : discovery.GetSection("Endpoint");
        if (discovery.Value is null && !discovery.GetChildren().Any())
        {
            return;
        }
        foreach (var field in discovery.GetChildren())
        {
            if (!DiscoveryFields.Contains(field.Key))
            {
                errors.Add($"{field.Path} is not an auto-discovery setting; AutoDiscovery has Endpoint, PollInterval and RetryInterval (or is written as \"host:port\").");
            }
        }
        if (endpointSection.Value is not { } endpointText)
        {
            errors.Add($"{discovery.Path}:Endpoint is missing; auto-discovery needs the configuration endpoint as host:port.");
            return;
        }
        if (!ServerAddress.TryParse(endpointText.Trim(), out var endpoint, out var error))
        {
            errors.Add($"{endpointSection.Path}: {error}");
            return;
        }
        var settings = new AutoDiscoveryOptions { Endpoint = endpoint };
        foreach (var (name, apply) in new (string, Func<AutoDiscoveryOptions, TimeSpan, AutoDiscoveryOptions>)[]
        {
            ("PollInterval", static (d, v) => d with { PollInterval = v }),
            ("RetryInterval", static (d, v) => d with { RetryInterval = v }),
        })
        {
            if (discovery[name] is { } text)
            {
                if (TryTimeSpan(text.Trim(), out var value))
                {
                    settings = apply(settings, value);
                }
                else
                {
                    errors.Add($"{discovery.Path}:{name} is \"{text}\"; expected {Span}.");
                }
            }
        }
        options.AutoDiscovery = settings;
    }

    private static void BindServerObject(IConfigurationSection entry, IList<ServerAddress> target, List<string> errors)
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
            target.Add(new ServerAddress(host!.Trim(), port, weight));
        }
        catch (ArgumentException ex)
        {
            errors.Add($"{entry.Path}:Host is invalid: {ex.Message}");
        }
    }

    private static bool TryText(string text, out string value)
    {
        value = text;
        return text.Length > 0;
    }

    /// <summary>"Tls12", "Tls13" or both, comma-separated; nothing older.</summary>
    private static bool TryProtocols(string text, out SslProtocols value)
    {
        value = SslProtocols.None;
        foreach (var name in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (name.Equals("Tls12", StringComparison.OrdinalIgnoreCase))
            {
                value |= SslProtocols.Tls12;
            }
            else if (name.Equals("Tls13", StringComparison.OrdinalIgnoreCase))
            {
                value |= SslProtocols.Tls13;
            }
            else
            {
                return false;
            }
        }
        return value != SslProtocols.None;
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
