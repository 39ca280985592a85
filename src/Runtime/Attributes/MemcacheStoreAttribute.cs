namespace Memstore;

/// <summary>
/// Marks a partial class as a typed store. The Memstore source generator writes a constructor taking a
/// <see cref="MemcacheClient"/> and implements every partial keyspace property of the class
/// (<see cref="KeyspaceAttribute"/>, <see cref="CounterAttribute"/>).
/// </summary>
/// <example>
/// <code>
/// [MemcacheStore(Prefix = "bank:", DefaultTtlSeconds = 3600)]
/// public partial class BankStore
/// {
///     [Keyspace("acct:{id}")]
///     public partial Keyspace&lt;string, Account&gt; Accounts { get; }
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
public sealed class MemcacheStoreAttribute : Attribute
{
    /// <summary>Text put in front of every key of the store, such as <c>"bank:"</c>. Empty by default.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>
    /// Time to live, in seconds, of items written through the store when neither the call nor the keyspace
    /// gives one. Zero (the default) means items do not expire.
    /// </summary>
    public int DefaultTtlSeconds { get; set; }
}
