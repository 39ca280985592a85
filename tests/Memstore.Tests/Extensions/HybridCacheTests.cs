using System.Diagnostics;
using Memstore.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace Memstore.Tests.Extensions;

/// <summary>
/// HybridCache with Memstore as its second level, across two OS processes: this test process and
/// tests/Memstore.HybridWorker, each with its own HybridCache and in-memory first level.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class HybridCacheTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>
{
    public sealed record Greeting(string Text, int Number);

    private static string WorkerPath()
    {
        // tests/Memstore.Tests/bin/<Configuration>/net10.0/ → tests/Memstore.HybridWorker/bin/<Configuration>/net10.0/
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = here.Parent!.Name;
        var path = Path.Combine(here.Parent.Parent!.Parent!.Parent!.FullName, "Memstore.HybridWorker", "bin", configuration, here.Name, "Memstore.HybridWorker.dll");
        Assert.True(File.Exists(path), $"the worker is built with the tests; not found at {path}");
        return path;
    }

    private static async Task<string> RunWorkerAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(WorkerPath());
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"worker exited with {process.ExitCode}: {await errors}");
        return (await output).Trim();
    }

    private ServiceProvider Provider()
    {
        var services = new ServiceCollection();
        services.AddMemstore(o => o.Servers.Add(fixture.Server.Address));
        services.AddMemstoreDistributedCache();
        services.AddHybridCache();
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task A_value_written_here_is_read_by_another_process()
    {
        await using var provider = Provider();
        var cache = provider.GetRequiredService<HybridCache>();
        var key = TestKeys.Unique("hybrid");
        await cache.SetAsync(key, new Greeting("hello from the test process", 42));
        Assert.Equal("hello from the test process 42", await RunWorkerAsync(fixture.Server.ConnectionString, "read", key));
        Assert.Equal("miss", await RunWorkerAsync(fixture.Server.ConnectionString, "read", TestKeys.Unique("hybrid")));
    }

    [Fact]
    public async Task A_value_written_by_another_process_is_read_here()
    {
        var key = TestKeys.Unique("hybrid");
        Assert.Equal("written", await RunWorkerAsync(fixture.Server.ConnectionString, "write", key, "hello from the worker", "7"));
        await using var provider = Provider();
        var cache = provider.GetRequiredService<HybridCache>();
        var value = await cache.GetOrCreateAsync<Greeting>(key, _ => throw new InvalidOperationException("the value should come from memcached"));
        Assert.Equal(new Greeting("hello from the worker", 7), value);
    }
}
