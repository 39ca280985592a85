using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Memstore.Faults;

/// <summary>A memcached this runner starts on a free loopback port, and can freeze (SIGSTOP) or kill.</summary>
internal sealed class MemcachedProcess : IAsyncDisposable
{
    private static readonly string[] Paths = ["/usr/bin/memcached", "/usr/local/bin/memcached"];
    private readonly Process _process;

    private MemcachedProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public ServerAddress Address => new("127.0.0.1", Port);

    /// <summary>CPU time the server has used (user + system, from /proc), or null once it has exited.</summary>
    public TimeSpan? CpuTime()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
            // Fields after the command name in parentheses: state is field 3, utime 14 and stime 15 (clock ticks, 100 Hz).
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / 100.0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null;
        }
    }

    public static async Task<MemcachedProcess> StartAsync(int threads)
    {
        var port = FreePort();
        var path = Paths.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("memcached is not installed (apt-get install memcached)");
        var start = new ProcessStartInfo(path) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-p", port.ToString(CultureInfo.InvariantCulture), "-l", "127.0.0.1", "-U", "0", "-m", "256", "-t", threads.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }
        if (Environment.UserName == "root")
        {
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add("root");
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("memcached did not start");
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (await AcceptsAsync(port).ConfigureAwait(false))
            {
                return new MemcachedProcess(process, port);
            }
            await Task.Delay(20).ConfigureAwait(false);
        }
        process.Kill();
        throw new TimeoutException($"memcached on port {port} did not start within 10 s");
    }

    public void Freeze() => Signal(19);   // SIGSTOP (Linux)

    public void Thaw() => Signal(18);     // SIGCONT

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    private void Signal(int signal)
    {
        if (!_process.HasExited && SendSignal(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Thaw();
            Kill();
        }
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
