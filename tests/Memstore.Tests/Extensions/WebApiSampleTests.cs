using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Extensions;

/// <summary>samples/WebApi started as a process on 127.0.0.1: read-through cache, sessions, per-server health.</summary>
[Trait("Category", "Memcached")]
public sealed class WebApiSampleTests
{
    private static string SamplePath()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = here.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(root, "samples", "WebApi", "bin", here.Parent.Name, here.Name, "WebApi.dll");
        Assert.True(File.Exists(path), $"the sample is built with the tests; not found at {path}");
        return path;
    }

    [Fact]
    public async Task The_sample_caches_reads_keeps_sessions_and_reports_each_server()
    {
        await using var memcached = await MemcachedServer.StartAsync();
        var deadServer = $"127.0.0.1:{MemcachedServer.RefusingPort()}";
        var port = MemcachedServer.FreePort();
        var dll = SamplePath();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { dll, "--urls", $"http://127.0.0.1:{port}", "--Memstore:Servers:0", memcached.ConnectionString, "--Memstore:Servers:1", deadServer, "--Memstore:ServerFailureLimit", "1", "--Memstore:DeadTime", "00:01:00" })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            var health = await WaitForHealthAsync(http, process);

            // The dead server is reported as down, the live one as up: degraded, not unhealthy.
            var deadline = Stopwatch.StartNew();
            while (health.GetProperty("status").GetString() != "Degraded" && deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(100);
                health = await http.GetFromJsonAsync<JsonElement>("/health");
            }
            var servers = health.GetProperty("checks").GetProperty("memcached").GetProperty("servers");
            Assert.Equal("up", servers.GetProperty(memcached.ConnectionString).GetString());
            Assert.Equal("down", servers.GetProperty(deadServer).GetString());

            // Read-through: two reads, one load. Pick product ids whose keys live on the live server.
            await using var locator = MemcacheClient.Create($"{memcached.ConnectionString},{deadServer}");
            var id = Enumerable.Range(1, 100).First(i => locator.Locate($"product:{i}").ToString() == memcached.ConnectionString);
            var first = await http.GetFromJsonAsync<JsonElement>($"/products/{id}");
            var second = await http.GetFromJsonAsync<JsonElement>($"/products/{id}");
            Assert.Equal(first.GetProperty("loadedAt").GetString(), second.GetProperty("loadedAt").GetString());
            Assert.Equal(1, (await http.GetFromJsonAsync<JsonElement>("/products/loads")).GetProperty("loads").GetInt32());
            await using var client = MemcacheClient.Create(memcached.ConnectionString);
            Assert.True((await client.GetAsync($"product:{id}")).Found); // the second level really is memcached

            // Sessions, in whichever server is alive (the sample uses Redistribute failover).
            var created = await http.PostAsJsonAsync("/sessions", new { user = "ada" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var session = await created.Content.ReadFromJsonAsync<JsonElement>();
            var sessionId = session.GetProperty("id").GetString();
            Assert.Equal("ada", (await http.GetFromJsonAsync<JsonElement>($"/sessions/{sessionId}")).GetProperty("user").GetString());
            Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/sessions/{sessionId}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/sessions/{sessionId}")).StatusCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            await process.WaitForExitAsync();
        }

        async Task<JsonElement> WaitForHealthAsync(HttpClient http, Process web)
        {
            var waited = Stopwatch.StartNew();
            while (true)
            {
                if (web.HasExited)
                {
                    Assert.Fail($"the sample exited with {web.ExitCode}: {await output} {await errors}");
                }
                try
                {
                    var response = await http.GetAsync("/health");
                    return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                }
                catch (HttpRequestException) when (waited.Elapsed < TimeSpan.FromSeconds(30))
                {
                    await Task.Delay(100);
                }
            }
        }
    }
}
