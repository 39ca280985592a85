using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Memstore.Load;

/// <summary>
/// Runs memcaslap (libmemcached-tools) against the first server with the same concurrency, duration,
/// value size and get/set proportion, and reads its throughput from the "Run time: ... TPS: n" line.
/// </summary>
internal static partial class Memcaslap
{
    /// <summary>memcaslap's minimum key length; the runner's own keys have the same length.</summary>
    public const int KeyLength = 16;

    public static double? Run(LoadOptions options)
    {
        var (host, port) = options.Endpoints[0];
        var config = Path.Combine(Path.GetTempPath(), $"memstore-memcaslap-{Environment.ProcessId}.cnf");
        var setRatio = 1 - options.GetRatio;
        File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture,
            $"key\n{KeyLength} {KeyLength} 1\nvalue\n{options.ValueSize} {options.ValueSize} 1\ncmd\n0 {setRatio:0.000}\n1 {options.GetRatio:0.000}\n"));
        var seconds = Math.Max(1, (int)Math.Round(options.DurationSeconds));
        var info = new ProcessStartInfo("memcaslap") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        var args = new List<string>
        {
            "-s", $"{host}:{port}", "-T", options.MemcaslapThreads.ToString(CultureInfo.InvariantCulture),
            "-c", options.Concurrency.ToString(CultureInfo.InvariantCulture), "-t", $"{seconds}s",
            "-X", options.ValueSize.ToString(CultureInfo.InvariantCulture), "-F", config,
        };
        if (options.MultiGet > 1)
        {
            args.Add("-d");
            args.Add(options.MultiGet.ToString(CultureInfo.InvariantCulture));
        }
        args.ForEach(info.ArgumentList.Add);
        Console.WriteLine($"memcaslap_command=memcaslap {string.Join(' ', args)}");
        try
        {
            using var process = Process.Start(info) ?? throw new InvalidOperationException("memcaslap did not start");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(seconds + 30)))
            {
                process.Kill(entireProcessTree: true);
                Console.Error.WriteLine("memcaslap did not finish in time; killed");
                return null;
            }
            var output = stdout.Result + stderr.Result;
            var match = TpsLine().Match(output);
            if (!match.Success)
            {
                Console.Error.WriteLine($"could not find memcaslap's TPS in its output:\n{output}");
                return null;
            }
            Console.WriteLine($"memcaslap_summary={match.Value.Trim()}");
            return double.Parse(match.Groups["tps"].Value, CultureInfo.InvariantCulture);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Console.Error.WriteLine($"memcaslap could not be run: {ex.Message}");
            return null;
        }
        finally
        {
            File.Delete(config);
        }
    }

    [GeneratedRegex(@"Run time: \S+ Ops: \d+ TPS: (?<tps>\d+)")]
    private static partial Regex TpsLine();
}
