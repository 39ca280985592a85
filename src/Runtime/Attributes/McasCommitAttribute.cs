namespace Memstore;

/// <summary>
/// Marks a method that commits through MCAS and whose result tells whether the commit happened (a conflict is
/// a normal result, not an exception). The Memstore analyzers report a call whose result is ignored (MEMS2005).
/// Applied to <see cref="Mcas.McasClient.CompareAndSwapAsync"/> and by the Memstore generator to generated
/// MCAS write methods that return a result.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class McasCommitAttribute : Attribute
{
}
