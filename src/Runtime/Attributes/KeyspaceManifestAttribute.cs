namespace Memstore;

/// <summary>
/// Declares one keyspace of a Memstore store to the Memstore analyzers: its full key template and whether
/// MCAS manages its keys. Emitted by the Memstore generator, once per generated keyspace; not for hand use,
/// with one supported exception: a project may declare by hand keys that MCAS manages elsewhere (for example
/// keys written by another service through <c>McasClient</c>), so that the analyzers protect them too.
/// </summary>
/// <remarks>
/// The analyzers read these attributes from the assembly being compiled and from every referenced assembly,
/// so a store declared in one project is protected in every project that references it. See
/// docs/diagnostics/README.md for the contract.
/// </remarks>
/// <param name="keyTemplate">
/// The full key template, store prefix included, with a <c>{name}</c> placeholder for each key parameter:
/// for example <c>bank:acct:{id}</c>.
/// </param>
/// <param name="store">The fully qualified name of the store type, for example <c>Bank.BankStore</c>.</param>
/// <param name="member">The name of the keyspace member in the store, for example <c>Accounts</c>.</param>
/// <param name="mcasManaged">Whether every read and write of the keyspace's keys must go through MCAS.</param>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true, Inherited = false)]
public sealed class MemstoreKeyspaceManifestAttribute(string keyTemplate, string store, string member, bool mcasManaged) : Attribute
{
    /// <summary>The full key template, store prefix included, with <c>{name}</c> placeholders.</summary>
    public string KeyTemplate { get; } = keyTemplate;

    /// <summary>The fully qualified name of the store type.</summary>
    public string Store { get; } = store;

    /// <summary>The name of the keyspace member in the store.</summary>
    public string Member { get; } = member;

    /// <summary>Whether every read and write of the keyspace's keys must go through MCAS.</summary>
    public bool McasManaged { get; } = mcasManaged;
}
