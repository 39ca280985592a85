using System.Diagnostics;

namespace Memstore.Tests.Cli;

/// <summary>
/// A detached tmux session running the real `memstore` executable in a real terminal, for the live views
/// (top, bench). ./run installs tmux; without it the tests that need it skip, saying so.
/// </summary>
internal sealed class Tmux : IDisposable
{
    private Tmux(string session) => Session = session;

    public string Session { get; }

    /// <summary>Null when tmux is on the PATH; otherwise why the terminal tests cannot run.</summary>
    public static string? Missing { get; } = Find("tmux") is null ? "tmux is not installed (./run installs it with apt-get)" : null;

    /// <summary>`dotnet path/Memstore.Cli.dll`: the CLI built next to the tests.</summary>
    public static string CliCommand => $"dotnet {Path.Combine(AppContext.BaseDirectory, "Memstore.Cli.dll")}";

    /// <summary>Starts <paramref name="command"/> in a 200x50 terminal; after it ends the shell prints EXITED and its exit code.</summary>
    public static Tmux Start(string command)
    {
        var tmux = new Tmux($"memstore-test-{Guid.NewGuid():N}");
        Run("new-session", "-d", "-s", tmux.Session, "-x", "200", "-y", "50", $"bash -c '{command}; echo EXITED $?; sleep 60'");
        return tmux;
    }

    public string Capture() => Run("capture-pane", "-p", "-t", Session);

    public void SendKeys(string keys) => Run("send-keys", "-t", Session, keys);

    /// <summary>Captures until <paramref name="done"/> holds, for at most <paramref name="seconds"/>; returns the last capture.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> done, int seconds = 20)
    {
        string screen = "";
        for (var watch = Stopwatch.StartNew(); watch.Elapsed < TimeSpan.FromSeconds(seconds);)
        {
            screen = Capture();
            if (done(screen))
            {
                return screen;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"tmux session {Session}: not there after {seconds} s. Screen:\n{screen}");
    }

    public void Dispose() => Run("kill-session", "-t", Session);

    private static string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit(10_000);
        return output;
    }

    private static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
}

/// <summary>A test that needs tmux: skipped, with the reason, where tmux is missing.</summary>
public sealed class TmuxTheoryAttribute : TheoryAttribute
{
    public TmuxTheoryAttribute()
    {
        if (Tmux.Missing is { } reason)
        {
            Skip = reason;
        }
    }
}
