using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Memstore.Analyzers;

/// <summary>
/// The key prefix that <c>MemcacheDistributedCache</c> puts before the keys of an <c>IDistributedCache</c> call
/// (<c>MemcacheDistributedCacheOptions.KeyPrefix</c>). Known when the cache is traced to
/// <c>new MemcacheDistributedCache(client[, options])</c> with options built in place; otherwise it is every
/// value assigned to <c>KeyPrefix</c> in this compilation (none: the default, no prefix). Null when a value is not
/// known; the call is then not reported.
/// </summary>
internal sealed class DistributedCacheKeys
{
    private const int MaxHops = 6;

    private static readonly string[] CacheTypeNames =
    [
        "Memstore.Caching.MemcacheDistributedCache",
        "Microsoft.Extensions.Caching.Distributed.IDistributedCache",
        "Microsoft.Extensions.Caching.Distributed.IBufferDistributedCache",
        "Microsoft.Extensions.Caching.Distributed.DistributedCacheExtensions",
    ];

    private readonly Compilation _compilation;
    private readonly KeyEvaluator _evaluator;
    private readonly INamedTypeSymbol? _cacheType;
    private readonly INamedTypeSymbol? _optionsType;
    private readonly Lazy<List<string>?> _compilationPrefixes;

    public DistributedCacheKeys(Compilation compilation, KeyEvaluator evaluator)
    {
        _compilation = compilation;
        _evaluator = evaluator;
        _cacheType = compilation.GetTypeByMetadataName("Memstore.Caching.MemcacheDistributedCache");
        _optionsType = compilation.GetTypeByMetadataName("Memstore.Caching.MemcacheDistributedCacheOptions");
        _compilationPrefixes = new Lazy<List<string>?>(ScanCompilation, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The types whose key-taking methods reach the distributed cache.</summary>
    public static IEnumerable<INamedTypeSymbol> CacheTypes(Compilation compilation) =>
        CacheTypeNames.Select(compilation.GetTypeByMetadataName)
        .Where(static t => t is not null)
        .Select(static t => t!);

    /// <summary>The possible prefixes of <paramref name="call"/>'s key, or null when one is not known.</summary>
    public List<string>? Prefixes(IInvocationOperation call, KeyEvaluator.Context context)
    {
        var receiver = call.Instance ?? (call.TargetMethod.IsExtensionMethod && call.Arguments.Length > 0 ? call.Arguments[0].Value : null);
        if (Creation(receiver, _cacheType) is { } creation)
        {
            var options = creation.Arguments.FirstOrDefault(static a => a.Parameter?.Name == "options");
            return options is null || options.ArgumentKind == ArgumentKind.DefaultValue ? [string.Empty] : OptionsPrefix(options.Value, context);
        }
        return _compilationPrefixes.Value;
    }

    /// <summary>Follows conversions, locals and readonly fields to an object creation of <paramref name="type"/>.</summary>
    private IObjectCreationOperation? Creation(IOperation? operation, INamedTypeSymbol? type)
    {
        for (var i = 0; i < MaxHops && operation is not null && type is not null; i++)
        {
            switch (operation)
            {
                case IConversionOperation { IsImplicit: true } conversion:
                    operation = conversion.Operand;
                    break;
                case ILocalReferenceOperation local:
                    operation = KeyExpressions.Initializer(local);
                    break;
                case IFieldReferenceOperation { Field: { IsReadOnly: true } field }:
                    operation = _evaluator.FieldInitializerOf(field);
                    break;
                case IObjectCreationOperation creation when SymbolEqualityComparer.Default.Equals(creation.Type, type):
                    return creation;
                default:
                    return null;
            }
        }
        return null;
    }

    private List<string>? OptionsPrefix(IOperation options, KeyEvaluator.Context context)
    {
        if (options is IConversionOperation { Operand.ConstantValue: { HasValue: true, Value: null } } || options.ConstantValue is { HasValue: true, Value: null })
        {
            return [string.Empty];
        }
        if (Creation(options, _optionsType) is not { } creation || creation.Arguments.Length > 0)
        {
            return null;
        }
        var assignment = creation.Initializer?.Initializers
            .OfType<ISimpleAssignmentOperation>()
            .LastOrDefault(static a => a.Target is IPropertyReferenceOperation { Property.Name: "KeyPrefix" });
        return assignment is null ? [string.Empty] : PrefixValue(assignment.Value, context);
    }

    private List<string>? PrefixValue(IOperation value, KeyEvaluator.Context context) =>
        value.ConstantValue is { HasValue: true, Value: null } || value is IConversionOperation { Operand.ConstantValue: { HasValue: true, Value: null } }
            ? [string.Empty]
            : _evaluator.Evaluate(value, context);

    /// <summary>
    /// Every value assigned to <c>KeyPrefix</c> in the compilation (object initializers and <c>o.KeyPrefix = ...</c>
    /// in configure callbacks); computed once, on the first distributed-cache call with a candidate key.
    /// </summary>
    private List<string>? ScanCompilation()
    {
        var prefixes = new List<string>();
        var context = new KeyEvaluator.Context();
        foreach (var tree in _compilation.SyntaxTrees)
        {
            if (tree.GetText().ToString().IndexOf("KeyPrefix", StringComparison.Ordinal) < 0)
            {
                continue;
            }
            foreach (var name in tree.GetRoot().DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (name.Identifier.ValueText != "KeyPrefix")
                {
                    continue;
                }
                SyntaxNode target = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access : name;
                if (target.Parent is not AssignmentExpressionSyntax assignment || assignment.Left != target)
                {
                    continue;
                }
                var model = _evaluator.ModelFor(tree);
                if (model.GetSymbolInfo(name).Symbol is not IPropertySymbol property
                    || !SymbolEqualityComparer.Default.Equals(property.ContainingType, _optionsType))
                {
                    continue;
                }
                if (model.GetOperation(assignment) is not ISimpleAssignmentOperation operation || PrefixValue(operation.Value, context) is not { } values)
                {
                    return null;
                }
                prefixes.AddRange(values);
            }
        }
        return prefixes.Count == 0 ? [string.Empty] : prefixes.Distinct(StringComparer.Ordinal).ToList();
    }
}
