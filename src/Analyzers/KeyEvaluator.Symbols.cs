using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Memstore.Analyzers;

/// <summary>Keys one step away: fields, properties and helper methods declared in this compilation, in any file.</summary>
internal sealed partial class KeyEvaluator
{
    /// <summary>
    /// A readonly field or a property without a setter, declared in source: its initializer (not when a
    /// constructor or init accessor may assign it), or its getter's single expression. Cached per symbol.
    /// </summary>
    private List<string>? SymbolValue(ISymbol symbol, int hops, Context context)
    {
        if (_symbolValues.TryGetValue(symbol, out var cached))
        {
            return cached;
        }
        var before = context.UnnamedMcasKeyspace;
        var value = ComputeSymbolValue(symbol, hops, context);
        // A value that depends on the visit budget or names an untraced keyspace is not cached.
        if (context.Visits <= MaxVisits && ReferenceEquals(before, context.UnnamedMcasKeyspace))
        {
            _symbolValues.TryAdd(symbol, value);
        }
        return value;
    }

    private List<string>? ComputeSymbolValue(ISymbol symbol, int hops, Context context)
    {
        var empty = ImmutableDictionary<IParameterSymbol, List<string>?>.Empty;
        switch (symbol)
        {
            case IFieldSymbol { IsReadOnly: true } field when !Reassigned(field):
                return Eval(FieldInitializer(field), empty, hops + 1, context);
            case IPropertySymbol { SetMethod: null, GetMethod: { } getter } property when IsFixed(property):
                if (BodyExpression(getter) is { } body)
                {
                    return Eval(body, empty, hops + 1, context);
                }
                return Reassigned(property) ? null : Eval(PropertyInitializer(property), empty, hops + 1, context);
            default:
                return null;
        }
    }

