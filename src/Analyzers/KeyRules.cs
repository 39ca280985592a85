using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Memstore.Analyzers;

/// <summary>The per-compilation state of <see cref="McasKeyAnalyzer"/>: the plain client methods and the MCAS-managed manifests.</summary>
internal sealed class KeyRules
{
    private static readonly string[] ReadNames = ["GetAsync", "GetLeaseAsync", "GetManyAsync", "GetAndTouchAsync", "GetAndTouchManyAsync"];

    // GetOrCreateAsync writes on a miss; InvalidateAsync marks the item stale.
    private static readonly string[] WriteNames =
    [
        "SetAsync", "AddAsync", "ReplaceAsync", "AppendAsync", "PrependAsync", "StoreAsync", "CompareAndSetAsync",
        "DeleteAsync", "IncrementAsync", "DecrementAsync", "TouchAsync", "DeleteManyAsync", "DeleteManyQuietAsync",
        "TouchManyAsync", "GetOrCreateAsync", "InvalidateAsync",
    ];

    private static readonly string[] PlainResultNames = ["Memstore.CacheValue", "Memstore.CacheValueInfo", "Memstore.CacheLease"];

    private readonly Dictionary<IMethodSymbol, PlainMethod> _methods = new(SymbolEqualityComparer.Default);
    private readonly ImmutableArray<Manifest> _managed;
    private readonly KeyEvaluator _evaluator;
    private readonly DistributedCacheKeys _distributed;
    private readonly INamedTypeSymbol? _casToken;
    private readonly ImmutableArray<INamedTypeSymbol> _plainResults;
    private readonly INamedTypeSymbol? _mcasEntry;
    private readonly INamedTypeSymbol? _mcasItem;

