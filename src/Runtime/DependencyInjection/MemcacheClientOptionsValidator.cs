using Microsoft.Extensions.Options;

namespace Memstore.DependencyInjection;

/// <summary>
/// Runs <see cref="MemcacheClientOptions.Validate"/> for one named client when its options are first read
/// (at host start with ValidateOnStart). When the options came from configuration, the message names the
/// configuration path ("Memstore:ConnectionsPerServer ...") instead of the property.
/// </summary>
internal sealed class MemcacheClientOptionsValidator(string name) : IValidateOptions<MemcacheClientOptions>
{
    public ValidateOptionsResult Validate(string? optionsName, MemcacheClientOptions options)
    {
        if (!string.Equals(optionsName ?? Options.DefaultName, name, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            var message = ex.Message;
            var paramSuffix = $" (Parameter '{ex.ParamName}')";
            if (ex.ParamName is not null && message.EndsWith(paramSuffix, StringComparison.Ordinal))
            {
                message = message[..^paramSuffix.Length];
            }
            if (options.ConfigurationPath is { } path)
            {
                message = message.Replace("MemcacheClientOptions.", path + ":", StringComparison.Ordinal);
            }
            return ValidateOptionsResult.Fail(message);
        }
    }
}
