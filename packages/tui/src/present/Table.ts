/** Renders rows as aligned plain-text columns under a header. */
export const table = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd()
  return [line(headers), ...rows.map(line)].join("\n")
}

/** `key: value` lines with the keys aligned; null values show as "—". */
export const fields = (entries: ReadonlyArray<readonly [string, string | null | undefined]>): string => {
  const width = Math.max(...entries.map(([k]) => k.length))
  return entries.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${v ?? "—"}`).join("\n")
}

/** An ISO timestamp as `YYYY-MM-DD HH:MM` (UTC), or "—". */
export const when = (iso: string | null | undefined): string =>
  iso == null || iso === "" ? "—" : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`
