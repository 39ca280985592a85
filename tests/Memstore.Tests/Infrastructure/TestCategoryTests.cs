using System.Reflection;

namespace Memstore.Tests.Infrastructure;

/// <summary>
/// Every test class carries exactly one <c>Category</c> trait, on the class, so that
/// <c>dotnet test --filter Category=Unit</c> runs the fast part and no test falls between the filters
/// (CONTRIBUTING.md, "Tests"). This file is compiled into every test project, each checking its own assembly.
/// </summary>
[Trait("Category", "Unit")]
public sealed class TestCategoryTests
{
    /// <summary>
    /// Unit: in-process only, no other program (Roslyn compilations count as in-process).
    /// Memcached: starts memcached, and possibly worker processes, on loopback ports.
    /// Packaging: runs the dotnet CLI to pack, build or publish a project.
    /// </summary>
    private static readonly string[] Categories = ["Unit", "Memcached", "Packaging"];

    [Fact]
    public void Every_test_class_has_exactly_one_category()
    {
        var problems = new List<string>();
        foreach (var type in TestClasses(typeof(TestCategoryTests).Assembly))
        {
            var categories = CategoriesOf(type).ToList();
            if (categories.Count != 1)
            {
                problems.Add($"{type.FullName} has {categories.Count} Category traits ({string.Join(", ", categories)}); give it exactly one: [Trait(\"Category\", \"Unit\")], \"Memcached\" or \"Packaging\".");
            }
            else if (!Categories.Contains(categories[0]))
            {
                problems.Add($"{type.FullName} has the unknown category \"{categories[0]}\"; use one of {string.Join(", ", Categories)}.");
            }
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static))
            {
                if (method.GetCustomAttributesData().Any(IsCategoryTrait))
                {
                    problems.Add($"{type.FullName}.{method.Name} has a Category trait of its own; categories go on the class.");
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void The_check_finds_the_test_classes_of_this_assembly()
    {
        var classes = TestClasses(typeof(TestCategoryTests).Assembly).ToList();
        Assert.Contains(typeof(TestCategoryTests), classes);
        Assert.True(classes.Count > 5, $"only {classes.Count} test classes found");
        Assert.Equal(["Unit"], CategoriesOf(typeof(TestCategoryTests)));
    }

    /// <summary>Classes xunit runs tests of: not abstract, with a [Fact] or [Theory] method, declared or inherited.</summary>
    private static IEnumerable<Type> TestClasses(Assembly assembly) =>
        assembly.GetTypes().Where(type => type.IsClass && !type.IsAbstract && type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
            .Any(method => method.IsDefined(typeof(FactAttribute), inherit: true)));

    private static IEnumerable<string> CategoriesOf(Type type) =>
        type.GetCustomAttributesData().Where(IsCategoryTrait).Select(trait => (string)trait.ConstructorArguments[1].Value!);

    private static bool IsCategoryTrait(CustomAttributeData attribute) =>
        attribute.AttributeType == typeof(TraitAttribute) && (string?)attribute.ConstructorArguments[0].Value == "Category";
}
