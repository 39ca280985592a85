using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Memstore.Generators.Tests;

/// <summary>
/// Packs src/Runtime and builds a fresh project against the package from a local folder: the runtime comes from
/// lib/ and the generator from analyzers/dotnet/cs, with nothing from this repository on the project's paths.
/// </summary>
public sealed class PackageTests
{
    private const string Program = """
        using Memstore;
        using MessagePack;

        var store = new Consumer.ShopStore(MemcacheClient.Create("127.0.0.1:11211"));
        var options = MessagePackSerializerOptions.Standard.WithResolver(Memstore.Generated.MemstoreResolver.Instance);
        var bytes = MessagePackSerializer.Serialize(new Consumer.Product("pen", 2), options);
        var back = MessagePackSerializer.Deserialize<Consumer.Product>(bytes, options);
        Console.WriteLine($"{store.Products.FormatKey(7)} {back}");

        namespace Consumer
        {
            public sealed record Product(string Name, int Count);

            [MemcacheStore(Prefix = "c:")]
            public partial class ShopStore
            {
                [Keyspace("p:{id}")]
                public partial Keyspace<int, Product> Products { get; }
            }
        }
        """;

    [Fact]
    [Trait("Category", "Package")]
    public async Task Packed_package_carries_runtime_and_generator_into_a_fresh_project()
    {
        var repo = RepositoryRoot();
        var work = Directory.CreateTempSubdirectory("memstore-pack-");
        var version = $"0.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        try
        {
            var feed = Path.Combine(work.FullName, "feed");
            // --no-build: pack what this test run was built from; rebuilding the runtime here would rewrite
            // assemblies that other test projects running in parallel are loading.
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            await Run(repo, "dotnet", "pack", "src/Runtime/Memstore.csproj", "--no-build", "-c", configuration, "-o", feed, $"-p:Version={version}");
            var package = Path.Combine(feed, $"Memstore.{version}.nupkg");
            Assert.True(File.Exists(package), $"no package at {package}");
            using (var zip = System.IO.Compression.ZipFile.OpenRead(package))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToList();
                Assert.Contains("lib/net10.0/Memstore.dll", entries);
                Assert.Contains("analyzers/dotnet/cs/Memstore.Generators.dll", entries);
            }

            var app = Directory.CreateDirectory(Path.Combine(work.FullName, "app")).FullName;
            await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local-memstore" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "Directory.Build.props"), "<Project></Project>");
            await File.WriteAllTextAsync(Path.Combine(app, "Directory.Packages.props"), "<Project></Project>");
            await File.WriteAllTextAsync(Path.Combine(app, "App.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Memstore" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), Program);
            await Run(app, "dotnet", "build", "-c", "Release");
            var output = await Run(app, "dotnet", "run", "-c", "Release", "--no-build");
            Assert.Contains("c:p:7 Product { Name = pen, Count = 2 }", output);
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

    private static async Task<string> Run(string directory, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} in {directory} exited {process.ExitCode}:\n{output}");
        return output;
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
