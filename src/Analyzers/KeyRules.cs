using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Memstore.Analyzers;

/// <summary>The per-compilation state of <see cref="McasKeyAnalyzer"/>: the plain client methods and the MCAS-managed manifests.</summary>
internal sealed class KeyRules
{
    private static readonly string[] ReadNames = ["GetAsync", "GetLeaseAsync", "GetManyAsync", "GetAndTouchAsync"];

    private static readonly string[] WriteNames =
    [
        "SetAsync", "AddAsync", "ReplaceAsync", "AppendAsync", "PrependAsync", "StoreAsync", "CompareAndSetAsync",
        "DeleteAsync", "IncrementAsync", "DecrementAsync", "TouchAsync",
    ];

    private static readonly string[] PlainResultNames = ["Memstore.CacheValue", "Memstore.CacheValueInfo", "Memstore.CacheLease"];

    private readonly Dictionary<IMethodSymbol, PlainMethod> _methods = new(SymbolEqualityComparer.Default);
    private readonly ImmutableArray<Manifest> _managed;
    private readonly INamedTypeSymbol? _casToken;
    private readonly ImmutableArray<INamedTypeSymbol> _plainResults;
    private readonly INamedTypeSymbol? _mcasEntry;

    public KeyRules(Compilation compilation, INamedTypeSymbol client, ImmutableArray<Manifest> managed)
    {
        _managed = managed;
        foreach (var name in ReadNames)
        {
            AddMethods(client, name, isRead: true);
        }
        foreach (var name in WriteNames)
        {
            AddMethods(client, name, isRead: false);
        }
        _casToken = compilation.GetTypeByMetadataName("Memstore.CasToken");
        _mcasEntry = compilation.GetTypeByMetadataName("Memstore.Mcas.McasEntry");
        _plainResults = PlainResultNames
            .Select(compilation.GetTypeByMetadataName)
            .Where(static t => t is not null)
            .Select(static t => t!)
            .ToImmutableArray();
    }

    private void AddMethods(INamedTypeSymbol client, string name, bool isRead)
    {
        foreach (var method in client.GetMembers(name).OfType<IMethodSymbol>())
        {
            var key = method.Parameters.FirstOrDefault(static p => p.Name is "key" or "keys");
            if (key is not null && method.DeclaredAccessibility == Accessibility.Public)
            {
                var cas = method.Parameters.FirstOrDefault(static p => p.Name == "cas");
                _methods[method] = new PlainMethod(isRead, key.Ordinal, key.Name == "keys", cas?.Ordinal ?? -1);
            }
        }
    }

