using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Memstore.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Memstore.Generators;

/// <summary>Turns a keyspace, counter, MCAS group or deque property into a <see cref="MemberModel"/>.</summary>
internal static class MemberParser
{
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static MemberModel? Parse(GeneratorAttributeSyntaxContext context, MemberKind kind, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IPropertySymbol property || context.TargetNode is not PropertyDeclarationSyntax syntax
            || property.ContainingType is null)
        {
            return null;
        }
        cancellationToken.ThrowIfCancellationRequested();
        var known = WellKnownTypes.For(context.SemanticModel.Compilation);
        // A keyspace that is also an MCAS group belongs to the MCAS pipeline alone.
        if (kind is MemberKind.Keyspace or MemberKind.Counter
            && property.GetAttributes().Any(a => known.Is(a.AttributeClass, WellKnownTypes.McasGroupAttribute)))
        {
            return null;
        }
        var diagnostics = new List<DiagnosticInfo>();
        var attribute = context.Attributes[0];
        var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        var template = attribute.ConstructorArguments.FirstOrDefault().Value as string;
        var templateAttribute = attribute;
        if (kind == MemberKind.McasGroup && template is null
            && property.GetAttributes().FirstOrDefault(a => known.Is(a.AttributeClass, WellKnownTypes.KeyspaceAttribute)) is { } keyspaceAttribute)
        {
            // [McasGroup] [Keyspace("acct:{id}", TtlSeconds = ...)]: the keyspace attribute gives template and TTL.
            templateAttribute = keyspaceAttribute;
            attributeSyntax = keyspaceAttribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            template = keyspaceAttribute.ConstructorArguments.FirstOrDefault().Value as string;
        }
        var templateLocation = LocationInfo.From((SyntaxNode?)attributeSyntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals is null)?.Expression ?? attributeSyntax);
        if (kind == MemberKind.McasGroup && template is null)
        {
            template = DefaultTemplate(property);
        }
        template ??= "";
        var ttl = -1;
        var compressAbove = 0;
        foreach (var named in templateAttribute.NamedArguments)
        {
            if (named.Key == "TtlSeconds" && named.Value.Value is int t)
            {
                ttl = t;
            }
            else if (named.Key == "CompressAboveBytes" && named.Value.Value is int c)
            {
                compressAbove = c;
            }
        }
        var location = LocationInfo.From(syntax.Identifier.GetLocation());
        var typeLocation = LocationInfo.From(syntax.Type);
        var valid = true;
        var canStub = CanRepeat(property.Type);

        var modifiers = new List<string>();
        foreach (var modifier in syntax.Modifiers)
        {
            if (!modifier.IsKind(SyntaxKind.PartialKeyword))
            {
                modifiers.Add(modifier.Text);
            }
        }
        string? problem = null;
        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            problem = "the property must be partial";
            canStub = false;
        }
        else if (property.IsStatic)
        {
            problem = "the property must not be static";
        }
        else if (syntax.AccessorList is not { } accessors || accessors.Accessors.Count != 1
            || !accessors.Accessors[0].IsKind(SyntaxKind.GetAccessorDeclaration)
            || accessors.Accessors[0].Body is not null || accessors.Accessors[0].ExpressionBody is not null)
        {
            problem = "declare it as '{ get; }' with no body or setter";
            canStub = false;
        }
        else if (property.Type is INamedTypeSymbol { Name: "Keyspace" or "CounterKeyspace" or "McasKeyspace" or "TypedDeque" } && property.ContainingType.IsGenericType)
        {
            problem = "the store class must not be generic";
        }
        if (problem is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedMember, location, property.Name, problem));
            valid = false;
        }

        if (ttl < -1)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidTtl,
                LocationInfo.From(StoreParser.Argument(attributeSyntax, "TtlSeconds") ?? (SyntaxNode?)attributeSyntax), "TtlSeconds", ttl.ToString(), ", -1 for the store's default"));
            valid = false;
        }

        if (compressAbove != 0 && (compressAbove < 0 || kind != MemberKind.Keyspace))
        {
            // Only a plain keyspace's own writes compress: MCAS descriptors and markers copy values byte for byte.
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidCompression,
                LocationInfo.From(StoreParser.Argument(attributeSyntax, "CompressAboveBytes") ?? (SyntaxNode?)attributeSyntax), property.Name,
                compressAbove < 0
                    ? $"CompressAboveBytes is {compressAbove}; it is a size in bytes (at least 1), or 0 for no compression"
                    : "only a Keyspace<TKey, TValue> compresses its values; MCAS keyspaces store values inside MCAS records byte for byte"));
            valid = false;
        }

        ITypeSymbol? keyType = null;
        ITypeSymbol? valueType = null;
        if (kind is MemberKind.Keyspace or MemberKind.Counter or MemberKind.McasGroup && valid)
        {
            var expected = kind switch { MemberKind.Counter => "CounterKeyspace", MemberKind.McasGroup => "McasKeyspace", _ => "Keyspace" };
            if (property.Type is INamedTypeSymbol { ContainingNamespace: { Name: "Memstore", ContainingNamespace.IsGlobalNamespace: true } } named
                && named.Name == expected && named.TypeArguments.Length == (kind == MemberKind.Counter ? 1 : 2))
            {
                keyType = named.TypeArguments[0];
                valueType = kind == MemberKind.Counter ? null : named.TypeArguments[1];
            }
            else
            {
                var shape = kind switch { MemberKind.Counter => "CounterKeyspace<TKey>", MemberKind.McasGroup => "McasKeyspace<TKey, TValue>", _ => "Keyspace<TKey, TValue>" };
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedMember, typeLocation ?? location, property.Name,
                    $"[{AttributeName(kind)}] needs a property of type Memstore.{shape}"));
                valid = false;
            }
        }

        if (kind == MemberKind.Deque && valid)
        {
            if (property.Type is INamedTypeSymbol { Name: "TypedDeque", TypeArguments.Length: 1, ContainingNamespace: { Name: "Memstore", ContainingNamespace.IsGlobalNamespace: true } } deque)
            {
                valueType = deque.TypeArguments[0];
                if (MemcachedKeyRules.FindForbiddenCharacter(template) is { } bad)
                {
                    diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidKeyCharacter, templateLocation, "Deque name", template, bad));
                    valid = false;
                }
                else if (template.Length == 0 || template.IndexOf('{') >= 0 || template.IndexOf('}') >= 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedMember, templateLocation ?? location, property.Name,
                        "a deque name must be non-empty literal text, without placeholders"));
                    valid = false;
                }
            }
            else
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedMember, typeLocation ?? location, property.Name,
                    "[Deque] needs a property of type Memstore.TypedDeque<T>"));
                valid = false;
            }
        }

        var parts = new List<KeyPartModel>();
        // Parsed here, once: the bundler and the emitter work from these segments.
        IReadOnlyList<KeyTemplateSegment>? segments;
        if (keyType is not null)
        {
            valid &= BindKey(property, keyType, template, templateLocation, typeLocation, parts, diagnostics, known, out segments);
        }
        else
        {
            segments = KeyTemplate.Parse(template, out _)?.Segments;
        }

        var codec = ValueCodecKind.None;
        var shapes = EquatableArray<TypeShapeModel>.Empty;
        var collections = EquatableArray<CollectionFormatterModel>.Empty;
        if (valueType is not null && kind is MemberKind.Keyspace or MemberKind.McasGroup or MemberKind.Deque && valid)
        {
            codec = valueType.SpecialType switch
            {
                SpecialType.System_String => ValueCodecKind.Utf8String,
                SpecialType.System_Int64 => ValueCodecKind.Int64,
                _ when valueType is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte } => ValueCodecKind.RawBytes,
                _ => ValueCodecKind.MessagePack,
            };
            if (codec == ValueCodecKind.MessagePack)
            {
                var builder = new TypeShapeBuilder(known, cancellationToken);
                if (builder.Add(valueType, TypeShapeBuilder.Name(valueType).Replace("global::", "")))
                {
                    shapes = builder.Shapes;
                    collections = builder.Collections;
                }
                else
                {
                    diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedValueType, typeLocation ?? location, property.Name, builder.Error ?? "unknown"));
                    valid = false;
                }
            }
        }

        return new MemberModel(
            StoreKey: property.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            Kind: kind,
            PropertyName: property.Name,
            PropertyType: property.Type.ToDisplayString(TypeFormat),
            Modifiers: string.Join(" ", modifiers),
            KeyType: keyType?.ToDisplayString(TypeFormat) ?? "",
            ValueType: valueType?.ToDisplayString(TypeFormat) ?? "",
            Template: template,
            TemplateSegments: segments is null ? null : new EquatableArray<KeyTemplateSegment>(segments),
            TemplateLocation: templateLocation,
            TtlSeconds: ttl,
            CompressAboveBytes: compressAbove,
            KeyParts: parts.ToEquatableArray(),
            Codec: codec,
            Shapes: shapes,
            Collections: collections,
            IsValid: valid,
            Location: location,
            Diagnostics: diagnostics.ToEquatableArray(),
            CanStub: canStub,
            NamesTransaction: NamesTransaction(syntax.Type));
    }

    /// <summary>
    /// Whether a stub in another file may repeat the property's type without a compiler error of its own: not when
    /// the type does not compile, is file-local, or holds a ref struct (or pointer) as a type argument. The user's
    /// declaration already carries that error.
    /// </summary>
    private static bool CanRepeat(ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                return !array.ElementType.IsRefLikeType && CanRepeat(array.ElementType);
            case IPointerTypeSymbol or IFunctionPointerTypeSymbol or IErrorTypeSymbol:
                return false;
            case INamedTypeSymbol named:
                for (var current = named; current is not null; current = current.ContainingType)
                {
                    if (current.IsFileLocal)
                    {
                        return false;
                    }
                }
                return named.TypeArguments.All(a => !a.IsRefLikeType && a.TypeKind is not (TypeKind.Pointer or TypeKind.FunctionPointer) && CanRepeat(a));
            default:
                return type.TypeKind != TypeKind.Error;
        }
    }

    /// <summary>
    /// Where the declared type names a type 'Transaction' by its simple name: inside a store with MCAS keyspaces that
    /// name binds to the generated nested Store.Transaction, and the declaration no longer matches its part (CS9255).
    /// </summary>
    private static LocationInfo? NamesTransaction(TypeSyntax type)
    {
        foreach (var name in type.DescendantNodesAndSelf().OfType<SimpleNameSyntax>())
        {
            if (name.Identifier.ValueText == "Transaction"
                && !(name.Parent is QualifiedNameSyntax qualified && qualified.Right == name)
                && !(name.Parent is AliasQualifiedNameSyntax alias && alias.Name == name))
            {
                return LocationInfo.From(name);
            }
        }
        return null;
    }

    /// <summary>The template of an <c>[McasGroup]</c> that names none: the property's name, then one placeholder per key part.</summary>
    private static string DefaultTemplate(IPropertySymbol property)
    {
        if (property.Type is INamedTypeSymbol { TypeArguments.Length: > 0 } named && named.TypeArguments[0] is INamedTypeSymbol { IsTupleType: true } tuple)
        {
            return property.Name + string.Concat(tuple.TupleElements.Select(e => ":{" + e.Name + "}"));
        }
        return property.Name + ":{key}";
    }

    public static string AttributeName(MemberKind kind) => kind switch
    {
        MemberKind.Counter => "Counter",
        MemberKind.McasGroup => "McasGroup",
        MemberKind.Deque => "Deque",
        _ => "Keyspace",
    };

    private static bool BindKey(IPropertySymbol property, ITypeSymbol keyType, string template, LocationInfo? templateLocation,
        LocationInfo? typeLocation, List<KeyPartModel> parts, List<DiagnosticInfo> diagnostics, WellKnownTypes known, out IReadOnlyList<KeyTemplateSegment>? segments)
    {
        segments = null;
        var keyName = keyType.ToDisplayString();
        var elements = new List<(string Name, string Accessor, ITypeSymbol Type)>();
        if (keyType is INamedTypeSymbol { IsTupleType: true } tuple)
        {
            foreach (var element in tuple.TupleElements)
            {
                elements.Add((element.Name, "key." + CodeWriter.Id(element.Name), element.Type));
            }
        }
        else
        {
            elements.Add(("", "key", keyType));
        }
        foreach (var (_, _, type) in elements)
        {
            if (KindOf(type, known) is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedKeyType, typeLocation, type.ToDisplayString(), property.Name));
                return false;
            }
        }
        var parsed = KeyTemplate.Parse(template, out var error);
        // Placeholder names are trimmed by the grammar ("{ id }" is "{id}"): only the literal text becomes key bytes.
        if (MemcachedKeyRules.FindForbiddenCharacter(parsed is null ? template : parsed.LiteralText) is { } bad)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidKeyCharacter, templateLocation, "Key template", template, bad));
            return false;
        }
        if (parsed is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.TemplateMismatch, templateLocation, template, keyName, error ?? "malformed"));
            return false;
        }
        segments = parsed.Segments;
        for (var i = 1; i < parsed.Segments.Count; i++)
        {
            if (parsed.Segments[i].IsPlaceholder && parsed.Segments[i - 1].IsPlaceholder)
            {
                // "{a}{b}" formats (1, 23) and (12, 3) alike: two keys would share one item.
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.TemplateMismatch, templateLocation, template, keyName,
                    $"placeholders '{{{parsed.Segments[i - 1].Text}}}' and '{{{parsed.Segments[i].Text}}}' must be separated by literal text, or two keys can format alike"));
                return false;
            }
        }
        var holes = parsed.Segments.Where(s => s.IsPlaceholder).Select(s => s.Text).ToList();
        string? mismatch = null;
        var twin = elements.GroupBy(e => e.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (elements.Count > 1 && twin is not null)
        {
            mismatch = $"tuple element names must differ case-insensitively, as placeholders match them ignoring case ({string.Join(", ", twin.Select(e => "'" + e.Name + "'"))})";
        }
        else if (holes.Count != elements.Count)
        {
            mismatch = $"it has {holes.Count} placeholder(s) but the key has {elements.Count} part(s)";
        }
        else if (holes.Distinct(StringComparer.OrdinalIgnoreCase).Count() != holes.Count)
        {
            mismatch = "a placeholder appears twice";
        }
        else if (elements.Count > 1)
        {
            var unknown = holes.FirstOrDefault(h => !elements.Any(e => string.Equals(e.Name, h, StringComparison.OrdinalIgnoreCase)));
            if (unknown is not null)
            {
                mismatch = $"'{{{unknown}}}' names no tuple element (elements: {string.Join(", ", elements.Select(e => e.Name))})";
            }
        }
        if (mismatch is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.TemplateMismatch, templateLocation, template, keyName, mismatch));
            return false;
        }
        foreach (var hole in holes)
        {
            var element = elements.Count == 1 ? elements[0] : elements.First(e => string.Equals(e.Name, hole, StringComparison.OrdinalIgnoreCase));
            parts.Add(new KeyPartModel(hole, element.Accessor, KindOf(element.Type, known)!.Value, element.Type.TypeKind == TypeKind.Enum));
        }
        return true;
    }

    private static KeyPartKind? KindOf(ITypeSymbol type, WellKnownTypes known)
    {
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying })
        {
            type = underlying;
        }
        return type.SpecialType switch
        {
            SpecialType.System_String => KeyPartKind.String,
            SpecialType.System_SByte or SpecialType.System_Int16 or SpecialType.System_Int32 or SpecialType.System_Int64 => KeyPartKind.Signed,
            SpecialType.System_Byte or SpecialType.System_UInt16 or SpecialType.System_UInt32 or SpecialType.System_UInt64 => KeyPartKind.Unsigned,
            _ when known.Is(type, WellKnownTypes.Guid) => KeyPartKind.Guid,
            _ => null,
        };
    }
}
