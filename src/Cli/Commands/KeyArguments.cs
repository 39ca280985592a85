using System.CommandLine;

namespace Memstore.Cli.Commands;

/// <summary>The KEY... argument of get and delete: at least one, with a message that shows the usage when none is given.</summary>
internal static class KeyArguments
{
    /// <summary>Adds a KEY... argument to <paramref name="command"/>; without keys the parse fails with "Missing KEY: <paramref name="usage"/>".</summary>
    public static Argument<string[]> AddTo(Command command, string description, string usage)
    {
        var keys = new Argument<string[]>("KEY") { Arity = ArgumentArity.ZeroOrMore, Description = description + "; '--' before keys that start with '-'" };
        command.Add(keys);
        command.Validators.Add(result =>
        {
            if (result.GetValue(keys) is not { Length: > 0 })
            {
                result.AddError($"Missing KEY: {usage}");
            }
        });
        return keys;
    }
}
