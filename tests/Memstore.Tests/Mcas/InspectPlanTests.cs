using Memstore.Mcas;

namespace Memstore.Tests.Mcas;

/// <summary>
/// What <c>memstore mcas inspect</c> predicts for an undecided operation follows phase 1 of format version 3
/// (docs/mcas.md 4.3): every key is settled before the decide, one key that cannot be taken fails the operation, and
/// another operation's marker on a key expected to hold a value is such a key (the token read is spent).
/// </summary>
[Trait("Category", "Unit")]
public sealed class InspectPlanTests
{
    private static readonly Marker Ours = new("memstore:mcas:" + new string('a', 32), OverAbsent: false);

    [Theory]
    [InlineData("AsRead", "AsRead", "RollForward")]
    [InlineData("HeldByThisOperation", "AsRead", "RollForward")]
    [InlineData("HeldByOtherOperation", "AsRead", "DependsOnOtherOperation")] // k1 expected absent
    [InlineData("AsRead", "HeldByOtherOperation", "RollBack")]                 // k2 expected a value
    [InlineData("HeldByOtherOperation", "Changed", "RollBack")]                // a later key decides it
    [InlineData("HeldByOtherOperation", "HeldByOtherOperation", "RollBack")]
    public void An_undecided_operation_fails_when_any_key_cannot_be_taken_and_waits_only_at_keys_expected_absent(
        string k1, string k2, string expected)
    {
        // Names, not the internal enums, so the test method can stay public as xunit requires.
        var d = new Descriptor
        {
            Key = Ours.DescriptorKey,
            Id = new string('a', 32),
            Status = McasStatus.Undecided,
            Items =
            [
                new DescriptorItem { Key = "k1", ExpectedCas = 0, NewValue = [1] },
                new DescriptorItem { Key = "k2", ExpectedCas = 7, OldValue = [2], NewValue = [3] },
            ],
        };

        var plan = McasClient.Plan("k1", Ours with { OverAbsent = true }, 11, d, [Enum.Parse<McasItemState>(k1), Enum.Parse<McasItemState>(k2)]);

        Assert.Equal(Enum.Parse<McasKeyAction>(expected), plan.Action);
        Assert.False(string.IsNullOrWhiteSpace(plan.Reason));
    }
}
