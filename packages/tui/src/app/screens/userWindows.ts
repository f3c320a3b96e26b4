import * as Core from "@usher/core"
import { useEffect, useRef, useState } from "react"
import type { ShownError } from "../../present/formatError.js"
import { useDashboard } from "../runtime/context.js"

/** A loaded stretch of the users list, for one filter and sort at one data revision. */
interface Window {
  readonly key: string
  readonly revision: number
  readonly offset: number
  readonly rows: ReadonlyArray<Core.UserListRow>
  /** how many rows were asked for: fewer came back only at the end of the list */
  readonly limit: number
}

/** How many users match one list at one revision. */
interface Count {
  readonly key: string
  readonly revision: number
  readonly total: number
}

/** What identifies one ordering of the list: its filter and sort. */
export const listKey = (filter: string, sort: Core.UserSort) => `${filter}\u0000${sort.column}\u0000${sort.descending === true}`

const KEEP = 6

/** Where the window around the screen starting at `top` begins: one screen above it. */
const windowStart = (top: number, visible: number) => Math.max(0, (Math.floor(top / visible) - 1) * visible)

/**
 * The users list as windows of three screens each, loaded around the screen and kept (a few)
 * so going back, or to either end, draws at once: the first and last windows are fetched ahead
 * for g and G. A new filter's first window is asked for the moment it is typed (`want`), so its
 * rows usually arrive before the screen is redrawn. The count of matching users comes after the
 * rows, when the window does not show it.
 */
export const useUserWindows = (query: {
  readonly filter: string
  readonly sort: Core.UserSort
  readonly top: number
  readonly visible: number
  /** the first window, read before the first frame (unfiltered, by name) */
  readonly initial: Core.UserPage | undefined
}) => {
  const { dashboard, revision } = useDashboard()
  const { filter, sort, top, visible } = query
  const key = listKey(filter, sort)
  const size = visible * 3
  const seeded = query.initial !== undefined && key === listKey("", { column: "name" })
  const [windows, setWindows] = useState<ReadonlyArray<Window>>(
    seeded ? [{ key, revision, offset: 0, rows: query.initial!.rows, limit: query.initial!.rows.length + (query.initial!.total === query.initial!.rows.length ? 1 : 0) }] : []
  )
  // counts per list (a few), so going back to a list shows its count at once
  const [counts, setCounts] = useState<ReadonlyArray<Count>>(
    seeded && query.initial!.total !== null ? [{ key, revision, total: query.initial!.total }] : []
  )
  // the error of one list: going to another (back to one loaded before, say) leaves it behind
  const [failed, setError] = useState<{ readonly key: string; readonly error: ShownError } | undefined>(undefined)
  // what is wanted as of the last key press (ahead of the next render), and what is on its way
  const live = useRef({ key, revision, windows, counts, loading: new Set<string>(), counting: new Set<string>() })
  live.current.revision = revision
  live.current.windows = windows
  live.current.counts = counts

  const addCount = (entry: Count) =>
    setCounts((all) => (live.current.counts = [entry, ...all.filter((c) => c.key !== entry.key)].slice(0, KEEP)))
  /** Whether a window from `offset` with `limit` rows (or up to the end of the list) is loaded. */
  const holds = (k: string, offset: number, limit: number) =>
    live.current.windows.some((w) =>
      w.key === k && w.revision === live.current.revision && w.offset === offset && (w.rows.length >= limit || w.rows.length < w.limit)
    )

  const load = (f: string, s: Core.UserSort, offset: number, limit = size) => {
    const k = listKey(f, s)
    const at = live.current.revision
    const id = `${k}\u0000${at}\u0000${offset}\u0000${limit}`
    if (holds(k, offset, limit) || live.current.loading.has(id)) return
    live.current.loading.add(id)
    void dashboard.run(Core.userPage({ filter: f, sort: s, offset, limit, withTotal: false })).then((page) => {
      live.current.loading.delete(id)
      if (live.current.key !== k) return
      if (!page.ok) return setError({ key: k, error: page.error })
      setError((e) => e?.key === k ? undefined : e)
      const loaded: Window = { key: k, revision: at, offset, rows: page.value.rows, limit }
      setWindows((all) => (live.current.windows = [loaded, ...all.filter((w) => !(w.key === k && w.offset === offset))].slice(0, KEEP)))
      if (page.value.total !== null) addCount({ key: k, revision: at, total: page.value.total })
    })
  }

  /**
   * Asks for a list's first screen at once (a filter or sort just changed): one screen, not three,
   * because a query for few matches stops as soon as it has them; the rest follows.
   */
  const want = (f: string, s: Core.UserSort) => {
    live.current.key = listKey(f, s)
    load(f, s, 0, visible)
  }
  live.current.key = key

  const offset = windowStart(top, visible)
  useEffect(() => load(filter, sort, offset), [key, revision, offset, size, dashboard])

  // Counting scans the matching users (tens of ms at 100k) and SQLite blocks while it runs: it
  // starts only after the rows are on screen, and after a pause in typing.
  const count = counts.find((c) => c.key === key)
  const loadedHere = windows.some((w) => w.key === key && w.revision === revision)
  useEffect(() => {
    if (!loadedHere || (count !== undefined && count.revision === revision)) return
    const timer = setTimeout(() => {
      const id = `${key}\u0000${revision}`
      if (live.current.counting.has(id)) return
      live.current.counting.add(id)
      void dashboard.run(Core.userCount(filter)).then((all) => {
        live.current.counting.delete(id)
        if (all.ok && live.current.key === key) addCount({ key, revision, total: all.value })
      })
    }, 60)
    return () => clearTimeout(timer)
  }, [key, revision, loadedHere, count?.revision])

  // fetched ahead, once the count is known and typing paused: the windows g and G jump to
  const total = count?.total
  useEffect(() => {
    if (total === undefined) return
    const timer = setTimeout(() => {
      for (const ahead of [0, windowStart(Math.max(0, total - visible), visible)]) load(filter, sort, ahead)
    }, 150)
    return () => clearTimeout(timer)
  }, [key, revision, total, visible])

  /** The row at an index as drawn: from this list if loaded, else from the list shown before (stale). */
  const shownAt = (i: number): { readonly row: Core.UserListRow; readonly stale: boolean } | undefined => {
    const own = windows.find((w) => w.key === key && i >= w.offset && i < w.offset + w.rows.length)
    if (own !== undefined) return { row: own.rows[i - own.offset]!, stale: false }
    const before = windows.find((w) => i >= w.offset && i < w.offset + w.rows.length)
    return before === undefined ? undefined : { row: before.rows[i - before.offset]!, stale: true }
  }
  /** The row at an index of the list as filtered and sorted by `keyNow`: never one from before. */
  const rowOf = (i: number, keyNow: string) => {
    const own = windows.find((w) => w.key === keyNow && i >= w.offset && i < w.offset + w.rows.length)
    return own?.rows[i - own.offset]
  }
  const error = failed?.key === key ? failed.error : undefined
  const own = windows.filter((w) => w.key === key)
  const stale = own.length === 0
  // until this list's first rows arrive, the list shown before stays (grayed) rather than an empty one
  const loadedEnd = Math.max(0, ...(stale ? windows.slice(0, 1) : own).map((w) => w.offset + w.rows.length))
  return { total, loadedEnd, stale, error, shownAt, rowOf, want }
}
