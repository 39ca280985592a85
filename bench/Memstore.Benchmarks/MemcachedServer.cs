using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Memstore.Benchmarks;

/// <summary>
/// A memcached child process on a free loopback port, for benchmarks. Started in [GlobalSetup], killed in
/// [GlobalCleanup]. One worker thread (-t 1) and no UDP, like the load measurements in docs/performance.md.
/// </summary>
internal sealed class MemcachedServer : IDisposable
{
    private readonly Process _process;

    private MemcachedServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static MemcachedServer Start(string path = "/usr/bin/memcached")
    {
        var port = FreeLoopbackPort();
        var info = new ProcessStartInfo(path)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-l", "127.0.0.1", "-U", "0", "-t", "1", "-m", "256" })
        {
            info.ArgumentList.Add(arg);
        }
        if (Environment.UserName == "root")
        {
            info.ArgumentList.Add("-u");
            info.ArgumentList.Add("root");
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {path}");
        var server = new MemcachedServer(process, port);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(5) && !process.HasExited)
            {
                Thread.Sleep(20);
            }
            catch
            {
                server.Dispose();
                throw;
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}
