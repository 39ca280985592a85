using Microsoft.CodeAnalysis;

namespace Memstore.Analyzers;

/// <summary>The diagnostics of the Memstore analyzers; each has a page in docs/diagnostics/.</summary>
internal static class Descriptors
{
    private const string Category = "Memstore.Mcas";
    private const string HelpBase = "https://github.com/memstore/memstore/blob/main/docs/diagnostics/";

    public const string PlainReadId = "MEMS2001";
    public const string PlainWriteId = "MEMS2002";
    public const string AliasingId = "MEMS2003";
    public const string CasTokenId = "MEMS2004";
    public const string IgnoredCommitId = "MEMS2005";

    /// <summary>Diagnostic property: the name of the plain read method (for the code fix).</summary>
    public const string MethodProperty = "Method";

    public static readonly DiagnosticDescriptor PlainRead = new(
        PlainReadId,
        "Plain read of an MCAS-managed key",
        "'{0}' reads a key of MCAS keyspace '{1}' (template '{2}') without MCAS and can see a marker or a stale value; read it with McasClient.GetAsync (McasGet) or the generated MCAS accessor",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A plain get of a key that MCAS manages can return an MCAS marker instead of data, or a value that an operation in flight is about to replace; only McasGet helps the operation finish and returns the real value.",
        helpLinkUri: HelpBase + PlainReadId + ".md");

    public static readonly DiagnosticDescriptor PlainWrite = new(
        PlainWriteId,
        "Plain write of an MCAS-managed key",
        "'{0}' writes a key of MCAS keyspace '{1}' (template '{2}') without MCAS, which silently breaks the atomicity of MCAS operations; write it with McasClient.CompareAndSwapAsync, TransactAsync or the generated MCAS accessor",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A plain set, add, replace, append, prepend, delete, increment, decrement, touch or compare-and-set of a key that MCAS manages can overwrite a marker, so that an MCAS operation reports success while its write is lost, or corrupt the marker.",
        helpLinkUri: HelpBase + PlainWriteId + ".md");

    public static readonly DiagnosticDescriptor Aliasing = new(
        AliasingId,
        "Non-MCAS keyspace aliases an MCAS-managed keyspace",
        "Keyspace '{0}' (template '{1}') is not MCAS-managed but can produce keys of MCAS keyspace '{2}' (template '{3}'); every access through it bypasses MCAS",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Two keyspaces whose templates can produce the same key let plain reads and writes reach keys that MCAS manages. Give the keyspaces distinct prefixes, or manage both with MCAS.",
        helpLinkUri: HelpBase + AliasingId + ".md",
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor CasToken = new(
        CasTokenId,
        "CAS token crosses between plain and MCAS access",
        "'{0}' receives the CAS token of {1}; that token is only meaningful to MCAS: read with McasClient.GetAsync and commit with McasClient.CompareAndSwapAsync",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A plain read of an MCAS-managed key may return the token of a marker, and a token from an MCAS read used in a plain compare-and-set writes an MCAS-managed key behind MCAS's back.",
        helpLinkUri: HelpBase + CasTokenId + ".md");

    public static readonly DiagnosticDescriptor IgnoredCommit = new(
        IgnoredCommitId,
        "Result of an MCAS commit is ignored",
        "The result of MCAS commit '{0}' is ignored{1}: a commit fails on a conflict and then writes nothing; check the result, or use McasClient.TransactAsync, which retries",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "An MCAS commit returns whether it happened; a conflict is a normal result, not an exception. Code that ignores the result believes writes that did not happen.",
        helpLinkUri: HelpBase + IgnoredCommitId + ".md");
}
