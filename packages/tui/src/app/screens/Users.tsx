import * as Core from "@usher/core"
import { Box } from "ink"
import { useEffect, useRef, useState } from "react"
import { unavailableFor } from "../actions/applies.js"
import { openBulkMenu } from "../actions/bulk.js"
import { runUserAction } from "../actions/userActions.js"
import { age, day, type Column } from "../components/layout.js"
import { Table, type TableRow } from "../components/Table.js"
import type { CommandId } from "../keys/Keymap.js"
import { useDashboard } from "../runtime/context.js"
import { useCommands, useUi, type UsersState } from "../state/ui.js"
import { titleLines, TitleLines } from "./Directory.js"
import { usePendingDeletions } from "./usePendingDeletions.js"
import { listKey, useUserWindows } from "./userWindows.js"

/** How many rows the users view loads at a time for a terminal of `rows` lines (three screens' worth). */
export const usersWindow = (rows: number) => Math.max(1, rows - 6) * 3

/**
 * The columns of the users view (seed 003's, plus roles); narrow terminals drop registered, then
 * phone. The e-mail gets the room first (it is what tells people apart): whole up to 40 cells,
 * name and roles are cut before it, and roles give way when even that is not enough; a phone in
 * international format is whole up to 17 cells when there is room; status is as wide as the
 * longest one shown (`suspended:locked`), so it is never cut.
 */
export const userColumns: ReadonlyArray<Column> = [
  { title: "NAME", min: 8, grow: 2, max: 32, floor: 5 },
  { title: "E-MAIL", min: 28, grow: 6, max: 48, whole: 40 },
  { title: "PHONE", min: 13, drop: 3, yields: true, whole: 17 },
  { title: "STATUS", min: 11 },
  { title: "ROLES", min: 6, grow: 1, drop: 2, yields: true },
  { title: "REGISTERED", min: 10, drop: 4, yields: true },
  { title: "LAST SEEN", min: 9, drop: 1, yields: true }
]
const STATUS_COLUMN = 3
const SORTED_COLUMN: Partial<Record<Core.UserSortColumn, number>> = { phone: 2, registered: 5, lastActive: 6 }

/** The columns for the rows on screen: status fits its longest cell; the sorted column is never dropped. */
export const columnsFor = (sort: Core.UserSortColumn, rows: ReadonlyArray<TableRow | undefined>): ReadonlyArray<Column> => {
  const status = Math.max(userColumns[STATUS_COLUMN]!.min, ...rows.map((r) => r?.cells[STATUS_COLUMN]?.length ?? 0))
  return userColumns.map((c, i) =>
    i === STATUS_COLUMN ? { ...c, min: status } : i === SORTED_COLUMN[sort] ? { ...c, drop: 0, yields: false } : c
  )
}

/** The colour of a row by status. */
export const statusColor: Record<Core.UserStatus, string | undefined> = {
  active: undefined,
  invited: "yellow",
  provisioned: "cyan",
  suspended: "red",
  deleted: "gray"
}

const SORT_KEYS: Partial<Record<CommandId, Core.UserSortColumn>> = {
  "sort.name": "name",
  "sort.email": "email",
  "sort.phone": "phone",
  "sort.status": "status",
  "sort.registered": "registered",
  "sort.lastActive": "lastActive"
}
const STATUS_KEYS: Partial<Record<CommandId, Core.UserStatus | "all">> = {
  "status.all": "all",
  "status.active": "active",
  "status.invited": "invited",
  "status.provisioned": "provisioned",
  "status.suspended": "suspended"
}
const SORT_NAMES: Record<Core.UserSortColumn, string> = {
  name: "name", email: "e-mail", phone: "phone", status: "status", registered: "registered", lastActive: "last active"
}

/** A user's status as the list shows it: `:locked` after repeated failed sign-ins, `:del-pending` while a deletion request waits for approval. */
export const statusCell = (u: Core.User, deletionPending: boolean): string =>
  `${u.status}${u.lockedAt !== null ? ":locked" : ""}${deletionPending ? ":del-pending" : ""}`

