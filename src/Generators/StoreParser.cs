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
        var emitClientProperty = type.GetMembers("Client").IsEmpty;
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
            CanStub: canStub);
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
