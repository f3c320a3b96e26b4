import * as Core from "@usher/core"
import { Box, Text } from "ink"
import { useRef, useState } from "react"
import { list as splitList, settled } from "../actions/forms.js"
import { fit, wrap } from "../components/layout.js"
import { paint, useDashboard, useQuery } from "../runtime/context.js"
import { useCommands, useUi } from "../state/ui.js"
import { Listing } from "./Directory.js"
import { useListCursor } from "./useListCursor.js"

/** The rows of the permission matrix: the catalog in its order, then application permissions some role carries (sorted). */
export const permissionRows = (roles: ReadonlyArray<{ readonly permissions: ReadonlyArray<string> }>): ReadonlyArray<string> => {
  const extra = new Set(roles.flatMap((r) => r.permissions).filter((p) => !Core.Permissions.isCatalog(p)))
  return [...Core.Permissions.catalog, ...[...extra].sort()]
}

/** How wide a role's column is: its whole name (at least 3, cut only past 20). */
export const roleColumnWidth = (name: string): number => Math.max(3, Math.min(20, name.length))

/**
 * The roles whose columns are shown in `room` cells (one space before each), starting as far left
 * as keeps the role under the cursor in view; `before`/`after` say whether columns are hidden.
 */
export const roleWindow = (names: ReadonlyArray<string>, cursor: number, room: number, from = 0) => {
  const fitsFrom = (start: number, end: number) =>
    names.slice(start, end + 1).reduce((sum, n) => sum + roleColumnWidth(n) + 1, 0) <= room
  let start = Math.max(0, Math.min(from, cursor))
  while (start < cursor && !fitsFrom(start, cursor)) start++
  let end = start
  while (end + 1 < names.length && fitsFrom(start, end + 1)) end++
  return { start, end: Math.max(start, end), before: start > 0, after: end + 1 < names.length }
}

/**
 * Roles and their permissions as a matrix: one row per permission (catalog ones, then application
 * ones), one column per role headed by its whole name, `x` where the role holds the permission.
 * j/k move over permissions, h/l over roles (columns scroll when they do not all fit); below, who
 * holds the permission under the cursor and the role's description. `n` creates a custom role.
 */
export const RolesScreen = ({ width, height }: { readonly width: number; readonly height: number }) => {
  const ui = useUi()
  const { colors, dashboard } = useDashboard()
  const roles = useQuery(() => Core.listRoles, [])
  const list = roles.data ?? []
  const rows = permissionRows(list)
  // the panel: the permission's holders, the role in words, its grants
  const panelHeight = Math.min(4, Math.max(2, Math.floor(height / 4)))
  const tableRows = Math.max(1, height - 3 - panelHeight)
  const nav = useListCursor(rows.length, tableRows)
  // the role under the column cursor as of the last key (h/l typed ahead each move on)
  const [column, setColumnState] = useState(0)
  const liveColumn = useRef(0)
  const lastRole = Math.max(0, list.length - 1)
  const setColumn = (to: number) => {
    liveColumn.current = Math.max(0, Math.min(lastRole, to))
    setColumnState(liveColumn.current)
  }
  useCommands((command) => {
    if (nav.handle(command)) return true
    if (command === "column.left" || command === "column.right") {
      setColumn(Math.min(liveColumn.current, lastRole) + (command === "column.left" ? -1 : 1))
      return true
    }
    if (command !== "role.create") return false
    ui.open({
      kind: "form",
      form: {
        title: "New custom role",
        lines: ["Permissions: catalog ones (users.read ...) or application ones (expenses.approve)."],
        fields: [
          { name: "name", label: "Name" },
          { name: "description", label: "Description" },
          { name: "permissions", label: "Permissions", hint: "comma-separated" }
        ],
        submitLabel: "create",
        submit: async (v) =>
          settled(
            await dashboard.run(Core.createRole({ name: v["name"] ?? "", permissions: splitList(v["permissions"]), ...(v["description"]?.trim() ? { description: v["description"].trim() } : {}) })),
            (r) => ({ ok: true, message: `Created role ${r.name} with ${r.permissions.length} permissions.` })
          )
      }
    })
    return true
  })

  const at = Math.min(column, lastRole)
  const longest = rows.reduce((most, p) => Math.max(most, p.length), 10)
  const nameWidth = Math.min(longest, Math.max(12, Math.floor(width / 3)))
  // one cell each side for the marks that say columns are hidden
  const room = Math.max(4, width - nameWidth - 2)
  const start = useRef(0)
  const shown = roleWindow(list.map((r) => r.name), at, room, start.current)
  start.current = shown.start
  const visible = list.slice(shown.start, shown.end + 1)
  const cell = (text: string, name: string) => fit(text.length < roleColumnWidth(name) ? text.padStart(Math.ceil((roleColumnWidth(name) + 1) / 2)) : text, roleColumnWidth(name))
  const permission = rows[nav.cursor] ?? ""
  const role = list[at]
  const holders = list.filter((r) => r.permissions.includes(permission)).map((r) => r.name)
  const panel = [
    `${permission}: held by ${holders.length === 0 ? "no role" : holders.join(", ")}`,
    ...(role === undefined ? [] : [
      `${role.name}${role.builtIn ? " (built-in)" : ""} - ${role.description || "no description"} | ${role.permissions.length} permissions, ${role.grants} grant${role.grants === 1 ? "" : "s"}`
    ])
  ]
  const line = (name: string, cells: ReadonlyArray<string>) =>
    `${fit(name, nameWidth)} ${shown.before ? "<" : " "}${cells.map((c) => ` ${c}`).join("")}`
  return (
    <Listing title={`Roles  |  ${list.length}  |  ${rows.length} permissions`} error={roles.error?.message} width={width} height={height}>
      {(body) => (
        <Box flexDirection="column" height={body} overflow="hidden">
          <Text bold {...paint(colors, "cyan")}>
            {fit(`${"PERMISSION".padEnd(nameWidth)}  `, nameWidth + 2)}
            {visible.map((r, i) => (
              <Text key={r.id}>
                {" "}
                <Text inverse={shown.start + i === at}>{fit(r.name, roleColumnWidth(r.name))}</Text>
              </Text>
            ))}
            {shown.after ? " >" : ""}
          </Text>
          <Box flexDirection="column" height={tableRows}>
            {rows.slice(nav.top, nav.top + tableRows).map((p, i) => {
              const selected = nav.top + i === nav.cursor
              const cells = visible.map((r) => cell(r.permissions.includes(p) ? "x" : ".", r.name))
              return (
                <Text key={p} inverse={selected} {...paint(colors, Core.Permissions.isCatalog(p) ? undefined : "yellow")}>
                  {fit(line(p, cells), width)}
                </Text>
              )
            })}
          </Box>
          <Text dimColor>{fit("-".repeat(width), width)}</Text>
          <Box flexDirection="column" height={panelHeight} overflow="hidden">
            {panel.flatMap((l) => wrap(l, width)).map((l, i) => <Text key={i}>{l}</Text>)}
          </Box>
        </Box>
      )}
    </Listing>
  )
}