    public void AnalyzeInvocation(OperationAnalysisContext context)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!_methods.TryGetValue(invocation.TargetMethod.OriginalDefinition, out var plain))
        {
            return;
        }
        foreach (var argument in invocation.Arguments)
        {
            var ordinal = argument.Parameter?.Ordinal ?? -1;
            if (ordinal == plain.KeyOrdinal)
            {
                AnalyzeKeyArgument(context, invocation, plain, argument);
            }
            else if (ordinal == plain.CasOrdinal && argument.ArgumentKind != ArgumentKind.DefaultValue)
            {
                CasTokens.Analyze(context, this, invocation, argument);
            }
        }
    }

    private void AnalyzeKeyArgument(OperationAnalysisContext context, IInvocationOperation invocation, PlainMethod plain, IArgumentOperation argument)
    {
        if (!plain.IsList)
        {
            _ = ReportIfManaged(context, invocation, plain, argument.Value, ExpressionOf(argument));
            return;
        }
        var value = SkipConversions(argument.Value);
        if (value is ILocalReferenceOperation local && KeyExpressions.Initializer(local) is { } init)
        {
            // A list built elsewhere: one diagnostic, on the argument (diagnostics stay inside the call).
            foreach (var element in ListElements(SkipConversions(init)))
            {
                if (ReportIfManaged(context, invocation, plain, element, ExpressionOf(argument)))
                {
                    return;
                }
            }
            return;
        }
        foreach (var element in ListElements(value))
        {
            _ = ReportIfManaged(context, invocation, plain, element, element.Syntax);
        }
    }

    private static IOperation SkipConversions(IOperation value)
    {
        while (value is IConversionOperation { IsImplicit: true } conversion)
        {
            value = conversion.Operand;
        }
        return value;
    }

    private static IEnumerable<IOperation> ListElements(IOperation value) =>
        value switch
        {
            IArrayCreationOperation { Initializer: { } array } => array.ElementValues,
            ICollectionExpressionOperation collection => collection.Elements,
            IObjectCreationOperation { Initializer: { } objectInit } => objectInit.Initializers
                .OfType<IInvocationOperation>()
                .Where(static add => add.Arguments.Length == 1)
                .Select(static add => add.Arguments[0].Value),
            _ => [],
        };

    /// <summary>The argument's expression as written, parentheses included (the operation tree skips them).</summary>
    public static SyntaxNode ExpressionOf(IArgumentOperation argument)
    {
        var node = argument.Syntax is ArgumentSyntax syntax ? syntax.Expression : argument.Syntax;
        while (node.Parent is ParenthesizedExpressionSyntax parenthesized)
        {
            node = parenthesized;
        }
        return node;
    }

    private bool ReportIfManaged(OperationAnalysisContext context, IInvocationOperation invocation, PlainMethod plain, IOperation key, SyntaxNode location)
    {
        if (Match(key) is not { } manifest)
        {
            return false;
        }
        var method = invocation.TargetMethod.Name;
        var properties = ImmutableDictionary<string, string?>.Empty.Add(Descriptors.MethodProperty, method);
        context.ReportDiagnostic(Diagnostic.Create(
            plain.IsRead ? Descriptors.PlainRead : Descriptors.PlainWrite,
            location.GetLocation(),
            properties,
            "MemcacheClient." + method,
            manifest.Keyspace,
            manifest.Template));
        return true;
    }

    /// <summary>The MCAS-managed manifest whose keys <paramref name="key"/> can produce (longest prefix first), or null.</summary>
    public Manifest? Match(IOperation key)
    {
        if (KeyExpressions.ToPattern(key) is not { } pattern)
        {
            return null;
        }
        Manifest? best = null;
        foreach (var manifest in _managed)
        {
            if ((best is null || manifest.ConstantPrefix.Length > best.ConstantPrefix.Length)
                && KeyPattern.KeyMatchesTemplate(pattern, manifest.Pattern))
            {
                best = manifest;
            }
        }
        return best;
    }

    public bool IsCasToken(ITypeSymbol? type) => type is not null && SymbolEqualityComparer.Default.Equals(type, _casToken);

    public bool IsPlainResult(ITypeSymbol? type) =>
        type is not null && _plainResults.Contains(type, SymbolEqualityComparer.Default);

    public bool IsMcasEntry(ITypeSymbol? type) => type is not null && SymbolEqualityComparer.Default.Equals(type, _mcasEntry);

    /// <summary>The plain read that <paramref name="invocation"/> calls, with its key argument, or null.</summary>
    public IOperation? PlainReadKey(IInvocationOperation invocation)
    {
        if (!_methods.TryGetValue(invocation.TargetMethod.OriginalDefinition, out var plain) || !plain.IsRead || plain.IsList)
        {
            return null;
        }
        return invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == plain.KeyOrdinal)?.Value;
    }

    private sealed class PlainMethod(bool isRead, int keyOrdinal, bool isList, int casOrdinal)
    {
        public bool IsRead { get; } = isRead;

        public int KeyOrdinal { get; } = keyOrdinal;

        public bool IsList { get; } = isList;

        public int CasOrdinal { get; } = casOrdinal;
    }
}
