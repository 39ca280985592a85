using System.Diagnostics;
using Memstore.Tests.Infrastructure;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Memstore.Tests.Telemetry;

/// <summary>The OpenTelemetry SDK receives Memstore's spans and metrics through AddSource / AddMeter.</summary>
[Collection(TelemetryTestGroup.Name)]
[Trait("Category", "Memcached")]
public sealed class OpenTelemetryExporterTests
{
    [Fact]
    public async Task The_in_memory_exporter_receives_spans_and_metrics()
    {
        await using var server = await MemcachedServer.StartAsync();
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(MemstoreTelemetry.ActivitySourceName).AddInMemoryExporter(spans).Build())
        using (var meters = Sdk.CreateMeterProviderBuilder().AddMeter(MemstoreTelemetry.MeterName).AddInMemoryExporter(metrics).Build())
        {
            await using var client = MemcacheClient.Create(server.ConnectionString);
            var key = TestKeys.Unique();
            await client.SetAsync(key, "v");
            await client.GetAsync(key);
            tracing.ForceFlush();
            meters.ForceFlush();
        }

        var mine = spans.Where(s => Equals(s.GetTagItem("server.port"), server.Port)).ToList();
        Assert.Equal(["set", "get"], mine.Select(s => s.DisplayName));
        Assert.All(mine, s => Assert.Equal("memcached", s.GetTagItem("db.system.name")));

        var names = metrics.Select(m => m.Name).ToHashSet();
        Assert.Contains(MemstoreTelemetry.OperationDuration, names);
        Assert.Contains(MemstoreTelemetry.Operations, names);
        Assert.Contains(MemstoreTelemetry.QueueDepth, names);
        Assert.Contains(MemstoreTelemetry.ServerHealth, names);
        var duration = metrics.First(m => m.Name == MemstoreTelemetry.OperationDuration);
        Assert.Equal("s", duration.Unit);
        long count = 0;
        foreach (ref readonly var point in duration.GetMetricPoints())
        {
            foreach (var tag in point.Tags)
            {
                if (tag.Key == "server.port" && Equals(tag.Value, server.Port))
                {
                    count += point.GetHistogramCount();
                }
            }
        }
        Assert.Equal(2, count);
    }
}
