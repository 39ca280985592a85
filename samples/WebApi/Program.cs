// Memstore web sample: HybridCache over Memstore as a read-through cache, sessions in a typed store,
// and a health endpoint that reports each memcached server.
//   dotnet run --project samples/WebApi -- --urls http://127.0.0.1:5080 --Memstore:Servers:0=127.0.0.1:11211
using Memstore.Samples.WebApi;
using Microsoft.Extensions.Caching.Hybrid;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddMemstore();                 // reads the "Memstore" section, validated at start
builder.Services.AddMemstoreDistributedCache(); // IDistributedCache + IBufferDistributedCache over the client
builder.Services.AddHybridCache();              // picks the IDistributedCache up as its second level
builder.Services.AddMemstoreStore<SessionStore>();
builder.Services.AddSingleton<ProductDatabase>();
builder.Services.AddHealthChecks().AddCheck<MemstoreHealthCheck>("memcached");

var app = builder.Build();

// Read-through: the first request loads from the "database", later ones (from any instance) hit the cache.
app.MapGet("/products/{id:int}", async (int id, HybridCache cache, ProductDatabase database, CancellationToken cancellationToken) =>
    await cache.GetOrCreateAsync(
        $"product:{id}",
        (database, id),
        static (state, token) => state.database.LoadAsync(state.id, token),
        new HybridCacheEntryOptions { Expiration = TimeSpan.FromMinutes(5), LocalCacheExpiration = TimeSpan.FromSeconds(30) },
        cancellationToken: cancellationToken));

app.MapGet("/products/loads", (ProductDatabase database) => new { database.Loads });

app.MapPost("/sessions", async (SessionRequest request, SessionStore sessions, CancellationToken cancellationToken) =>
{
    var session = await sessions.CreateAsync(request.User, cancellationToken);
    return Results.Created($"/sessions/{session.Id}", session);
});

app.MapGet("/sessions/{id}", async (string id, SessionStore sessions, CancellationToken cancellationToken) =>
    await sessions.GetAsync(id, cancellationToken) is { } session ? Results.Ok(session) : Results.NotFound());

app.MapDelete("/sessions/{id}", async (string id, SessionStore sessions, CancellationToken cancellationToken) =>
    await sessions.DeleteAsync(id, cancellationToken) ? Results.NoContent() : Results.NotFound());

app.MapHealthChecks("/health", new() { ResponseWriter = MemstoreHealthCheck.WriteJsonAsync });

app.Run();

internal sealed record SessionRequest(string User);
