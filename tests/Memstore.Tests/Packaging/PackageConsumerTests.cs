using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Memstore.Tests.Packaging;

/// <summary>
/// Packs src/Runtime, then builds a new project that references only the packed Memstore package (from a
/// local folder feed) plus HybridCache, with the code of docs/getting-started.md, and expects no warning.
/// </summary>
public sealed partial class PackageConsumerTests
{
    private static string RepositoryRoot()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return here.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
    }

    private static async Task<string> RunAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        var text = await output + await errors;
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} failed with {process.ExitCode}:\n{text}");
        return text;
    }

    [GeneratedRegex("<!-- package-test:begin -->\\s*```csharp\\n(?<code>.*?)```\\s*<!-- package-test:end -->", RegexOptions.Singleline)]
    private static partial Regex DocumentedProgram();

    [Fact]
    public async Task A_new_project_builds_without_warnings_against_the_packed_package()
    {
        var root = RepositoryRoot();
        var work = Directory.CreateTempSubdirectory("memstore-package-");
        var version = $"0.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        try
        {
            var feed = Path.Combine(work.FullName, "feed");
            // --no-build: pack what this test run was built from, so a parallel build is not disturbed.
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            await RunAsync(root, "pack", "src/Runtime/Memstore.csproj", "--no-build", "-c", configuration, "-o", feed, $"-p:Version={version}");
            Assert.True(File.Exists(Path.Combine(feed, $"Memstore.{version}.nupkg")));
            Assert.True(File.Exists(Path.Combine(feed, $"Memstore.{version}.snupkg")));

            var app = Directory.CreateDirectory(Path.Combine(work.FullName, "app")).FullName;
            await File.WriteAllTextAsync(Path.Combine(work.FullName, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="memstore-local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "App.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk.Web">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Memstore" Version="{version}" />
                    <PackageReference Include="Microsoft.Extensions.Caching.Hybrid" Version="10.11.0" />
                  </ItemGroup>
                </Project>
                """);
            // README.md and docs/getting-started.md show the same program; the test builds README's.
            var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"));
            var program = DocumentedProgram().Match(readme);
            Assert.True(program.Success, "README.md has no block between <!-- package-test:begin --> and <!-- package-test:end -->");
            var guide = DocumentedProgram().Match(await File.ReadAllTextAsync(Path.Combine(root, "docs", "getting-started.md")));
            Assert.Equal(program.Groups["code"].Value, guide.Groups["code"].Value);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), program.Groups["code"].Value);

            var build = await RunAsync(app, "build", "-c", "Release");
            Assert.Contains("0 Warning(s)", build, StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
            var cached = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), "memstore", version);
            if (Directory.Exists(cached))
            {
                Directory.Delete(cached, recursive: true);
            }
        }
    }
}