    public KeyRules(Compilation compilation, INamedTypeSymbol client, ImmutableArray<Manifest> all, ImmutableArray<Manifest> managed)
    {
        _managed = managed;
        _evaluator = new KeyEvaluator(compilation, all);
        _distributed = new DistributedCacheKeys(compilation, _evaluator);
        foreach (var name in ReadNames)
        {
            AddMethods(client, name, isRead: true);
        }
        foreach (var name in WriteNames)
        {
            AddMethods(client, name, isRead: false);
        }
        foreach (var cache in DistributedCacheKeys.CacheTypes(compilation))
        {
            AddDistributedCacheMethods(cache);
        }
        _casToken = compilation.GetTypeByMetadataName("Memstore.CasToken");
        _mcasEntry = compilation.GetTypeByMetadataName("Memstore.Mcas.McasEntry");
        _mcasItem = compilation.GetTypeByMetadataName("Memstore.McasItem`1");
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
                _methods[method] = new PlainMethod(isRead, key.Ordinal, key.Name == "keys", cas?.Ordinal ?? -1, isDistributedCache: false);
            }
        }
    }

    /// <summary>IDistributedCache and friends: every public method with a string <c>key</c>; Get*/TryGet* read, the rest write.</summary>
    private void AddDistributedCacheMethods(INamedTypeSymbol cache)
    {
        foreach (var method in cache.GetMembers().OfType<IMethodSymbol>())
        {
            var key = method.Parameters.FirstOrDefault(static p => p.Name == "key" && p.Type.SpecialType == SpecialType.System_String);
            if (key is not null && method.DeclaredAccessibility == Accessibility.Public && method.MethodKind == MethodKind.Ordinary)
            {
                var isRead = method.Name.StartsWith("Get", StringComparison.Ordinal) || method.Name.StartsWith("TryGet", StringComparison.Ordinal);
                _methods[method] = new PlainMethod(isRead, key.Ordinal, isList: false, casOrdinal: -1, isDistributedCache: true);
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
        if (Match(key, plain.IsDistributedCache ? invocation : null) is not { } manifest)
        {
            return false;
        }
        var method = invocation.TargetMethod.Name;
        var properties = ImmutableDictionary<string, string?>.Empty.Add(Descriptors.MethodProperty, method);
        context.ReportDiagnostic(Diagnostic.Create(
            plain.IsRead ? Descriptors.PlainRead : Descriptors.PlainWrite,
            location.GetLocation(),
            properties,
            invocation.TargetMethod.ContainingType.Name + "." + method,
            manifest.Keyspace,
            manifest.Template));
        return true;
    }

    /// <summary>
    /// The MCAS keyspace whose keys <paramref name="key"/> can produce (longest constant prefix first), or null.
    /// For a distributed-cache call, the key goes after the cache's key prefix; with several possible prefixes,
    /// every one must give an MCAS key (the analyzers prefer silence to guesses).
    /// </summary>
    public KeyMatch? Match(IOperation key, IInvocationOperation? distributedCacheCall = null)
    {
        var context = new KeyEvaluator.Context();
        if (_evaluator.Evaluate(key, context) is not { } patterns)
        {
            return null;
        }
        if (distributedCacheCall is null)
        {
            return Match(patterns, context);
        }
        if (_distributed.Prefixes(distributedCacheCall, context) is not { Count: > 0 } prefixes)
        {
            return null;
        }
        KeyMatch? first = null;
        foreach (var prefix in prefixes)
        {
            if (Match(patterns.Select(p => prefix + p).ToList(), context) is not { } match)
            {
                return null;
            }
            first ??= match;
        }
        return first;
    }

    private KeyMatch? Match(List<string> patterns, KeyEvaluator.Context context)
    {
        Manifest? best = null;
        var unnamed = false;
        foreach (var raw in patterns)
        {
            unnamed |= raw.IndexOf(KeyEvaluator.AnyMcasKey) >= 0;
            var pattern = raw.Replace(KeyEvaluator.AnyMcasKey, KeyPattern.AnyString);
            var keyPrefix = KeyPattern.ConstantPrefix(pattern);
            var constant = keyPrefix.Length == pattern.Length;
            foreach (var manifest in _managed)
            {
                // The cheap part of KeyMatchesTemplate first: most templates fail on the constant prefix.
                if ((best is null || manifest.ConstantPrefix.Length > best.ConstantPrefix.Length)
                    && keyPrefix.StartsWith(manifest.ConstantPrefix, StringComparison.Ordinal)
                    && (manifest.ConstantPrefix.Length > 0 || constant)
                    && KeyPattern.Intersects(pattern, manifest.Pattern))
                {
                    best = manifest;
                }
            }
        }
        if (best is not null)
        {
            return new KeyMatch(best.Keyspace, best.Template);
        }
        // FormatKey of an MCAS keyspace that no manifest names: an MCAS key all the same.
        return unnamed && context.UnnamedMcasKeyspace is { } keyspace ? new KeyMatch(keyspace, "unknown") : null;
    }

    public bool IsCasToken(ITypeSymbol? type) => type is not null && SymbolEqualityComparer.Default.Equals(type, _casToken);

    public bool IsPlainResult(ITypeSymbol? type) =>
        type is not null && _plainResults.Contains(type, SymbolEqualityComparer.Default);

    public bool IsMcasEntry(ITypeSymbol? type) => type is not null && SymbolEqualityComparer.Default.Equals(type, _mcasEntry);

    /// <summary>A typed MCAS keyspace's read result (<c>McasItem&lt;T&gt;</c>), whose <c>Cas</c> is its entry's.</summary>
    public bool IsMcasItem(ITypeSymbol? type) => type is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, _mcasItem);

    /// <summary>The plain read that <paramref name="invocation"/> calls, with its key argument, or null.</summary>
    public IOperation? PlainReadKey(IInvocationOperation invocation)
    {
        if (!_methods.TryGetValue(invocation.TargetMethod.OriginalDefinition, out var plain) || !plain.IsRead || plain.IsList)
        {
            return null;
        }
        return invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == plain.KeyOrdinal)?.Value;
    }

    private sealed class PlainMethod(bool isRead, int keyOrdinal, bool isList, int casOrdinal, bool isDistributedCache)
    {
        public bool IsDistributedCache { get; } = isDistributedCache;

        public bool IsRead { get; } = isRead;

        public int KeyOrdinal { get; } = keyOrdinal;

        public bool IsList { get; } = isList;

        public int CasOrdinal { get; } = casOrdinal;
    }
}

/// <summary>The keyspace a key belongs to, as diagnostics name it.</summary>
internal sealed class KeyMatch(string keyspace, string template)
{
    public string Keyspace { get; } = keyspace;

    public string Template { get; } = template;
}
