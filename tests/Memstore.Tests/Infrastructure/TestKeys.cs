namespace Memstore.Tests.Infrastructure;

/// <summary>Unique keys per test so tests sharing a server never see each other's items.</summary>
public static class TestKeys
{
    public static string Unique(string name = "k") => $"{name}:{Guid.NewGuid():N}";
}
