using Microsoft.Extensions.Logging;

namespace Memstore.Tests.Infrastructure;

/// <summary>A logger factory that keeps every message, to check what the client logged and why.</summary>
public sealed class LogCapture : ILoggerFactory, ILogger
{
    public System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, int EventId, string Text)> Messages { get; } = new();

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Messages.Enqueue((logLevel, eventId.Id, formatter(state, exception) + (exception is null ? "" : " | " + exception.Message)));

    public IEnumerable<string> Texts(int eventId) => Messages.Where(m => m.EventId == eventId).Select(m => m.Text);

    public void Dispose()
    {
    }
}
