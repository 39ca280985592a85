using Microsoft.CodeAnalysis;

namespace Memstore.Generators;

internal static class Descriptors
{
    private const string Category = "Memstore";
    private const string HelpBase = "https://github.com/memstore/memstore/blob/main/docs/diagnostics/";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpBase + id + ".md");

    public static readonly DiagnosticDescriptor StoreNotPartial = Error(
        "MEMS1001", "Store class must be partial",
        "'{0}' has [MemcacheStore] but is not partial; add the partial modifier so the generator can implement it");

    public static readonly DiagnosticDescriptor ContainerNotPartial = Error(
        "MEMS1002", "Type containing a store must be partial",
        "'{0}' contains the store '{1}' but is not partial; add the partial modifier to every enclosing type");

    public static readonly DiagnosticDescriptor UnsupportedMember = Error(
        "MEMS1003", "Unsupported keyspace member",
        "'{0}' cannot be a keyspace: {1}");

    public static readonly DiagnosticDescriptor UnsupportedKeyType = Error(
        "MEMS1004", "Unsupported key type",
        "Key type '{0}' of '{1}' is not supported; use string, an integer type, Guid, an enum, or a tuple of those");

    public static readonly DiagnosticDescriptor UnsupportedValueType = Error(
        "MEMS1005", "Unsupported value type",
        "Value type of '{0}' cannot be serialized: {1}");

    public static readonly DiagnosticDescriptor TemplateMismatch = Error(
        "MEMS1006", "Key template does not match the key",
        "Key template \"{0}\" does not match key type '{1}': {2}");

    public static readonly DiagnosticDescriptor KeyCollision = Error(
        "MEMS1007", "Two keyspaces can produce the same key",
        "Keyspace '{0}' (\"{1}\") can produce the same key as '{2}' (\"{3}\"); give one of them a distinct literal part");

    public static readonly DiagnosticDescriptor KeyTooLong = Error(
        "MEMS1008", "Key template too long",
        "Keys of '{0}' are at least {1} bytes (prefix and template), over memcached's 250-byte limit");

    public static readonly DiagnosticDescriptor InvalidKeyCharacter = Error(
        "MEMS1009", "Character not allowed in a key",
        "{0} \"{1}\" contains {2}, which cannot appear in a memcached key");

    public static readonly DiagnosticDescriptor OutsideStore = new(
        "MEMS1010", "Keyspace outside a store",
        "'{0}' has [{1}] but '{2}' is not a store (a partial class marked [MemcacheStore]); the attribute is ignored",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpBase + "MEMS1010.md");

    public static readonly DiagnosticDescriptor InvalidTtl = Error(
        "MEMS1011", "Invalid time to live",
        "{0} is {1}; use a number of seconds (0 for no expiry{2})");

    public static readonly DiagnosticDescriptor ConstructorConflict = Error(
        "MEMS1012", "Store declares the generated constructor",
        "'{0}' declares a constructor taking a MemcacheClient, which the generator writes; remove it (use other constructors that call this(client))");

    public static readonly DiagnosticDescriptor InvalidStoreType = Error(
        "MEMS1013", "Type cannot be a store",
        "'{0}' cannot be a store: {1}");

    public static readonly DiagnosticDescriptor ConflictingStoreDeclarations = Error(
        "MEMS1014", "Partial declarations of a store disagree",
        "[MemcacheStore] on this part of '{0}' sets {1} to {2}, another part sets it to {3}; give the attribute once, or the same arguments on every part");

    public static readonly DiagnosticDescriptor GeneratorFailed = Error(
        "MEMS1015", "The Memstore generator failed",
        "The Memstore generator failed while {0} '{1}' ({2}: {3}); nothing was generated for it. This is a bug in the generator: please report it with the declaration that triggers it.");

    public static readonly DiagnosticDescriptor InvalidCompression = Error(
        "MEMS1016", "Invalid compression setting",
        "'{0}': {1}");

    public static readonly DiagnosticDescriptor GeneratedNameCollision = Error(
        "MEMS1017", "Name collides with a generated member",
        "'{0}' collides with {1}, which the generator writes; {2}");

    public static DiagnosticDescriptor? Find(string id) => id switch
    {
        "MEMS1017" => GeneratedNameCollision,
        "MEMS1016" => InvalidCompression,
        "MEMS1015" => GeneratorFailed,
        "MEMS1013" => InvalidStoreType,
        "MEMS1014" => ConflictingStoreDeclarations,
        "MEMS1012" => ConstructorConflict,
        "MEMS1001" => StoreNotPartial,
        "MEMS1002" => ContainerNotPartial,
        "MEMS1003" => UnsupportedMember,
        "MEMS1004" => UnsupportedKeyType,
        "MEMS1005" => UnsupportedValueType,
        "MEMS1006" => TemplateMismatch,
        "MEMS1007" => KeyCollision,
        "MEMS1008" => KeyTooLong,
        "MEMS1009" => InvalidKeyCharacter,
        "MEMS1010" => OutsideStore,
        "MEMS1011" => InvalidTtl,
        _ => null,
    };
}
