namespace Memstore.Transport;

/// <summary>
/// The stream under an <see cref="System.Net.Security.SslStream"/>: passes everything through and keeps the first bytes the server sent,
/// so a failed handshake can tell a plaintext server (which answers the ClientHello as a bad command) from a TLS
/// server that ended the handshake.
/// </summary>
internal sealed class HandshakeObserver(Stream inner) : Stream
{
    private readonly byte[] _first = new byte[32];
    private int _firstLength = -1;

    /// <summary>The first byte the server sent, or null when it sent nothing.</summary>
    public byte? FirstByte => _firstLength > 0 ? _first[0] : null;

    /// <summary>Up to 32 of the first bytes the server sent.</summary>
    public ReadOnlySpan<byte> FirstBytes => _first.AsSpan(0, Math.Max(0, _firstLength));

    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Observe(buffer[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_firstLength >= 0)
        {
            return inner.ReadAsync(buffer, cancellationToken);
        }
        return ObservedReadAsync(buffer, cancellationToken);
    }

    private async ValueTask<int> ObservedReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Observe(buffer.Span[..read]);
        return read;
    }

    private void Observe(ReadOnlySpan<byte> received)
    {
        if (_firstLength < 0 && received.Length > 0)
        {
            var kept = Math.Min(received.Length, _first.Length);
            received[..kept].CopyTo(_first);
            _firstLength = kept;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
