using System.Diagnostics;

namespace Memstore.Tests.Packaging;

/// <summary>
/// The Memstore package, packed once per test run (without rebuilding: other test projects are running
/// the assemblies) into a local feed under a unique version; consumer projects restore it from there.
/// Every packaging test class shares this one fixture through <see cref="PackedPackageGroup"/>.
/// </summary>
public sealed class PackedPackage : IAsyncLifetime
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("memstore-package-");

    public string Version { get; } = $"0.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}.{Environment.ProcessId}";

    public string Feed => Path.Combine(_work.FullName, "feed");

    public string PackagePath => Path.Combine(Feed, $"Memstore.{Version}.nupkg");

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Sdk.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException("Sdk.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public async Task InitializeAsync()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        await DotnetAsync(RepositoryRoot, "pack", "src/Runtime/Memstore.csproj", "--no-build", "-c", configuration, "-o", Feed, $"-p:Version={Version}");
    }

    /// <summary>A new, empty project folder whose nuget.config adds the local feed beside the default source.</summary>
    public async Task<string> NewProjectAsync(string name, string projectXml)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_work.FullName, name)).FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="memstore-local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        // Keep this repository's build settings (central versions, warnings) out of the consumer.
        await File.WriteAllTextAsync(Path.Combine(directory, "Directory.Build.props"), "<Project></Project>");
        await File.WriteAllTextAsync(Path.Combine(directory, "Directory.Packages.props"), "<Project></Project>");
        await File.WriteAllTextAsync(Path.Combine(directory, $"{name}.csproj"), projectXml);
        return directory;
    }

    /// <summary>Runs the dotnet CLI and returns its output; a non-zero exit fails the test with that output.</summary>
    public static Task<string> DotnetAsync(string workingDirectory, params string[] arguments) =>
        DotnetAsync(TimeSpan.FromMinutes(5), workingDirectory, arguments);

    /// <inheritdoc cref="DotnetAsync(string, string[])"/>
    public static async Task<string> DotnetAsync(TimeSpan timeout, string workingDirectory, params string[] arguments)
    {
        var (exitCode, text) = await RunAsync("dotnet", workingDirectory, timeout, arguments);
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', arguments)} in {workingDirectory} failed with {exitCode}:\n{text}");
        return text;
    }

    /// <summary>
    /// Runs a program and returns its exit code and output (standard output, then standard error). One that
    /// outlives <paramref name="timeout"/> is killed with its children and fails the test with what it printed.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"{fileName} {string.Join(' ', arguments)} in {workingDirectory} did not finish within {timeout} and was killed:\n{await output}{await errors}");
        }
        return (process.ExitCode, await output + await errors);
    }

    public Task DisposeAsync()
    {
        _work.Delete(recursive: true);
        var cached = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), "memstore", Version);
        if (Directory.Exists(cached))
        {
            Directory.Delete(cached, recursive: true);
        }
        return Task.CompletedTask;
    }
}

/// <summary>The packaging tests: one pack for all their classes, which run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PackedPackageGroup : ICollectionFixture<PackedPackage>
{
    public const string Name = "Packed package";
}
