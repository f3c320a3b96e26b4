import stringWidth from "string-width"

/** Cuts a text to `width` terminal cells (an ellipsis marks the cut) and pads it to exactly that width. */
export const fit = (text: string, width: number, align: "left" | "right" = "left"): string => {
  if (width <= 0) return ""
  // printable ASCII (nearly every cell) is one cell per character: no width tables needed
  if (/^[\x20-\x7e]*$/.test(text)) {
    const shown = text.length > width ? `${text.slice(0, width - 1)}~` : text
    return align === "right" ? shown.padStart(width) : shown.padEnd(width)
  }
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, " ")
  let shown = clean
  if (stringWidth(clean) > width) {
    let cut = ""
    let used = 0
    for (const char of clean) {
      const w = stringWidth(char)
      if (used + w > width - 1) break
      cut += char
      used += w
    }
    shown = `${cut}~`
  }
  const gap = " ".repeat(Math.max(0, width - stringWidth(shown)))
  return align === "right" ? gap + shown : shown + gap
}

/**
 * A text hard-wrapped into lines of at most `width` characters: broken at spaces where it can,
 * inside a word (a link, a token) where it must. Nothing is cut or left out.
 */
export const wrap = (text: string, width: number): ReadonlyArray<string> => {
  if (width <= 0) return [text]
  const out: Array<string> = []
  for (const paragraph of text.split("\n")) {
    let rest = paragraph.replace(/[\u0000-\u001f\u007f]/g, " ").trimEnd()
    if (rest === "") out.push("")
    while (rest !== "") {
      if (rest.length <= width) {
        out.push(rest)
        break
      }
      const space = rest.lastIndexOf(" ", width)
      const cut = space > 0 ? space : width
      out.push(rest.slice(0, cut).trimEnd())
      rest = rest.slice(cut).replace(/^ +/, "")
    }
  }
  return out
}

/** `wrap`, at most `lines` lines: only a text longer than that is cut, at the end of the last. */
export const wrapAtMost = (text: string, width: number, lines: number): ReadonlyArray<string> => {
  const all = wrap(text, width)
  if (all.length <= lines) return all
  return [...all.slice(0, lines - 1), fit(all.slice(lines - 1).join(" "), width).trimEnd()]
}

/** A column of a table: its title, smallest width, share of spare width, and when it is dropped. */
export interface Column {
  readonly title: string
  readonly min: number
  /** share of the width left over (0: stays at `min`) */
  readonly grow?: number
  /** widest it grows (what is left goes to the other growing columns) */
  readonly max?: number
  /** narrow terminals drop the columns with the highest number first; 0 is never dropped */
  readonly drop?: number
  readonly align?: "left" | "right"
  /**
   * the width its widest cell on screen needs: before any column grows, this one is given up to
   * that, and columns that `yield` are dropped for it (an e-mail, an approval's action: what tells
   * rows apart is never cut while there is room for it)
   */
  readonly want?: number
  /** dropped, highest `drop` first, when a column's `want` is not met otherwise */
  readonly yields?: boolean
  /** narrowest it is cut to (below `min`) for a column's `want`, once no column is left to yield */
  readonly floor?: number
  /** the table sets `want` to its widest cell on screen, up to this many cells */
  readonly whole?: number
}

/** The columns with `want` set from the cells on screen, for those that ask to be shown `whole`. */
export const wanting = (columns: ReadonlyArray<Column>, rows: ReadonlyArray<{ readonly cells: ReadonlyArray<string> } | undefined>): ReadonlyArray<Column> =>
  columns.map((c, i) =>
    c.whole === undefined ? c : { ...c, want: Math.min(c.whole, rows.reduce((most, r) => Math.max(most, r?.cells[i]?.length ?? 0), 0)) }
  )

/**
 * Widths for the columns in `width` cells (one space between columns): columns are dropped,
 * highest `drop` first, until the rest fit; the spare width goes to columns by `grow`. A dropped
 * column has width 0.
 */
