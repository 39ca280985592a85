namespace Memstore.Protocol;

/// <summary>The phrases every error message uses to say which operation failed, written once.</summary>
internal static class ErrorText
{
    /// <summary><c>'get' of key "k"</c>, or <c>'stats'</c> for an operation without a key.</summary>
    public static string Operation(string name, string? key) =>
        key is null ? $"'{name}'" : $"'{name}' of key {KeyCodec.Describe(key)}";
}
