namespace Memstore.Cli;

/// <summary>A mistake on the command line; reported on standard error with exit code 2.</summary>
internal sealed class UsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, as the user should read it.</param>
    public UsageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception without a message.</summary>
    public UsageException()
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    /// <param name="message">What is wrong, as the user should read it.</param>
    /// <param name="innerException">The error that revealed it.</param>
    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
