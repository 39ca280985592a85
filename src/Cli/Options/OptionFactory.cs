using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Memstore.Cli.Options;

/// <summary>
/// Options whose mistakes explain themselves: whole numbers with their range, and flags. The messages are
/// parse errors, so every one of them ends as exit code 2 with one line on standard error.
/// </summary>
internal static class OptionFactory
{
    /// <summary>A whole-number option from <paramref name="minimum"/> to <paramref name="maximum"/>, <paramref name="absent"/> when not given.</summary>
    public static Option<long> Number(string name, string? alias, string valueName, string description, long absent, long minimum, long maximum)
    {
        Option<long> option = alias is null ? new(name) : new(name, alias);
        option.HelpName = valueName;
        option.Description = description;
        option.DefaultValueFactory = _ => absent;
        option.CustomParser = result =>
        {
            if (result.Tokens.Count == 0)
            {
                return absent;
            }

            string text = result.Tokens[0].Value;
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value < minimum || value > maximum)
            {
                result.AddError(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Option '{name}' needs a whole number from {minimum} to {maximum}; '{text}' is not."));
                return absent;
            }

            return value;
        };
        return option;
    }

    /// <summary>A decimal-number option from <paramref name="minimum"/> to <paramref name="maximum"/>, <paramref name="absent"/> when not given.</summary>
    public static Option<double> Decimal(string name, string valueName, string description, double absent, double minimum, double maximum)
    {
        var option = new Option<double>(name)
        {
            HelpName = valueName,
            Description = description,
            DefaultValueFactory = _ => absent,
        };
        option.CustomParser = result =>
        {
            if (result.Tokens.Count == 0)
            {
                return absent;
            }

            string text = result.Tokens[0].Value;
            if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || value < minimum || value > maximum)
            {
                result.AddError(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Option '{name}' needs a number from {minimum} to {maximum}; '{text}' is not."));
                return absent;
            }

            return value;
        };
        return option;
    }

    /// <summary>A flag: present or not, never followed by a value (so <c>--yes true</c> leaves <c>true</c> a positional argument).</summary>
    public static Option<bool> Flag(string name, string? alias, string description)
    {
        Option<bool> option = alias is null ? new(name) : new(name, alias);
        option.Description = description;
        option.Arity = ArgumentArity.Zero;
        return option;
    }

    /// <summary>An option with one text value.</summary>
    public static Option<string> Text(string name, string? alias, string valueName, string description)
    {
        Option<string> option = alias is null ? new(name) : new(name, alias);
        option.HelpName = valueName;
        option.Description = description;
        return option;
    }

    /// <summary>Whether the option appears on the command line (not only by a default value).</summary>
    public static bool IsGiven(this SymbolResult result, Option option) => result.GetResult(option) is { Implicit: false };
}
