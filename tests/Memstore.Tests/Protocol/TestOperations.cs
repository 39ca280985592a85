using System.Buffers;
using Memstore.Protocol;
using Memstore.Transport;

namespace Memstore.Tests.Protocol;

internal static class TestOperations
{
    /// <summary>
    /// Rents a meta operation and prepares it for submission, as MemcacheClient does. MetaOperation objects are
    /// pooled process-wide, so one recycled by another test class arrives in the Completed state until Prepare
    /// and still names the server it last went to; results that the response does not set stay stale too.
    /// </summary>
    public static MetaOperation Rent(string name, string? key, ValueTarget target, IBufferWriter<byte>? destination = null, bool hasDataBlock = false)
    {
        var operation = MetaOperation.Rent(name, key, target, destination, hasDataBlock);
        operation.Prepare(CancellationToken.None);
        operation.Server = "test:11211";
        return operation;
    }
}
