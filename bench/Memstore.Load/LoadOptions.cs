using System.Globalization;
using System.Net;

namespace Memstore.Load;

/// <summary>Command line of the load runner. Invalid input is a <see cref="UsageException"/> (exit code 2).</summary>
internal sealed class LoadOptions
{
    public const string Usage =
        "usage: Memstore.Load --servers HOST:PORT[,HOST:PORT...] --concurrency N --duration SECONDS\n"
        + "                     [--get-ratio 0.9] [--value-size 100] [--keys 10000] [--multiget K]\n"
        + "                     [--warmup SECONDS] [--compare-memcaslap] [--memcaslap-threads 1]\n"
        + "                     [--compare-blocking]   also run a blocking one-socket-per-thread client (first server)\n"
        + "                     [--tls-ca FILE]        connect with TLS, trusting the CA certificates in FILE (memcached -Z)\n"
        + "                     [--progress SECONDS]   also print the throughput of every interval of that length while measuring\n"
        + "Servers must be loopback addresses (127.0.0.0/8, ::1, localhost).";

    public string Servers { get; private set; } = "";
    public IReadOnlyList<(string Host, int Port)> Endpoints { get; private set; } = [];
    public int Concurrency { get; private set; }
    public double DurationSeconds { get; private set; }
    public double WarmupSeconds { get; private set; } = -1;
    public double GetRatio { get; private set; } = 0.9;
    public int ValueSize { get; private set; } = 100;
    public int Keys { get; private set; } = 10_000;
    public int MultiGet { get; private set; }
    public bool CompareMemcaslap { get; private set; }
    public bool CompareBlocking { get; private set; }
    public int MemcaslapThreads { get; private set; } = 1;
    public string? TlsCaFile { get; private set; }
    public double ProgressSeconds { get; private set; }

    /// <summary>The client's connection string: the servers, with TLS settings when <c>--tls-ca</c> is given.</summary>
    public string ConnectionString => TlsCaFile is null ? Servers : $"{Servers};tls-ca={TlsCaFile}";

    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{name} needs a value");
            switch (name)
            {
                case "--servers": options.Servers = Value(); break;
                case "--concurrency": options.Concurrency = Int(name, Value(), 1, 100_000); break;
                case "--duration": options.DurationSeconds = Double(name, Value(), 0.1, 3600); break;
                case "--warmup": options.WarmupSeconds = Double(name, Value(), 0, 600); break;
                case "--get-ratio": options.GetRatio = Double(name, Value(), 0, 1); break;
                case "--value-size": options.ValueSize = Int(name, Value(), 1, 1024 * 1024); break;
                case "--keys": options.Keys = Int(name, Value(), 1, 10_000_000); break;
                case "--multiget": options.MultiGet = Int(name, Value(), 1, 10_000); break;
                case "--compare-memcaslap": options.CompareMemcaslap = true; break;
                case "--compare-blocking": options.CompareBlocking = true; break;
                case "--memcaslap-threads": options.MemcaslapThreads = Int(name, Value(), 1, 64); break;
                case "--tls-ca": options.TlsCaFile = Value(); break;
                case "--progress": options.ProgressSeconds = Double(name, Value(), 0.1, 3600); break;
                case "-h" or "--help": throw new UsageException("");
                default: throw new UsageException($"unknown argument '{name}'");
            }
        }
        if (options.Servers.Length == 0 || options.Concurrency == 0 || options.DurationSeconds == 0)
        {
            throw new UsageException("--servers, --concurrency and --duration are required");
        }
        if (options.TlsCaFile is not null && (options.CompareMemcaslap || options.CompareBlocking))
        {
            throw new UsageException("--tls-ca cannot be combined with --compare-memcaslap or --compare-blocking: those clients speak no TLS");
        }
        options.Endpoints = options.Servers.Split(',').Select(ParseEndpoint).ToArray();
        if (options.WarmupSeconds < 0)
        {
            options.WarmupSeconds = Math.Min(2, options.DurationSeconds / 5);
        }
        return options;
    }

    private static (string, int) ParseEndpoint(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new UsageException($"server '{text}' is not HOST:PORT");
        }
        var host = text[..colon].Trim('[', ']');
        var loopback = host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
        if (!loopback)
        {
            throw new UsageException($"server '{text}' is not a loopback address; this load runner only targets local servers");
        }
        return (host, port);
    }

    private static int Int(string name, string text, int min, int max) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value : throw new UsageException($"{name} must be an integer in [{min}, {max}], not '{text}'");

    private static double Double(string name, string text, double min, double max) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value : throw new UsageException($"{name} must be a number in [{min}, {max}], not '{text}'");
}

internal sealed class UsageException(string message) : Exception(message);