/** The filter's last token while it is still being typed: `role:t`, `group:"night` (a complaint about it waits until it is complete). */
const typingToken = (filter: string): boolean => /(^|\s)[a-z]+:("[^"]*|[^\s"]*)$/i.test(filter)

const toRow = (u: Core.UserListRow, marked: boolean, deletionPending: boolean, now: number): TableRow => ({
  key: u.id,
  marked,
  ...(statusColor[u.status] !== undefined ? { color: statusColor[u.status]! } : {}),
  cells: [
    `${u.firstName} ${u.lastName}`.trim(),
    u.email,
    u.phone === null ? "-" : Core.formatPhone(u.phone),
    statusCell(u, deletionPending),
    u.roles.join(", ") || "-",
    day(u.registeredAt),
    u.lastActiveAt === null ? "never" : `${age(u.lastActiveAt, now)} ago`
  ]
})

/**
 * The users view (home): a windowed table over the whole directory. Only about three screens
 * of rows are loaded at a time, around the cursor; the count of matching users comes separately
 * when the window does not show it, so typing a filter shows rows first.
 */
export const UsersScreen = ({ width, height, state, update, drilled = false, initial }: {
  readonly width: number
  readonly height: number
  readonly state: UsersState
  readonly update: (change: (s: UsersState) => UsersState) => void
  /** opened from another view (a group's members): esc goes back there */
  readonly drilled?: boolean
  /** the first window, read before the first frame (unfiltered, by name) */
  readonly initial?: Core.UserPage | undefined
}) => {
  const ui = useUi()
  const { colors, dashboard } = useDashboard()
  const visibleRows = Math.max(1, height - 2)
  const keyOf = (s: UsersState) => listKey(s.filter, s.sort)
  const list = useUserWindows({ filter: state.filter, sort: state.sort, top: state.top, visible: visibleRows, initial })
  const deletions = usePendingDeletions()
  // the filter prompt is open: a complaint about the token being typed waits until it is complete (a space) or the filter kept (enter)
  const [typing, setTyping] = useState(false)
  const held = list.error !== undefined && typing && typingToken(state.filter)
  const { total, loadedEnd, stale } = list
  const error = held ? undefined : list.error
  const last = Math.max(0, (total ?? loadedEnd) - 1)
  const cursor = Math.min(state.cursor, last)

  // The state as of the last key, not the last render: keys typed faster than the screen redraws
  // (held j, or several in one chunk over SSH) each move on from the one before.
  const latest = useRef(state)
  latest.current = state
  const change = (f: (s: UsersState) => UsersState) => {
    latest.current = f(latest.current)
    const next = latest.current
    update(() => next)
  }
  const moveTo = (target: (cursor: number) => number) =>
    change((s) => {
      const to = Math.max(0, Math.min(target(Math.min(s.cursor, last)), last))
      const top = to < s.top ? to : to >= s.top + visibleRows ? to - visibleRows + 1 : s.top
      return { ...s, cursor: to, top: Math.max(0, Math.min(top, Math.max(0, last - visibleRows + 1))) }
    })
  const setFilter = (filter: string) => {
    change((s) => ({ ...s, filter, cursor: 0, top: 0 }))
    list.want(filter, latest.current.sort)
  }

  // enter pressed while this list's rows are still on their way (typed ahead, or a slow
  // directory): the row under the cursor opens once they arrive, unless another key came since
  const pendingOpen = useRef<string | undefined>(undefined)
  const currentKey = keyOf(state)
  useEffect(() => {
    const wanted = pendingOpen.current
    if (wanted === undefined) return
    if (wanted !== currentKey) return void (pendingOpen.current = undefined)
    const row = list.rowOf(cursor, currentKey)
    if (row !== undefined) {
      pendingOpen.current = undefined
      ui.say("")
      ui.go({ view: "detail", user: row })
    } else if (total === 0 || (!stale && loadedEnd === 0)) {
      pendingOpen.current = undefined
      ui.say(state.filter === "" ? "Nothing to open: the list is empty." : "Nothing to open: no user matches the filter.", "error")
    }
  }, [currentKey, loadedEnd, stale, total])

  // the row drawn under the cursor: what the hints offer actions for
  const drawn = list.rowOf(cursor, currentKey)
  useCommands((command) => {
    if (command !== "open") pendingOpen.current = undefined
    const sortBy = SORT_KEYS[command]
    if (sortBy !== undefined) {
      change((s) => ({
        ...s,
        cursor: 0,
        top: 0,
        sort: { column: sortBy, descending: s.sort.column === sortBy ? s.sort.descending !== true : sortBy === "registered" || sortBy === "lastActive" }
      }))
      list.want(latest.current.filter, latest.current.sort)
      return true
    }
    const status = STATUS_KEYS[command]
    if (status !== undefined) {
      setFilter(Core.withStatus(latest.current.filter, status === "all" ? undefined : status))
      return true
    }
    const now = latest.current
    // act only on a row of the list as it is now filtered and sorted, never on one still shown from before
    const under = list.rowOf(Math.min(now.cursor, last), keyOf(now))
    switch (command) {
      case "cursor.down": return moveTo((c) => c + 1), true
      case "cursor.up": return moveTo((c) => c - 1), true
      case "cursor.top": return moveTo(() => 0), true
      case "cursor.bottom": return moveTo(() => last), true
      case "page.down":
        change((s) => ({ ...s, top: Math.max(0, Math.min(s.top + visibleRows, last - visibleRows + 1)), cursor: Math.min(last, s.cursor + visibleRows) }))
        return true
      case "page.up":
        change((s) => ({ ...s, top: Math.max(0, s.top - visibleRows), cursor: Math.max(0, s.cursor - visibleRows) }))
        return true
      case "open":
        if (under !== undefined) ui.go({ view: "detail", user: under })
        // a window of this list that starts at the top and holds nothing: the list is empty
        else if (total === 0 || (!stale && loadedEnd === 0)) ui.say(now.filter === "" ? "Nothing to open: the list is empty." : "Nothing to open: no user matches the filter.", "error")
        else {
          pendingOpen.current = keyOf(now)
          ui.say("Loading the list; the user under the cursor opens when it is there.")
        }
        return true
      case "back":
        if (drilled || now.filter === "") return false
        setFilter("")
        return true
      case "filter": {
        const before = now.filter
        setTyping(true)
        ui.setPrompt({
          label: "/",
          value: before,
          onChange: setFilter,
          onDone: (accepted) => {
            if (!accepted) setFilter(before)
            setTyping(false)
            ui.setPrompt(undefined)
          }
        })
        return true
      }
      case "mark": {
        if (under === undefined) return true
        change((s) => {
          const marked = new Map(s.marked)
          if (marked.has(under.id)) marked.delete(under.id)
          else marked.set(under.id, under.email)
          return { ...s, marked }
        })
        moveTo((c) => c + 1)
        return true
      }
      case "mark.clear":
        change((s) => ({ ...s, marked: new Map() }))
        return true
      case "bulk":
        if (now.marked.size === 0) ui.say("Mark rows with space first.", "error")
        else openBulkMenu(now.marked, dashboard, ui, () => change((s) => ({ ...s, marked: new Map() })))
        return true
      default:
        return runUserAction(command, under, dashboard, ui, { pendingDeletion: under === undefined ? undefined : deletions.get(under.id) })
    }
  }, unavailableFor(drawn, { pendingDeletion: drawn === undefined ? undefined : deletions.get(drawn.id) }))

  const now = Date.now()
  const shown = Math.max(0, Math.min(visibleRows, (total ?? loadedEnd) - state.top))
  const rows = Array.from({ length: shown }, (_, i) => {
    const shown = list.shownAt(state.top + i)
    if (shown === undefined) return undefined
    const row = toRow(shown.row, state.marked.has(shown.row.id), deletions.has(shown.row.id), now)
    return shown.stale ? { ...row, color: "gray" } : row
  })
  const range = total === 0 ? "none" : `${state.top + 1}-${state.top + shown} of ${total === undefined ? "?" : total.toLocaleString("en-US")}`
  const sort = `sort ${SORT_NAMES[state.sort.column]} ${state.sort.descending === true ? "desc" : "asc"}`
  const title = ["Users", range, state.filter === "" ? "" : `filter ${state.filter}${held ? " (incomplete)" : stale ? " (filtering)" : ""}`, sort, state.marked.size > 0 ? `${state.marked.size} marked` : ""]
    .filter((p) => p !== "").join("  |  ")
  const heading = titleLines(error === undefined ? title : "Users", error?.message, width)
  return (
    <Box flexDirection="column" height={height} width={width}>
      <TitleLines lines={heading} error={error !== undefined} width={width} colors={colors} />
      <Table
          columns={columnsFor(state.sort.column, rows)}
          rows={rows}
          selected={cursor - state.top}
          width={width}
          height={Math.max(1, height - heading.length)}
          markable
          empty={state.filter === "" ? dashboard.readonly ? "No users yet." : "No users yet: press i to invite someone or n to create one."
            : typing ? "No users match the filter (ctrl+u clears it; esc puts back the one before)."
            : drilled ? "No users match the filter (esc goes back)." : "No users match the filter (esc clears it)."}
        />
    </Box>
  )
}
