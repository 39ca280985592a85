using System.Diagnostics;

namespace Memstore.Analyzers.Tests;

/// <summary>The analyzer as users get it: a real project, a real <c>dotnet build</c>, the warning in its output.</summary>
[Trait("Category", "Packaging")]
public class BuildTests
{
    private const string Program = """
        using Memstore;

        [assembly: MemstoreKeyspaceManifest("bank:acct:{id}", "Bank.BankStore", "Accounts", true)]

        public static class Demo
        {
            public static async Task<byte[]?> ReadAsync(MemcacheClient client, string id) =>
                (await client.GetAsync($"bank:acct:{id}")).Value;
        }
        """;

    [Fact]
    public async Task A_plain_read_of_an_mcas_key_warns_in_dotnet_build()
    {
        var root = RepositoryRoot();
        // The test runs from bin/<Configuration>/net10.0: build against the same, already built, configuration.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var dir = Directory.CreateTempSubdirectory("memstore-analyzer-build-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "Program.cs"), Program);
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "Throwaway.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                  </PropertyGroup>
                  <ItemGroup>
                    <ProjectReference Include="{root}/src/Runtime/Memstore.csproj" />
                    <ProjectReference Include="{root}/src/Analyzers/Memstore.Analyzers.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
                  </ItemGroup>
                </Project>
                """);
            // Restore only this project and build only this project: the referenced ones are built (this test
            // project depends on them) and may be in use by other tests running now.
            var restore = await RunAsync(dir.FullName, "restore", "-p:RestoreRecursive=false", "--disable-build-servers");
            Assert.True(restore.ExitCode == 0, restore.Output);
            var build = await RunAsync(dir.FullName, "build", "--no-restore", "--no-dependencies", "-c", configuration, "--disable-build-servers", "-nodeReuse:false");
            Assert.True(build.ExitCode == 0, build.Output);
            Assert.Contains("Program.cs(8,32): warning MEMS2001", build.Output, StringComparison.Ordinal);
            Assert.Contains("MCAS keyspace 'Bank.BankStore.Accounts' (template 'bank:acct:{id}')", build.Output, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string RepositoryRoot()
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

    private static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // Variables the test host inherits from the outer build would point this build at the wrong MSBuild.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
