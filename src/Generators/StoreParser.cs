using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Memstore.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Memstore.Generators;

/// <summary>Turns a <c>[MemcacheStore]</c> class into a <see cref="StoreModel"/>.</summary>
internal static class StoreParser
{
    public static StoreModel? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax syntax)
        {
            return null;
        }
        cancellationToken.ThrowIfCancellationRequested();
        var known = WellKnownTypes.For(context.SemanticModel.Compilation);
        var diagnostics = new List<DiagnosticInfo>();
        var canEmit = true;
        // Stubs (throwing property bodies) keep the build showing only our diagnostic when the store cannot be generated.
        var canStub = true;
        var identifier = LocationInfo.From(syntax.Identifier.GetLocation());
        if (ShapeProblem(type, syntax) is { } problem)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidStoreType, identifier, type.Name, problem));
            canEmit = false;
            // A struct can take a generated part; a static, file-local or interface type cannot take one that compiles.
            canStub = syntax is StructDeclarationSyntax or RecordDeclarationSyntax { ClassOrStructKeyword.RawKind: (int)SyntaxKind.StructKeyword };
        }
        else if (ConstructorProblem(type, context.SemanticModel.Compilation, cancellationToken) is { } constructor)
        {
            // The class can take a part, but not the generated constructor: only throwing stubs are written.
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidStoreType, constructor.Location ?? identifier, type.Name, constructor.Problem));
            canEmit = false;
        }
        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.StoreNotPartial, identifier, type.Name));
            canEmit = false;
            canStub = false;
        }
        var containers = new List<ContainerModel>();
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            var outerSyntax = outer.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().FirstOrDefault();
            if (outerSyntax is null || !outerSyntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.ContainerNotPartial,
                    LocationInfo.From(outerSyntax?.Identifier.GetLocation() ?? syntax.Identifier.GetLocation()), outer.Name, type.Name));
                canEmit = false;
                canStub = false;
            }
            containers.Insert(0, new ContainerModel(Keyword(outerSyntax), NameWithTypeParameters(outer)));
        }

        // The attribute written on this declaration: with [MemcacheStore] on several partial declarations, each
        // declaration's context lists them all, and Bundler compares one declaration's arguments with another's.
        var attribute = context.Attributes.FirstOrDefault(a => a.ApplicationSyntaxReference is { } reference
            && reference.SyntaxTree == syntax.SyntaxTree && syntax.Span.Contains(reference.Span)) ?? context.Attributes[0];
        var prefix = "";
        var ttl = 0;
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == "Prefix" && named.Value.Value is string p)
            {
                prefix = p;
            }
            else if (named.Key == "DefaultTtlSeconds" && named.Value.Value is int t)
            {
                ttl = t;
            }
        }
        var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        var prefixLocation = LocationInfo.From(Argument(attributeSyntax, "Prefix") ?? (SyntaxNode?)attributeSyntax);
        if (MemcachedKeyRules.FindForbiddenCharacter(prefix) is { } bad)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidKeyCharacter, prefixLocation, "Prefix", prefix, bad));
            canEmit = false;
        }
        if (prefix.IndexOf('{') >= 0 || prefix.IndexOf('}') >= 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidKeyCharacter, prefixLocation, "Prefix", prefix, "a brace"));
            canEmit = false;
        }
        if (ttl < 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InvalidTtl,
                LocationInfo.From(Argument(attributeSyntax, "DefaultTtlSeconds") ?? (SyntaxNode?)attributeSyntax), "DefaultTtlSeconds", ttl.ToString(), ""));
            ttl = 0;
        }
        // The generator writes Store(MemcacheClient); a user-written one would clash with it.
        foreach (var constructor in type.InstanceConstructors)
        {
            if (!constructor.IsImplicitlyDeclared && constructor.Parameters.Length == 1
                && known.Is(constructor.Parameters[0].Type, WellKnownTypes.MemcacheClient))
            {
                var constructorSyntax = constructor.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) as ConstructorDeclarationSyntax;
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.ConstructorConflict,
                    LocationInfo.From(constructorSyntax?.Identifier.GetLocation() ?? syntax.Identifier.GetLocation()), type.Name));
                canEmit = false;
            }
        }
        // Not when the store or a base class has a Client of its own: the generated one would clash or hide it (CS0108).
        var emitClientProperty = type.GetMembers("Client").IsEmpty;
        for (var current = type.BaseType; current is not null && emitClientProperty; current = current.BaseType)
        {
            emitClientProperty = !current.GetMembers("Client").Any(m => m.DeclaredAccessibility != Accessibility.Private);
        }
        return new StoreModel(
            Key: type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            Namespace: type.ContainingNamespace is { IsGlobalNamespace: false } ns ? string.Join(".", ns.ToDisplayString().Split('.').Select(CodeWriter.Id)) : "",
            Name: NameWithTypeParameters(type),
            Keyword: Keyword(syntax),
            Containers: containers.ToEquatableArray(),
            Prefix: prefix,
            PrefixLocation: prefixLocation,
            DefaultTtlSeconds: ttl,
            CanEmit: canEmit,
            EmitClientProperty: emitClientProperty,
            Diagnostics: diagnostics.ToEquatableArray(),
            AttributeLocation: LocationInfo.From(attributeSyntax),
            CanStub: canStub,
            ReservedMembers: ReservedMembers(type, cancellationToken));
    }

    /// <summary>Why the type cannot be a store at all, or null.</summary>
    private static string? ShapeProblem(INamedTypeSymbol type, TypeDeclarationSyntax syntax)
    {
        if (syntax is StructDeclarationSyntax or RecordDeclarationSyntax { ClassOrStructKeyword.RawKind: (int)SyntaxKind.StructKeyword })
        {
            return "a store must be a class (or record class), not a struct";
        }
        if (syntax is InterfaceDeclarationSyntax)
        {
            return "a store must be a class, not an interface";
        }
        if (type.IsStatic)
        {
            return "a store cannot be static: the generator writes an instance constructor and instance properties";
        }
        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (current.IsFileLocal)
            {
                return SymbolEqualityComparer.Default.Equals(current, type)
                    ? "a file-local class cannot be a store: the generator writes the other part of the class in another file"
                    : $"it is nested in the file-local '{current.Name}', and the generator writes the other part of the class in another file";
            }
        }
        return null;
    }

    /// <summary>
    /// Why the generated <c>Store(MemcacheClient client)</c>, which calls <c>base()</c>, cannot be written: a primary
    /// constructor (every other constructor must chain to it), a base class without an accessible parameterless
    /// constructor, or a base class that is itself a store (its constructor and members would clash). Null when it can.
    /// </summary>
    private static (string Problem, LocationInfo? Location)? ConstructorProblem(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
    {
        var declarations = type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().ToList();
        if (declarations.FirstOrDefault(d => d.ParameterList is not null) is { ParameterList: { } parameters })
        {
            return ("it has a primary constructor, and the generated constructor Store(MemcacheClient client) could not chain to it; "
                + "declare the parameters as members set by ordinary constructors that chain to : this(client)", LocationInfo.From(parameters));
        }
        // A base that does not compile carries the compiler's own error; the generated constructor adds none.
        if (type.BaseType is not { SpecialType: not SpecialType.System_Object, TypeKind: not TypeKind.Error } baseType)
        {
            return null;
        }
        var baseSyntax = declarations.Select(d => d.BaseList?.Types.FirstOrDefault()?.Type).FirstOrDefault(t => t is not null);
        var location = LocationInfo.From(baseSyntax);
        for (var current = baseType; current is not null; current = current.BaseType)
        {
            if (current.GetAttributes().Any(a => SymbolNames.Is(a.AttributeClass, "Memstore", "MemcacheStoreAttribute")))
            {
                return ($"it derives from the store '{current.Name}', whose generated constructor and members it would hide or could not call; "
                    + "derive both stores from a common base class that is not a store", location);
            }
        }
        var usable = baseType.InstanceConstructors.Any(c => c.Parameters.All(p => p.IsOptional || p.IsParams)
            && compilation.IsSymbolAccessibleWithin(c, type, type));
        return usable ? null
            : ($"its base class '{baseType.Name}' has no accessible parameterless constructor for the generated constructor "
                + "Store(MemcacheClient client) to call", location);
    }

    /// <summary>The store's own members whose names the generator may also write, with where they are declared.</summary>
    private static EquatableArray<UserMemberModel> ReservedMembers(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var reserved = new List<UserMemberModel>();
        foreach (var member in type.GetMembers())
        {
            if (!member.IsImplicitlyDeclared && (member.Name.StartsWith("__", System.StringComparison.Ordinal) || member.Name is "Transaction" or "TransactAsync"))
            {
                reserved.Add(new UserMemberModel(member.Name, LocationInfo.From(member.Locations.FirstOrDefault())));
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        return reserved.ToEquatableArray();
    }

    internal static ExpressionSyntax? Argument(AttributeSyntax? attribute, string name) =>
        attribute?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name)?.Expression;

    private static string Keyword(TypeDeclarationSyntax? syntax) => syntax switch
    {
        RecordDeclarationSyntax r when r.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
        RecordDeclarationSyntax => "record",
        StructDeclarationSyntax => "struct",
        InterfaceDeclarationSyntax => "interface",
        _ => "class",
    };

    /// <summary>The name as generated code writes it: keywords escaped ("@event").</summary>
    private static string NameWithTypeParameters(INamedTypeSymbol type) =>
        type.TypeParameters.Length == 0 ? CodeWriter.Id(type.Name) : $"{CodeWriter.Id(type.Name)}<{string.Join(", ", type.TypeParameters.Select(t => CodeWriter.Id(t.Name)))}>";
}
