using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Memstore.Samples.WebApi;

/// <summary>
/// Reports each memcached server: Healthy when all are in service, Degraded when some are marked dead,
/// Unhealthy when none is. The data lists every server as "up" or "down".
/// </summary>
public sealed class MemstoreHealthCheck(MemcacheClient client) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var servers = client.ServerHealth;
        var data = servers.ToDictionary(static s => s.Key.ToString(), static s => (object)(s.Value ? "up" : "down"));
        var up = servers.Count(static s => s.Value);
        var result = up == servers.Count
            ? HealthCheckResult.Healthy($"{up} of {servers.Count} memcached servers in service", data)
            : up == 0
                ? new HealthCheckResult(context.Registration.FailureStatus, "no memcached server is in service", data: data)
                : HealthCheckResult.Degraded($"{up} of {servers.Count} memcached servers in service", data: data);
        return Task.FromResult(result);
    }

    /// <summary>Writes the health report as JSON: overall status and, per check, status, description and servers.</summary>
    public static Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                static e => e.Key,
                static e => new { status = e.Value.Status.ToString(), description = e.Value.Description, servers = e.Value.Data }),
        }, new JsonSerializerOptions { WriteIndented = true });
    }
}
