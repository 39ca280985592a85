using System.Diagnostics;

namespace Memstore.Tests.Mcas;

/// <summary>Starting, pausing, killing and finishing the worker processes of the multi-process MCAS tests.</summary>
internal static class WorkerProcesses
{
    /// <summary>A tests/Memstore.StressWorker process with the given mode and arguments.</summary>
    public static Process Worker(params string[] arguments) => Start("dotnet", [WorkerPath, .. arguments]);

    public static Process Start(string fileName, IEnumerable<string> arguments, bool redirectInput = false)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = redirectInput, UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
    }

    /// <summary>SIGSTOP / SIGCONT (there is no .NET API for them).</summary>
    public static async Task SignalAsync(Process process, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString()]) ?? throw new InvalidOperationException("kill did not start");
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>SIGKILL, no clean-up of any kind; waits until the process is gone.</summary>
    public static async Task KillAsync(Process process)
    {
        using (process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Waits for a clean exit and returns the standard output.</summary>
    public static async Task<string> FinishAsync(Process process, TimeSpan timeout)
    {
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            try
            {
                await process.WaitForExitAsync().WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                process.Kill();
                throw;
            }
            Assert.True(process.ExitCode == 0, $"worker failed ({process.ExitCode}): {await stderr}\n{await stdout}");
            return await stdout;
        }
    }

    /// <summary>The test project's ancestor directory holding tests/ (for tests/mcas-python).</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (Directory.Exists(Path.Combine(dir.FullName, "tests", "mcas-python")))
                {
                    return dir.FullName;
                }
            }
            throw new DirectoryNotFoundException("tests/mcas-python not found above " + AppContext.BaseDirectory);
        }
    }

    public static string WorkerPath
    {
        get
        {
            // tests/Memstore.Tests/bin/<Configuration>/net10.0/ → tests/Memstore.StressWorker/bin/<Configuration>/net10.0/
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            var configuration = here.Parent!.Name;
            var path = Path.Combine(here.Parent.Parent!.Parent!.Parent!.FullName, "Memstore.StressWorker", "bin", configuration, here.Name, "Memstore.StressWorker.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build tests/Memstore.StressWorker first (it is built with the test project).", path);
        }
    }

    /// <summary>
    /// Logs each worker's output and fails on any CORRUPTION or VIOLATION line, or on a worker that did not end with
    /// <paramref name="done"/> (it crashed or hung).
    /// </summary>
    public static void AssertWorkersClean(IEnumerable<string> outputs, Xunit.Abstractions.ITestOutputHelper output, string done)
    {
        foreach (var text in outputs)
        {
            output.WriteLine(text.Trim());
            Assert.DoesNotContain("CORRUPTION", text);
            Assert.DoesNotContain("VIOLATION", text);
            Assert.Contains(done, text);
        }
    }
}