    /// <summary>A call of a non-virtual method of this compilation: its returned expression, with the call's arguments for its parameters.</summary>
    private List<string>? Helper(IInvocationOperation invocation, ImmutableDictionary<IParameterSymbol, List<string>?> args, int hops, Context context)
    {
        var method = invocation.TargetMethod.OriginalDefinition;
        // The call's return type, not the definition's: a generic helper returns T. A MemcacheKey is a key too.
        var returned = invocation.TargetMethod.ReturnType;
        if (!IsFixed(method) || !(IsKeyType(returned) || IsMemcacheKey(returned)) || BodyExpression(method) is not { } body)
        {
            return null;
        }
        var callee = ImmutableDictionary.CreateBuilder<IParameterSymbol, List<string>?>(SymbolEqualityComparer.Default);
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is { } parameter)
            {
                callee[parameter.OriginalDefinition] = argument.ArgumentKind == ArgumentKind.ParamArray ? null : Eval(argument.Value, args, hops, context);
            }
        }
        return Eval(body, callee.ToImmutable(), hops + 1, context);
    }

    /// <summary>Declared in this compilation and not replaceable by an override.</summary>
    private static bool IsFixed(ISymbol symbol) =>
        symbol.DeclaringSyntaxReferences.Length > 0
        && !symbol.IsAbstract && !symbol.IsExtern
        && (!symbol.IsVirtual && !symbol.IsOverride || symbol.IsSealed || symbol.ContainingType?.IsSealed == true)
        && symbol.ContainingType?.TypeKind != TypeKind.Interface;

    /// <summary>The expression a method or getter returns, when its body is that one expression or one return statement.</summary>
    private IOperation? BodyExpression(IMethodSymbol method)
    {
        var declaration = (method.PartialImplementationPart ?? method).DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax();
        ExpressionSyntax? expression = declaration switch
        {
            MethodDeclarationSyntax m => m.ExpressionBody?.Expression ?? SingleReturn(m.Body),
            LocalFunctionStatementSyntax f => f.ExpressionBody?.Expression ?? SingleReturn(f.Body),
            AccessorDeclarationSyntax a => a.ExpressionBody?.Expression ?? SingleReturn(a.Body),
            ArrowExpressionClauseSyntax arrow => arrow.Expression,
            PropertyDeclarationSyntax p => p.ExpressionBody?.Expression,
            _ => null,
        };
        return expression is null ? null : ModelFor(expression.SyntaxTree).GetOperation(expression);
    }

    private static ExpressionSyntax? SingleReturn(BlockSyntax? body) =>
        body is { Statements.Count: 1 } && body.Statements[0] is ReturnStatementSyntax { Expression: { } expression } ? expression : null;

    /// <summary>The initializer of a field declared in source, else null.</summary>
    internal IOperation? FieldInitializerOf(IFieldSymbol field) => Reassigned(field) ? null : FieldInitializer(field);

    private IOperation? FieldInitializer(IFieldSymbol field)
    {
        if (field.DeclaringSyntaxReferences.Length != 1
            || field.DeclaringSyntaxReferences[0].GetSyntax() is not VariableDeclaratorSyntax { Initializer: { } initializer })
        {
            return null;
        }
        return ModelFor(initializer.SyntaxTree).GetOperation(initializer) is IFieldInitializerOperation init ? init.Value : null;
    }

    private IOperation? PropertyInitializer(IPropertySymbol property)
    {
        if (property.DeclaringSyntaxReferences.Length != 1
            || property.DeclaringSyntaxReferences[0].GetSyntax() is not PropertyDeclarationSyntax { Initializer: { } initializer })
        {
            return null;
        }
        return ModelFor(initializer.SyntaxTree).GetOperation(initializer) is IPropertyInitializerOperation init ? init.Value : null;
    }

    /// <summary>
    /// Whether a constructor or init accessor of the declaring type may assign the member (then its initializer is
    /// not its value): any assignment to, or ref/out use of, that name there. Syntactic, so it errs towards "yes".
    /// </summary>
    private bool Reassigned(ISymbol member) =>
        member.ContainingType is { } type && _assignedInConstructors.GetOrAdd(type, AssignedInConstructors).Contains(member.Name);

    /// <summary>Every name a constructor or init accessor of the type assigns or passes by ref: one walk per type, not per member.</summary>
    private static HashSet<string> AssignedInConstructors(INamedTypeSymbol type)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            // Only the type's structure is walked, not the bodies of its methods and accessors: for a store, the
            // generated part alone is thousands of nodes that can assign nothing.
            foreach (var node in reference.GetSyntax().DescendantNodes(static n => n is TypeDeclarationSyntax or BasePropertyDeclarationSyntax or AccessorListSyntax))
            {
                if (node is ConstructorDeclarationSyntax or AccessorDeclarationSyntax { Keyword.ValueText: "init" })
                {
                    AddAssignedNames(node, names);
                }
            }
        }
        return names;
    }

    private static void AddAssignedNames(SyntaxNode body, HashSet<string> names)
    {
        foreach (var identifier in body.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            SyntaxNode target = identifier.Parent is MemberAccessExpressionSyntax access && access.Name == identifier ? access : identifier;
            switch (target.Parent)
            {
                case AssignmentExpressionSyntax assignment when assignment.Left == target:
                case ArgumentSyntax argument when !argument.RefKindKeyword.IsKind(SyntaxKind.None):
                    names.Add(identifier.Identifier.ValueText);
                    break;
            }
        }
    }

    /// <summary>
    /// The semantic model of a tree of this compilation. The analyzer driver hands the compilation a caching model
    /// provider, so this is the model it uses itself; the dictionary keeps one per tree for this analyzer's lookups.
    /// </summary>
    internal SemanticModel ModelFor(SyntaxTree tree) =>
#pragma warning disable RS1030 // Keys one step away live in other trees; there is no other way to bind them.
        _models.GetOrAdd(tree, t => _compilation.GetSemanticModel(t));
#pragma warning restore RS1030
}
