using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Memstore.Analyzers;

/// <summary>
/// MEMS2004: the CAS token given to a plain compare-and-set or delete. Reported when it is the <c>Cas</c> of
/// the result of a plain read of an MCAS-managed key (the token may be a marker's), or the <c>Cas</c> of an
/// <c>McasEntry</c> or of a typed keyspace's <c>McasItem</c> (an MCAS-managed key is being written behind MCAS's back,
/// whatever the key expression).
/// The token is traced through parentheses, <c>await</c>, <c>ConfigureAwait</c> and locals declared with an
/// initializer.
/// </summary>
internal static class CasTokens
{
    private const int MaxDepth = 6;

    public static void Analyze(OperationAnalysisContext context, KeyRules rules, IInvocationOperation target, IArgumentOperation cas)
    {
        var value = Unwrap(cas.Value, 0);
        if (value is not IPropertyReferenceOperation { Property.Name: "Cas", Instance: { } instance } property
            || !rules.IsCasToken(property.Type))
        {
            return;
        }
        string? origin = null;
        if (rules.IsMcasEntry(property.Property.ContainingType))
        {
            origin = "an MCAS read (McasEntry.Cas), so it writes an MCAS-managed key without MCAS";
        }
        else if (rules.IsMcasItem(property.Property.ContainingType))
        {
            origin = "an MCAS read (McasItem.Cas), so it writes an MCAS-managed key without MCAS";
        }
        else if (rules.IsPlainResult(property.Property.ContainingType)
            && Unwrap(instance, 0) is IInvocationOperation read
            && rules.PlainReadKey(read) is { } key
            && rules.Match(key) is { } manifest)
        {
            origin = $"a plain read of a key of MCAS keyspace '{manifest.Keyspace}' (template '{manifest.Template}'), which may be a marker's token";
        }
        if (origin is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.CasToken,
                KeyRules.ExpressionOf(cas).GetLocation(),
                "MemcacheClient." + target.TargetMethod.Name,
                origin));
        }
    }

    /// <summary>Follows conversions, parentheses, awaits, ConfigureAwait/AsTask and initialized locals.</summary>
    private static IOperation Unwrap(IOperation operation, int depth)
    {
        while (depth++ < MaxDepth * 4)
        {
            switch (operation)
            {
                case IConversionOperation { IsImplicit: true } conversion:
                    operation = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                case IAwaitOperation awaited:
                    operation = awaited.Operation;
                    break;
                case IInvocationOperation { TargetMethod.Name: "ConfigureAwait" or "AsTask", Instance: { } instance }:
                    operation = instance;
                    break;
                case ILocalReferenceOperation local when KeyExpressions.Initializer(local) is { } init:
                    operation = init;
                    break;
                default:
                    return operation;
            }
        }
        return operation;
    }
}
