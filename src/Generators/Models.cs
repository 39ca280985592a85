using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Memstore.Generators;

/// <summary>A source location as plain values (file path and spans), so models hold no <see cref="Location"/>.</summary>
internal readonly record struct LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(SyntaxNode? node) => node is null ? null : From(node.GetLocation());

    public static LocationInfo? From(Location? location) =>
        location?.SourceTree is null ? null : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}

/// <summary>A diagnostic to report: descriptor id, location and message arguments.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        new(descriptor.Id, location, new EquatableArray<string>(arguments));
}

/// <summary>A type that encloses the store class, written back as <c>partial {Keyword} {Name}</c>.</summary>
internal sealed record ContainerModel(string Keyword, string Name);

/// <summary>A <c>[MemcacheStore]</c> class.</summary>
internal sealed record StoreModel(
    string Key,
    string Namespace,
    string Name,
    string Keyword,
    EquatableArray<ContainerModel> Containers,
    string Prefix,
    LocationInfo? PrefixLocation,
    int DefaultTtlSeconds,
    bool CanEmit,
    bool EmitClientProperty,
    EquatableArray<DiagnosticInfo> Diagnostics,
    LocationInfo? AttributeLocation = null,
    bool CanStub = false,
    EquatableArray<UserMemberModel>? ReservedMembers = null);

/// <summary>A member the user declared on the store with a name the generator may write ("__X", "Transaction", "TransactAsync").</summary>
internal sealed record UserMemberModel(string Name, LocationInfo? Location);

internal enum MemberKind
{
    Keyspace,
    Counter,
    McasGroup,
    Deque,
}

internal enum KeyPartKind
{
    String,
    Signed,
    Unsigned,
    Guid,
}

/// <summary>One placeholder of a key template, bound to the key (or a tuple element of it).</summary>
internal sealed record KeyPartModel(string Placeholder, string Accessor, KeyPartKind Kind, bool IsEnum);

internal enum ValueCodecKind
{
    None,
    Utf8String,
    RawBytes,
    Int64,
    MessagePack,
}

/// <summary>A keyspace, counter, MCAS group or deque property of a store.</summary>
internal sealed record MemberModel(
    string StoreKey,
    MemberKind Kind,
    string PropertyName,
    string PropertyType,
    string Modifiers,
    string KeyType,
    string ValueType,
    string Template,
    EquatableArray<Memstore.Shared.KeyTemplateSegment>? TemplateSegments,
    LocationInfo? TemplateLocation,
    int TtlSeconds,
    int CompressAboveBytes,
    EquatableArray<KeyPartModel> KeyParts,
    ValueCodecKind Codec,
    EquatableArray<TypeShapeModel> Shapes,
    EquatableArray<CollectionFormatterModel> Collections,
    bool IsValid,
    LocationInfo? Location,
    EquatableArray<DiagnosticInfo> Diagnostics,
    bool CanStub,
    LocationInfo? NamesTransaction = null);

internal enum LayoutKind
{
    /// <summary>A map keyed by member name (default): members can be added and removed freely.</summary>
    Map,
    /// <summary>An array indexed by <c>[Key(int)]</c>: unknown indexes are skipped, missing ones take defaults.</summary>
    IntKeys,
}

/// <summary>How a user type is serialized.</summary>
internal sealed record TypeShapeModel(
    string TypeName,
    string FormatterName,
    bool IsEnum,
    bool IsValueType,
    string EnumUnderlying,
    LayoutKind Layout,
    EquatableArray<MemberShapeModel> Members,
    int ConstructorParameterCount) : IComparable<TypeShapeModel>
{
    public int CompareTo(TypeShapeModel? other) => string.CompareOrdinal(FormatterName, other?.FormatterName);
}

/// <summary>One serialized member of a user type.</summary>
internal sealed record MemberShapeModel(
    string Name,
    string Key,
    int IntKey,
    string TypeName,
    int ConstructorIndex,
    string? ConstructorDefault,
    bool IsInitOnly,
    bool IsSettable,
    string Owner)
{
    /// <summary>The member on <paramref name="target"/>: through a cast to its declaring type when a derived member hides it.</summary>
    public string On(string target) => Owner.Length == 0 ? $"{target}.@{Name}" : $"(({Owner}){target}).@{Name}";
}

/// <summary>
/// The closed generic formatter the resolver returns for a collection or nullable type: MessagePack's own, or one of the
/// generated collection formatters (<see cref="Helper"/> names it, empty when none), which the generator then also emits.
/// </summary>
internal sealed record CollectionFormatterModel(string TypeName, string FormatterExpression, string Helper);

/// <summary>A keyspace declared by a referenced assembly's keyspace manifest (MemstoreKeyspaceManifestAttribute).</summary>
internal sealed record ReferencedKeyspace(string Template, string Store, string Member, string Assembly);

/// <summary>A store with its members, ready for emission, and every diagnostic about it.</summary>
/// <see cref="HintName"/>: the generated file's name without ".g.cs", distinct from every other store's (<see cref="HintNames"/>).
internal sealed record StoreBundle(StoreModel Store, EquatableArray<MemberModel> Members, EquatableArray<DiagnosticInfo> Diagnostics, string HintName);
