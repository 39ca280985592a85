using System.Globalization;
using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Memstore.Cli.Top;

/// <summary>Draws a <see cref="TopSnapshot"/>: as a Spectre.Console table for the live view, or as plain aligned text.</summary>
internal static class TopRenderer
{
    private static readonly string[] Headers =
        ["SERVER", "STATE", "GET/s", "SET/s", "HIT%", "READ/s", "WRITE/s", "CONNS", "ITEMS", "MEMORY", "LIMIT", "USED%", "EVICT/s", "EVICTIONS"];

    /// <summary>The cells of one row, in <see cref="Headers"/> order; a down server's reason in the STATE column.</summary>
    public static string[] Cells(TopRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!row.Up)
        {
            return [row.Server, $"down: {row.Failure}", .. Enumerable.Repeat("-", Headers.Length - 2)];
        }

        return
        [
            row.Server, "up", Rate(row.GetsPerSecond), Rate(row.SetsPerSecond),
            row.HitRatio is { } ratio ? (ratio * 100).ToString("0.0", CultureInfo.InvariantCulture) : "-",
            ByteRate(row.BytesReadPerSecond), ByteRate(row.BytesWrittenPerSecond),
            Count(row.Connections), Count(row.Items), Bytes(row.BytesUsed), Bytes(row.BytesLimit),
            row.BytesUsed is { } used && row.BytesLimit is { } limit and > 0
                ? (100.0 * used / limit).ToString("0.0", CultureInfo.InvariantCulture) : "-",
            Rate(row.EvictionsPerSecond), Count(row.Evictions),
        ];
    }

    /// <summary>Plain text: a header line, one line per server, then the total; columns padded to align.</summary>
    public static string PlainText(TopSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        List<string[]> lines = [Headers, .. snapshot.Rows.Select(Cells), Cells(snapshot.Total)];
        var aligned = lines.Where(l => l == Headers || !l[1].StartsWith("down", StringComparison.Ordinal)).ToList();
        int[] widths = [.. Enumerable.Range(0, Headers.Length).Select(c => (c == 0 ? lines : aligned).Max(l => l[c].Length))];
        var text = new StringBuilder();
        foreach (string[] line in lines)
        {
            // A down server's reason is long: it ends the line instead of widening the STATE column.
            if (line != Headers && line[1].StartsWith("down", StringComparison.Ordinal))
            {
                text.Append(line[0].PadRight(widths[0])).Append("  ").Append(line[1]).Append('\n');
                continue;
            }

            for (int c = 0; c < line.Length; c++)
            {
                string cell = c < 2 ? line[c].PadRight(widths[c]) : line[c].PadLeft(widths[c]);
                text.Append(cell).Append(c == line.Length - 1 ? "" : "  ");
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>
    /// The live view: the table (the total in bold, down servers in red), then one line per down server with the
    /// reason, which would make the table's rows tall.
    /// </summary>
    public static IRenderable View(TopSnapshot snapshot, string title)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(title));
        for (int c = 0; c < Headers.Length; c++)
        {
            var column = new TableColumn(Markup.Escape(Headers[c]));
            table.AddColumn(c < 2 ? column : column.RightAligned());
        }

        var reasons = new List<IRenderable> { table };
        foreach (TopRow row in snapshot.Rows)
        {
            string[] cells = Cells(row);
            if (!row.Up)
            {
                table.AddRow([$"[red]{Markup.Escape(cells[0])}[/]", "[red]down[/]", .. cells.Skip(2)]);
                reasons.Add(new Markup($"[red]{Markup.Escape(row.Server)} down:[/] {Markup.Escape(row.Failure ?? "")}"));
            }
            else
            {
                table.AddRow([.. cells.Select(Markup.Escape)]);
            }
        }

        table.AddEmptyRow();
        table.AddRow([.. Cells(snapshot.Total).Select(cell => $"[bold]{Markup.Escape(cell)}[/]")]);
        return new Rows(reasons);
    }

    private static string Rate(double? perSecond) => perSecond is { } value ? value.ToString("0", CultureInfo.InvariantCulture) : "-";

    private static string Count(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";

    private static string ByteRate(double? perSecond) => perSecond is { } value ? Bytes((long)value) + "/s" : "-";

    /// <summary>Bytes in binary units: 512B, 1.5KiB, 64.0MiB.</summary>
    public static string Bytes(long? value)
    {
        if (value is not { } bytes)
        {
            return "-";
        }

        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double scaled = bytes;
        int unit = 0;
        while (scaled >= 1024 && unit < units.Length - 1)
        {
            scaled /= 1024;
            unit++;
        }

        return unit == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes}B") : string.Create(CultureInfo.InvariantCulture, $"{scaled:0.0}{units[unit]}");
    }
}
