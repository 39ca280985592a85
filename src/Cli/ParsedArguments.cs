namespace Memstore.Cli;

/// <summary>
/// A command's arguments split into options and positional values. Accepts
/// <c>--name value</c>, <c>--name=value</c>, short aliases (<c>-s value</c>) and <c>--</c>
/// to end options (so keys may start with '-').
/// </summary>
internal sealed class ParsedArguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    private ParsedArguments(List<string> positionals) => Positionals = positionals;

    /// <summary>The arguments that are not options, in order.</summary>
    public IReadOnlyList<string> Positionals { get; }

    /// <summary>Parses <paramref name="arguments"/> against the options a command knows.</summary>
    /// <param name="arguments">The arguments after the command name.</param>
    /// <param name="options">The known options.</param>
    /// <returns>The parsed arguments.</returns>
    /// <exception cref="UsageException">An option is unknown, repeated, or lacks its value.</exception>
    public static ParsedArguments Parse(IReadOnlyList<string> arguments, IReadOnlyList<OptionSpec> options)
    {
        var parsed = new ParsedArguments([]);
        var positionals = (List<string>)parsed.Positionals;
        for (int i = 0; i < arguments.Count; i++)
        {
            string argument = arguments[i];
            if (argument == "--")
            {
                positionals.AddRange(arguments.Skip(i + 1));
                break;
            }

            if (argument.Length < 2 || argument[0] != '-')
            {
                positionals.Add(argument);
                continue;
            }

            int equals = argument.IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? argument : argument[..equals];
            OptionSpec spec = options.FirstOrDefault(o => o.Name == name || o.Alias == name)
                ?? throw new UsageException($"Unknown option '{name}'.");
            if (parsed._options.ContainsKey(spec.Name))
            {
                throw new UsageException($"Option '{spec.Name}' is given more than once.");
            }

            string? value = null;
            if (spec.TakesValue)
            {
                value = equals >= 0 ? argument[(equals + 1)..]
                    : i + 1 < arguments.Count ? arguments[++i]
                    : throw new UsageException($"Option '{spec.Name}' needs a value: {spec.Name} {spec.ValueName}.");
            }
            else if (equals >= 0)
            {
                throw new UsageException($"Option '{spec.Name}' takes no value.");
            }

            parsed._options[spec.Name] = value;
        }

        return parsed;
    }

    /// <summary>Whether the option (by its long name) was given.</summary>
    public bool Has(string name) => _options.ContainsKey(name);

    /// <summary>The option's value, or null when it was not given.</summary>
    public string? Value(string name) => _options.GetValueOrDefault(name);
}

/// <summary>An option a command accepts.</summary>
/// <param name="Name">Long name, with dashes: <c>--servers</c>.</param>
/// <param name="Alias">Optional short name: <c>-s</c>.</param>
/// <param name="ValueName">Placeholder for the value in messages; null for a flag without value.</param>
internal sealed record OptionSpec(string Name, string? Alias, string? ValueName)
{
    /// <summary>Whether the option is followed by a value.</summary>
    public bool TakesValue => ValueName is not null;
}
