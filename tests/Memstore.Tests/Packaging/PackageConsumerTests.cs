using System.IO.Compression;
using System.Text.RegularExpressions;

namespace Memstore.Tests.Packaging;

/// <summary>
/// The one Memstore package, packed once: what it carries, and new projects that reference only it — a
/// console app with a generated store (it must build and run) and the web app from README.md with
/// HybridCache (it must build without a warning).
/// </summary>
[Collection(PackedPackageGroup.Name)]
[Trait("Category", "Packaging")]
public sealed partial class PackageConsumerTests(PackedPackage package)
{
    [GeneratedRegex("<!-- package-test:begin -->\\s*```csharp\\n(?<code>.*?)```\\s*<!-- package-test:end -->", RegexOptions.Singleline)]
    private static partial Regex DocumentedProgram();

    [Fact]
    public async Task The_package_carries_the_runtime_generator_analyzers_and_symbols()
    {
        Assert.True(File.Exists(Path.ChangeExtension(package.PackagePath, ".snupkg")));
        using var zip = ZipFile.OpenRead(package.PackagePath);
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("lib/net10.0/Memstore.dll", entries);
        Assert.Contains("lib/net10.0/Memstore.xml", entries);
        Assert.Contains("analyzers/dotnet/cs/Memstore.Generators.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/Memstore.Analyzers.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/Memstore.Analyzers.CodeFixes.dll", entries);
        using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        var manifest = await nuspec.ReadToEndAsync();
        Assert.DoesNotContain("Memstore.Analyzers", manifest, StringComparison.Ordinal); // shipped inside, not a dependency
        Assert.DoesNotContain("Memstore.Generators", manifest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_console_project_with_a_generated_store_builds_and_runs_from_the_package()
    {
        var app = await package.NewProjectAsync("Console", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Memstore" Version="{package.Version}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
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
            """);
        await PackedPackage.DotnetAsync(app, "build", "-c", "Release");
        var output = await PackedPackage.DotnetAsync(app, "run", "-c", "Release", "--no-build");
        Assert.Contains("c:p:7 Product { Name = pen, Count = 2 }", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_README_web_app_builds_without_warnings_against_the_package()
    {
        var app = await package.NewProjectAsync("Web", $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Memstore" Version="{package.Version}" />
                <PackageReference Include="Microsoft.Extensions.Caching.Hybrid" Version="10.11.0" />
              </ItemGroup>
            </Project>
            """);
        // README.md and docs/getting-started.md show the same program; the test builds README's.
        var root = PackedPackage.RepositoryRoot;
        var program = DocumentedProgram().Match(await File.ReadAllTextAsync(Path.Combine(root, "README.md")));
        Assert.True(program.Success, "README.md has no block between <!-- package-test:begin --> and <!-- package-test:end -->");
        var guide = DocumentedProgram().Match(await File.ReadAllTextAsync(Path.Combine(root, "docs", "getting-started.md")));
        Assert.Equal(program.Groups["code"].Value, guide.Groups["code"].Value);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), program.Groups["code"].Value);

        var build = await PackedPackage.DotnetAsync(app, "build", "-c", "Release");
        Assert.Contains("0 Warning(s)", build, StringComparison.Ordinal);
    }
}
