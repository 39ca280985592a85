using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace Memstore.Generators;

/// <summary>Walks a value type and everything it contains, and describes the formatters they need.</summary>
internal sealed class TypeShapeBuilder
{
    private static readonly SymbolDisplayFormat Format = SymbolDisplayFormat.FullyQualifiedFormat;

    private readonly Dictionary<string, TypeShapeModel> _shapes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CollectionFormatterModel> _collections = new(StringComparer.Ordinal);
    private readonly HashSet<string> _visiting = new(StringComparer.Ordinal);
    private readonly CancellationToken _cancellationToken;
    private readonly WellKnownTypes _known;

    public TypeShapeBuilder(WellKnownTypes known, CancellationToken cancellationToken)
    {
        _known = known;
        _cancellationToken = cancellationToken;
    }

    public string? Error { get; private set; }

    public EquatableArray<TypeShapeModel> Shapes => _shapes.Values.OrderBy(s => s.FormatterName, StringComparer.Ordinal).ToEquatableArray();

    public EquatableArray<CollectionFormatterModel> Collections =>
        _collections.Values.OrderBy(c => c.TypeName, StringComparer.Ordinal).ToEquatableArray();

    public static string Name(ITypeSymbol type) => type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(Format);

    /// <summary>Adds <paramref name="type"/> and what it contains; false (with <see cref="Error"/>) when something cannot be serialized.</summary>
    public bool Add(ITypeSymbol type, string path)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        if (Error is not null)
        {
            return false;
        }
        if (IsBuiltIn(type, _known) || type.TypeKind == TypeKind.Error)
        {
            // Types that do not compile are the compiler's to report; a second error here would only be noise.
            return true;
        }
        var name = Name(type);
        if (type.SpecialType is SpecialType.System_Object or SpecialType.System_ValueType or SpecialType.System_Enum or SpecialType.System_Array
            || type.SpecialType is SpecialType.System_IntPtr or SpecialType.System_UIntPtr)
        {
            return Fail(path, $"'{name}' has no fixed shape");
        }
        if (type.IsRefLikeType)
        {
            return Fail(path, $"'{name}' is a ref struct, which cannot be stored or be a type argument");
        }
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct or TypeKind.Enum } user && Unreachable(user) is { } reason)
        {
            return Fail(path, reason);
        }
        switch (type)
        {
            case IArrayTypeSymbol array:
                if (array.Rank != 1)
                {
                    return Fail(path, $"multi-dimensional array '{name}'");
                }
                _collections[name] = new(name, $"new global::MessagePack.Formatters.ArrayFormatter<{Name(array.ElementType)}>()", "");
                return Add(array.ElementType, path + "[]");
            case INamedTypeSymbol named when named.IsGenericType:
                return AddGeneric(named, name, path);
            case INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType:
                _shapes[name] = new TypeShapeModel(name, HintNames.Formatter(name), true, true,
                    enumType.EnumUnderlyingType?.ToDisplayString(Format) ?? "int", LayoutKind.Map, EquatableArray<MemberShapeModel>.Empty, 0);
                return true;
            case INamedTypeSymbol named when named.TypeKind is TypeKind.Class or TypeKind.Struct:
                return AddObject(named, name, path);
            default:
                return Fail(path, $"'{name}' is {Describe(type)}");
        }
    }

    private bool AddGeneric(INamedTypeSymbol named, string name, string path)
    {
        var definition = named.OriginalDefinition.ToDisplayString();
        var args = named.TypeArguments;
        string? formatter = definition switch
        {
            "T?" or "System.Nullable<T>" => "NullableFormatter",
            "System.Collections.Generic.List<T>" => "ListFormatter",
            "System.Collections.Generic.IList<T>" => "InterfaceListFormatter2",
            "System.Collections.Generic.IReadOnlyList<T>" => "InterfaceReadOnlyListFormatter",
            "System.Collections.Generic.ICollection<T>" => "InterfaceCollectionFormatter2",
            "System.Collections.Generic.IReadOnlyCollection<T>" => "InterfaceReadOnlyCollectionFormatter",
            "System.Collections.Generic.IEnumerable<T>" => "InterfaceEnumerableFormatter",
            "System.Collections.Generic.HashSet<T>" => "HashSetFormatter",
            "System.Collections.Generic.Dictionary<TKey, TValue>" => "DictionaryFormatter",
            "System.Collections.Generic.IDictionary<TKey, TValue>" => "InterfaceDictionaryFormatter",
            "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>" => "InterfaceReadOnlyDictionaryFormatter",
            _ => null,
        };
        if (named.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
        {
            formatter = "NullableFormatter";
        }
        if (named.IsTupleType)
        {
            return Fail(path, $"'{name}' is a value tuple, which is not a supported value (element names are not kept at run time); use a record");
        }
        if (formatter is null)
        {
            return Fail(path, $"generic type '{name}' is not supported (use an array, List<T>, HashSet<T>, Dictionary<TKey, TValue> or their interfaces)");
        }
        var typeArguments = string.Join(", ", args.Select(Name));
        var messagePack = $"new global::MessagePack.Formatters.{formatter}<{typeArguments}>()";
        // Same bytes and objects as MessagePack's formatter, fewer allocations (see CollectionFormatterSources).
        var helper = formatter switch
        {
            "HashSetFormatter" => CollectionFormatterSources.HashSet,
            "InterfaceListFormatter2" or "InterfaceReadOnlyListFormatter" or "InterfaceCollectionFormatter2"
                or "InterfaceReadOnlyCollectionFormatter" or "InterfaceEnumerableFormatter" => CollectionFormatterSources.CollectionInterface,
            "InterfaceDictionaryFormatter" or "InterfaceReadOnlyDictionaryFormatter" => CollectionFormatterSources.DictionaryInterface,
            _ => "",
        };
        var expression = helper switch
        {
            "" => messagePack,
            CollectionFormatterSources.HashSet => $"new {CollectionFormatterSources.Namespace}.{helper}<{typeArguments}>()",
            _ => $"new {CollectionFormatterSources.Namespace}.{helper}<{typeArguments}, {name}>({messagePack})",
        };
        _collections[name] = new(name, expression, helper);
        foreach (var arg in args)
        {
            if (!Add(arg, path + "<>"))
            {
                return false;
            }
        }
        return true;
    }

    private bool AddObject(INamedTypeSymbol type, string name, string path)
    {
        if (_shapes.ContainsKey(name) || !_visiting.Add(name))
        {
            return true;
        }
        if (type.IsAbstract || type.IsStatic)
        {
            return Fail(path, $"'{name}' is abstract");
        }
        if (type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_Collections_IEnumerable))
        {
            return Fail(path, $"'{name}' is a collection (it implements IEnumerable) but not one the generator supports; use an array, "
                + "List<T>, HashSet<T>, Dictionary<TKey, TValue>, IList<T>, IReadOnlyList<T>, ICollection<T>, IReadOnlyCollection<T>, "
                + "IEnumerable<T>, IDictionary<TKey, TValue> or IReadOnlyDictionary<TKey, TValue>");
        }
        var attributes = type.GetAttributes();
        var messagePackObject = attributes.FirstOrDefault(a => _known.Is(a.AttributeClass, WellKnownTypes.MessagePackObjectAttribute));
        var keyAsPropertyName = messagePackObject?.ConstructorArguments.FirstOrDefault().Value is true
            || messagePackObject?.NamedArguments.Any(n => n.Key == "KeyAsPropertyName" && n.Value.Value is true) == true;

        // The whole public state, base types included, in MessagePack's contractless order (ShapeMembers).
        var candidates = ShapeMembers.Collect(type, _known, out var memberError);
        if (candidates is null)
        {
            return Fail(path, memberError ?? "members cannot be listed");
        }

        var constructor = ShapeConstructor.Choose(type, _known, candidates, out var parameterMembers, out var constructorError);
        if (constructor is null)
        {
            return Fail(path, constructorError ?? $"'{name}' has no usable public constructor");
        }

        var members = new List<MemberShapeModel>();
        var layout = LayoutKind.Map;
        for (var c = 0; c < candidates.Count; c++)
        {
            var candidate = candidates[c];
            var (member, memberType, settable, initOnly) = (candidate.Member, candidate.Type, candidate.Settable, candidate.InitOnly);
            var ctorIndex = Array.IndexOf(parameterMembers, c);
            if (ctorIndex < 0 && !settable && !initOnly)
            {
                continue;
            }
            var key = candidate.Key;
            var intKey = -1;
            var keyAttribute = member.GetAttributes().FirstOrDefault(a => _known.Is(a.AttributeClass, WellKnownTypes.KeyAttribute));
            if (keyAttribute?.ConstructorArguments.FirstOrDefault().Value is int index && !keyAsPropertyName)
            {
                if (index < 0 || index > MaxIntKey)
                {
                    return Fail(path, index < 0
                        ? $"'{name}.{member.Name}' has [Key({index})]; a key index cannot be negative"
                        : $"'{name}.{member.Name}' has [Key({index})], over {MaxIntKey}, the largest index the generator accepts (the array layout writes an entry for every index up to the largest); use small consecutive indexes");
                }
                intKey = index;
                layout = LayoutKind.IntKeys;
            }
            else if (keyAttribute?.ConstructorArguments.FirstOrDefault().Value is string text)
            {
                key = text;
            }
            string? defaultValue = null;
            if (ctorIndex >= 0 && constructor.Parameters[ctorIndex] is { HasExplicitDefaultValue: true } parameter)
            {
                defaultValue = ShapeConstructor.Literal(parameter.ExplicitDefaultValue, parameter.Type);
            }
            members.Add(new MemberShapeModel(member.Name, key, intKey, candidate.TypeName, ctorIndex, defaultValue, initOnly, settable, candidate.Owner));
            if (!Add(memberType, path + "." + member.Name))
            {
                return false;
            }
        }
        if (layout == LayoutKind.IntKeys && members.Any(m => m.IntKey < 0))
        {
            var missing = members.First(m => m.IntKey < 0);
            return Fail(path, $"'{name}' uses [Key(int)] on some members but not on '{missing.Name}'");
        }
        if (DuplicateKey(members, layout) is { } duplicate)
        {
            return Fail(path, $"'{name}.{duplicate.Second.Name}' has the same key as '{duplicate.First.Name}' ("
                + (layout == LayoutKind.IntKeys ? $"[Key({duplicate.Second.IntKey})]" : $"\"{duplicate.Second.Key}\"")
                + "), so one would overwrite the other; give each member its own key");
        }
        if (members.Count == 0 && HasInstanceFields(type))
        {
            return Fail(path, $"'{name}' has no public members to serialize; its state would be lost (give it public properties with setters or constructor parameters, or store another type)");
        }
        _shapes[name] = new TypeShapeModel(name, HintNames.Formatter(name), false, type.IsValueType, "", layout,
            members.ToEquatableArray(), constructor.Parameters.Length);
        return true;
    }

    /// <summary>
    /// Why generated code (formatters in namespace Memstore.Generated, in their own files) cannot name the type,
    /// or null: it and every type containing it must be public, internal or protected internal, and none file-local.
    /// </summary>
    internal static string? Unreachable(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.ContainingType)
        {
            var what = SymbolEqualityComparer.Default.Equals(current, type) ? $"'{Name(type)}'" : $"'{Name(type)}' is nested in '{Name(current)}', which";
            if (current.IsFileLocal)
            {
                return $"{what} is file-local (declared with 'file'), so generated code in another file cannot use it";
            }
            if (current.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
            {
                return $"{what} is {AccessText(current.DeclaredAccessibility)}, so generated code cannot use it; make it public or internal";
            }
        }
        return null;
    }

    private static string AccessText(Accessibility accessibility) => accessibility switch
    {
        Microsoft.CodeAnalysis.Accessibility.Private => "private",
        Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
        Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
        _ => "not accessible",
    };

    /// <summary>The largest [Key(int)] index: the array layout writes every index up to the largest, so a big one makes absurd arrays.</summary>
    internal const int MaxIntKey = 1024;

    /// <summary>The first two members of one key, or null.</summary>
    private static (MemberShapeModel First, MemberShapeModel Second)? DuplicateKey(List<MemberShapeModel> members, LayoutKind layout)
    {
        for (var i = 1; i < members.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (layout == LayoutKind.IntKeys ? members[i].IntKey == members[j].IntKey : members[i].Key == members[j].Key)
                {
                    return (members[j], members[i]);
                }
            }
        }
        return null;
    }

    /// <summary>
    /// Whether the type or a base type holds instance fields (of any accessibility, backing fields included). A class
    /// from a referenced assembly shows only its public members (structs show every field), so there an instance
    /// method, property or event other than a constructor is taken as a sign of private state.
    /// </summary>
    private static bool HasInstanceFields(INamedTypeSymbol type)
    {
        for (var level = type; level is not null && level.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); level = level.BaseType)
        {
            var fromMetadata = level.DeclaringSyntaxReferences.IsEmpty && !level.IsValueType;
            if (level.GetMembers().Any(m => !m.IsStatic && (m is IFieldSymbol { IsConst: false }
                || fromMetadata && m is IPropertySymbol or IEventSymbol or IMethodSymbol { MethodKind: MethodKind.Ordinary })))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsBuiltIn(ITypeSymbol type, WellKnownTypes known)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean:
            case SpecialType.System_Char:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Single:
            case SpecialType.System_Double:
            case SpecialType.System_Decimal:
            case SpecialType.System_String:
            case SpecialType.System_DateTime:
                return true;
        }
        if (type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Byte })
        {
            return true;
        }
        return known.IsBuiltInValue(type);
    }

    private static string Describe(ITypeSymbol type) => type.TypeKind switch
    {
        TypeKind.Interface => "an interface",
        TypeKind.Delegate => "a delegate",
        TypeKind.TypeParameter => "a type parameter",
        TypeKind.Pointer or TypeKind.FunctionPointer => "a pointer",
        TypeKind.Dynamic => "dynamic",
        TypeKind.Error => "a type that does not compile",
        _ when type.SpecialType == SpecialType.System_Object => "object, which has no fixed shape",
        _ => "not a supported kind of type",
    };

    private bool Fail(string path, string reason)
    {
        Error ??= $"{path}: {reason}";
        return false;
    }
}
