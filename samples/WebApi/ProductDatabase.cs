namespace Memstore.Samples.WebApi;

/// <summary>A product as the API returns it.</summary>
public sealed record Product(int Id, string Name, decimal Price, DateTimeOffset LoadedAt);

/// <summary>Stands in for a slow database: each load takes 50 ms and is counted.</summary>
public sealed class ProductDatabase
{
    private int _loads;

    /// <summary>How many times a product was loaded from the "database" (cache misses).</summary>
    public int Loads => Volatile.Read(ref _loads);

    /// <summary>Loads one product.</summary>
    public async ValueTask<Product> LoadAsync(int id, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _loads);
        await Task.Delay(50, cancellationToken);
        return new Product(id, $"Product {id}", 10m + id, DateTimeOffset.UtcNow);
    }
}
