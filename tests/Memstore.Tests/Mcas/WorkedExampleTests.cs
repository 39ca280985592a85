using System.Text;
using System.Text.RegularExpressions;
using Memstore.Mcas;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Mcas;

/// <summary>
/// docs/mcas.md's worked example is what the client really sends and receives: one 2-key operation on a fresh
/// memcached, recorded by a proxy, rendered as the page renders it and compared line by line. The random
/// descriptor id is replaced by the page's id; opaque and key-echo flags, which carry no MCAS meaning, are left out.
/// </summary>
[Trait("Category", "Memcached")]
public sealed partial class WorkedExampleTests
{
    private const string PageId = "0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task The_worked_example_in_docs_mcas_md_is_the_bytes_the_client_exchanges()
    {
        await using var server = await MemcachedServer.StartAsync(); // fresh: CAS tokens count from 1
        await using var proxy = HoldingProxy.Start(server);
        await using var client = MemcacheClient.Create(proxy.ConnectionString);
        var mcas = new McasClient(client);
        await client.SetAsync("acct:alice", "100");
        await client.SetAsync("acct:bob", "50");
        var alice = await mcas.GetAsync("acct:alice");
        var bob = await mcas.GetAsync("acct:bob");
        Assert.True(await mcas.CompareAndSwapAsync([McasUpdate.Set(alice, "70"u8.ToArray()), McasUpdate.Set(bob, "80"u8.ToArray())]));
        await mcas.FlushAsync();
        await Task.Delay(100); // the last reply reaches the transcript

        // Requests and replies are compared each in their own order: which of two pipelined replies the proxy
        // records before the next request is a matter of timing, not of the protocol.
        var transcript = Render(proxy.Transcript.ToArray());
        var page = PageExample();
        Assert.Equal(page.Where(line => line[0] == '>'), transcript.Where(line => line[0] == '>'));
        Assert.Equal(page.Where(line => line[0] == '<'), transcript.Where(line => line[0] == '<'));
    }

    internal static List<string> Render((bool Request, byte[] Bytes)[] exchanges)
    {
        var id = exchanges.Select(e => IdPattern().Match(Encoding.ASCII.GetString(e.Bytes))).FirstOrDefault(m => m.Success)?.Groups[1].Value;
        var lines = new List<string>();
        var started = false;
        foreach (var (request, bytes) in exchanges)
        {
            var text = Encoding.ASCII.GetString(bytes);
            started |= request && text.StartsWith("mg acct:alice", StringComparison.Ordinal);
            if (!started)
            {
                continue; // the connection probe and the two plain sets that set the scene
            }
            foreach (var line in request ? RenderRequest(bytes) : RenderReplies(text))
            {
                lines.Add(id is null ? line : line.Replace(id, PageId, StringComparison.Ordinal).Replace(Convert.ToHexStringLower(Encoding.ASCII.GetBytes(id)), Convert.ToHexStringLower(Encoding.ASCII.GetBytes(PageId)), StringComparison.Ordinal));
            }
        }
        return lines;
    }

    private static IEnumerable<string> RenderRequest(byte[] bytes)
    {
        var end = bytes.AsSpan().IndexOf("\r\n"u8);
        yield return "> " + WithoutCorrelation(Encoding.ASCII.GetString(bytes, 0, end));
        if (end + 2 < bytes.Length)
        {
            var data = bytes.AsSpan(end + 2, bytes.Length - end - 4);
            yield return data.ToArray().All(b => b is >= 0x20 and < 0x7f)
                ? "> " + Encoding.ASCII.GetString(data)
                : "> [" + data.Length + " bytes] " + Convert.ToHexStringLower(data);
        }
    }

    private static IEnumerable<string> RenderReplies(string text) =>
        text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(line => "< " + WithoutCorrelation(line));

    /// <summary>Drops <c>O&lt;opaque&gt;</c> and <c>k</c> tokens; a request's second token is its key and stays.</summary>
    private static string WithoutCorrelation(string line)
    {
        var tokens = line.Split(' ');
        var keep = tokens[0] is "mg" or "ms" or "md" or "ma" ? 2 : 1;
        return string.Join(' ', tokens.Where((token, i) => i < keep || !(token.StartsWith('O') || token.StartsWith('k'))));
    }

    private static List<string> PageExample()
    {
        var page = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "mcas.md"));
        var start = page.IndexOf("<!-- worked-example -->", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/mcas.md has no <!-- worked-example --> block");
        var open = page.IndexOf("```\n", start, StringComparison.Ordinal) + 4;
        var close = page.IndexOf("```", open, StringComparison.Ordinal);
        return [.. page[open..close].Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => line.StartsWith('>') || line.StartsWith('<')).Select(line => line.Split("   #")[0].TrimEnd())];
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Sdk.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Sdk.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("memstore:mcas:([0-9a-f]{32})")]
    private static partial Regex IdPattern();
}