export const layoutColumns = (columns: ReadonlyArray<Column>, width: number): ReadonlyArray<number> => {
  const kept = columns.map(() => true)
  const need = () => columns.reduce((sum, c, i) => sum + (kept[i] ? c.min : 0), 0) + Math.max(0, kept.filter(Boolean).length - 1)
  while (need() > width) {
    let victim = -1
    columns.forEach((c, i) => {
      if (kept[i] && (c.drop ?? 0) > 0 && (victim < 0 || (c.drop ?? 0) >= (columns[victim]!.drop ?? 0))) victim = i
    })
    if (victim < 0) break
    kept[victim] = false
  }
  const widths = columns.map((c, i) => kept[i] ? c.min : 0)
  let spare = Math.max(0, width - need())
  // what the wanting columns lack, given from the spare width, then from yielding columns dropped
  const lacking = () => columns.reduce((sum, c, i) => sum + (kept[i] ? Math.max(0, (c.want ?? 0) - widths[i]!) : 0), 0)
  const giveWants = () => {
    columns.forEach((c, i) => {
      const extra = kept[i] ? Math.min(spare, Math.max(0, (c.want ?? 0) - widths[i]!)) : 0
      widths[i] = widths[i]! + extra
      spare -= extra
    })
  }
  giveWants()
  while (lacking() > 0) {
    let victim = -1
    columns.forEach((c, i) => {
      if (kept[i] && c.yields === true && (victim < 0 || (c.drop ?? 0) >= (columns[victim]!.drop ?? 0))) victim = i
    })
    if (victim < 0) {
      // nothing left to drop: cut the columns that may be cut below their smallest width
      columns.forEach((c, i) => {
        if (!kept[i] || c.floor === undefined) return
        const cut = Math.min(lacking() - spare, Math.max(0, widths[i]! - c.floor))
        if (cut <= 0) return
        widths[i] = widths[i]! - cut
        spare += cut
      })
      giveWants()
      break
    }
    kept[victim] = false
    spare += widths[victim]! + 1
    widths[victim] = 0
    giveWants()
  }
  // the spare width goes out by `grow`, never past a column's `max` (nor past its `want`: more
  // would show nothing); what a full column cannot take goes round again to the others
  const most = (c: Column) => c.want === undefined ? c.max ?? Infinity : Math.max(c.min, Math.min(c.want, c.max ?? Infinity))
  for (;;) {
    const open = columns.map((c, i) => kept[i] && (c.grow ?? 0) > 0 && widths[i]! < most(c))
    const shares = columns.reduce((sum, c, i) => sum + (open[i] ? c.grow ?? 0 : 0), 0)
    if (spare <= 0 || shares === 0) break
    let given = 0
    columns.forEach((c, i) => {
      if (!open[i]) return
      const extra = Math.min(Math.floor(spare * (c.grow ?? 0) / shares), most(c) - widths[i]!)
      widths[i] = widths[i]! + extra
      given += extra
    })
    if (given === 0) {
      // shares rounded down to nothing: one cell to the column that grows most
      let greediest = -1
      columns.forEach((c, i) => {
        if (open[i] && (greediest < 0 || (c.grow ?? 0) > (columns[greediest]!.grow ?? 0))) greediest = i
      })
      widths[greediest] = widths[greediest]! + 1
      given = 1
    }
    spare -= given
  }
  return widths
}

/** Cells laid out on one line at the given widths (zero-width columns left out). */
export const line = (cells: ReadonlyArray<string>, widths: ReadonlyArray<number>, columns?: ReadonlyArray<Column>): string =>
  cells
    .map((cell, i) => ({ cell, width: widths[i] ?? 0, align: columns?.[i]?.align ?? "left" }))
    .filter((c) => c.width > 0)
    .map((c) => fit(c.cell, c.width, c.align))
    .join(" ")

/** An ISO timestamp as `YYYY-MM-DD` (UTC), or "-". */
export const day = (iso: string | null | undefined): string => iso == null || iso === "" ? "-" : iso.slice(0, 10)

/** An ISO timestamp as `YYYY-MM-DD HH:MM` (UTC), or "-". */
export const minute = (iso: string | null | undefined): string =>
  iso == null || iso === "" ? "-" : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`

/** How long ago an instant was, in the largest whole unit: `42s`, `5m`, `3h`, `12d`. */
export const age = (iso: string, now: number = Date.now()): string => {
  const seconds = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000))
  if (seconds < 60) return `${seconds}s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`
  return `${Math.floor(seconds / 86_400)}d`
}
