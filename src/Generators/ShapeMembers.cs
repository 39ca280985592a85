using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Memstore.Generators;

/// <summary>A public member a value type may serialize, found on the type or one of its base types.</summary>
/// <remarks><see cref="TypeName"/> is <see cref="ShapeMembers.Name"/> of <see cref="Type"/>, computed once.</remarks>
internal sealed record ShapeCandidate(ISymbol Member, ITypeSymbol Type, string TypeName, bool Settable, bool InitOnly, string Key, string Owner);

/// <summary>
/// Lists the serializable members of a type the way MessagePack's contractless resolver does, base types
/// included: base types first; within a type, properties then fields, each in declaration order, then members
/// of one name brought together where the first of them stands; a member
/// hidden by one of the same name and type further down (an override, a <c>new</c> of the same type) is
/// left out; one hidden by a member of the same name but another type stays, and the later of the two is
/// keyed <c>Namespace.DeclaringType.Name</c> (the reflection full name) as MessagePack keys it.
/// </summary>
internal static class ShapeMembers
{
    private static readonly SymbolDisplayFormat Format = SymbolDisplayFormat.FullyQualifiedFormat;

    /// <summary>The candidates, or null with <paramref name="error"/> when a member cannot be reached or keyed.</summary>
    public static List<ShapeCandidate>? Collect(INamedTypeSymbol type, WellKnownTypes known, out string? error)
    {
        error = null;
        var levels = new List<INamedTypeSymbol>();
        for (var level = type; level is not null && level.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); level = level.BaseType)
        {
            levels.Add(level);
        }
        var seenProperties = new HashSet<string>(StringComparer.Ordinal);
        var seenFields = new HashSet<string>(StringComparer.Ordinal);
        var found = new List<Found>[levels.Count];
        for (var depth = 0; depth < levels.Count; depth++)
        {
            var properties = new List<Found>();
            var fields = new List<Found>();
            foreach (var member in levels[depth].GetMembers())
            {
                if (member.IsStatic || member.IsImplicitlyDeclared)
                {
                    continue;
                }
                if (member is IPropertySymbol { IsIndexer: false } property)
                {
                    // Reflection hides a base property by name and signature: overrides and same-typed `new` members.
                    var typeName = Name(property.Type);
                    if (!seenProperties.Add(property.Name + " " + typeName) || !IsPublicReadable(property) || IsIgnored(property, known))
                    {
                        continue;
                    }
                    var setter = property.SetMethod is { DeclaredAccessibility: Accessibility.Public } s ? s : null;
                    // A required member must be set in the object initializer, as init-only members are.
                    var initOnly = setter is { IsInitOnly: true } || setter is not null && property.IsRequired;
                    properties.Add(new Found(property, property.Type, typeName, setter is { IsInitOnly: false } && !property.IsRequired, initOnly, depth));
                }
                else if (member is IFieldSymbol { IsConst: false } field)
                {
                    var typeName = Name(field.Type);
                    if (!seenFields.Add(field.Name + " " + typeName) || field.DeclaredAccessibility != Accessibility.Public || IsIgnored(field, known))
                    {
                        continue;
                    }
                    fields.Add(new Found(field, field.Type, typeName, !field.IsReadOnly && !field.IsRequired, !field.IsReadOnly && field.IsRequired, depth));
                }
            }
            properties.AddRange(fields);
            found[depth] = properties;
        }

        // Base levels first, then grouped by name in order of first appearance (MessagePack groups members by name).
        var groups = new Dictionary<string, List<Found>>(StringComparer.Ordinal);
        var order = new List<List<Found>>();
        for (var depth = levels.Count - 1; depth >= 0; depth--)
        {
            foreach (var entry in found[depth])
            {
                if (!groups.TryGetValue(entry.Member.Name, out var group))
                {
                    groups[entry.Member.Name] = group = new List<Found>();
                    order.Add(group);
                }
                group.Add(entry);
            }
        }
        var result = new List<ShapeCandidate>();
        var keyed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in order)
        {
            var first = true;
            foreach (var entry in group)
            {
                var (member, level) = (entry.Member, entry.Level);
                var hidden = false;
                for (var d = 0; d < level && !hidden; d++)
                {
                    hidden = !levels[d].GetMembers(member.Name).IsEmpty;
                }
                var key = member.Name;
                if (!first)
                {
                    if (levels[level].IsGenericType || levels[level].ContainingType is { IsGenericType: true })
                    {
                        error = $"'{member.Name}' of generic type '{Name(levels[level])}' hides a base member of the same name";
                        return null;
                    }
                    key = ReflectionFullName(levels[level]) + "." + member.Name;
                }
                first = false;
                if (!keyed.Add(key))
                {
                    error = $"two members of '{Name(type)}' would both be stored under the name '{key}'";
                    return null;
                }
                if (hidden && entry.InitOnly)
                {
                    error = $"the init-only '{member.Name}' of '{Name(levels[level])}' is hidden by a member of the same name";
                    return null;
                }
                result.Add(new ShapeCandidate(member, entry.Type, entry.TypeName, entry.Settable, entry.InitOnly, key, hidden ? Name(levels[level]) : ""));
            }
        }
        return result;
    }

    /// <summary>A member found on one level of the hierarchy (a class, not a tuple: see EquatableArray).</summary>
    private sealed class Found(ISymbol member, ITypeSymbol type, string typeName, bool settable, bool initOnly, int level)
    {
        public ISymbol Member { get; } = member;
        public ITypeSymbol Type { get; } = type;
        public string TypeName { get; } = typeName;
        public bool Settable { get; } = settable;
        public bool InitOnly { get; } = initOnly;
        public int Level { get; } = level;
    }

    public static string Name(ITypeSymbol type) => type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(Format);

    private static bool IsPublicReadable(IPropertySymbol property) =>
        property.DeclaredAccessibility == Accessibility.Public && property.GetMethod is { DeclaredAccessibility: Accessibility.Public };

    /// <summary>[IgnoreMember] or [IgnoreDataMember] on the member or on a property it overrides (MessagePack looks up inherited attributes).</summary>
    private static bool IsIgnored(ISymbol member, WellKnownTypes known)
    {
        for (var current = member; current is not null; current = (current as IPropertySymbol)?.OverriddenProperty)
        {
            if (current.GetAttributes().Any(a => known.Is(a.AttributeClass, WellKnownTypes.IgnoreMemberAttribute)
                || known.Is(a.AttributeClass, WellKnownTypes.IgnoreDataMemberAttribute)))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary><c>Type.FullName</c> of a non-generic type: namespace, then containing types joined with '+'.</summary>
    private static string ReflectionFullName(INamedTypeSymbol type)
    {
        var name = type.MetadataName;
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            name = outer.MetadataName + "+" + name;
        }
        return type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." + name : name;
    }
}
