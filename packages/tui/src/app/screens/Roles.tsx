import * as Core from "@usher/core"
import { Box, Text } from "ink"
import { useState } from "react"
import { list as splitList, settled } from "../actions/forms.js"
import { fit } from "../components/layout.js"
import { paint, useDashboard, useQuery } from "../runtime/context.js"
import { useCommands, useUi } from "../state/ui.js"
import { Listing } from "./Directory.js"
import { useListCursor } from "./useListCursor.js"

/** One column of the permission matrix: a catalog permission, its one-letter code, and where it sits in a row. */
export interface MatrixColumn {
  readonly permission: string
  readonly area: string
  readonly code: string
  /** offset of its letter in a matrix row */
  readonly at: number
}

/** The catalog as matrix columns, grouped by area (`users`, `roles` …) with a space between areas. */
export const matrixColumns = (): ReadonlyArray<MatrixColumn> => {
  const out: Array<MatrixColumn> = []
  let at = 0
  let area = ""
  for (const permission of Core.Permissions.catalog) {
    const [head, ...rest] = permission.split(".")
    if (head !== area && out.length > 0) at++
    area = head!
    const taken = new Set(out.filter((c) => c.area === area).map((c) => c.code))
    const code = [...rest.join("")].find((c) => !taken.has(c)) ?? "?"
    out.push({ permission, area, code, at })
    at++
  }
  return out
}

const COLUMNS = matrixColumns()
const WIDTH = (COLUMNS.at(-1)?.at ?? 0) + 1

/** A role's row of the matrix: the code letter where it holds the permission, `·` where not. */
export const matrixRow = (permissions: ReadonlyArray<string>): string => {
  const cells = Array.from({ length: WIDTH }, () => " ")
  for (const c of COLUMNS) cells[c.at] = permissions.includes(c.permission) ? c.code : "."
  return cells.join("")
}

/** The matrix header: each area's name over its columns (cut to fit). */
export const matrixHeader = (): string => {
  const cells = Array.from({ length: WIDTH }, () => " ")
  for (const area of new Set(COLUMNS.map((c) => c.area))) {
    const columns = COLUMNS.filter((c) => c.area === area)
    const label = area.slice(0, columns.length)
    ;[...label].forEach((ch, i) => (cells[columns[0]!.at + i] = ch))
  }
  return cells.join("")
}

/** A line with one cell shown inverse (the column cursor). */
const Highlighted = ({ text, at, bold = false, color }: { readonly text: string; readonly at: number; readonly bold?: boolean; readonly color?: { color?: string } }) => (
  <Text bold={bold} {...color}>
    {text.slice(0, at)}
    <Text inverse>{text.slice(at, at + 1)}</Text>
    {text.slice(at + 1)}
  </Text>
)

/**
 * Roles and their permission matrix: one row per role, one column per catalog permission (its
 * letter where the role holds it). h/l move a column cursor that names the permission and who
 * holds it; below, the selected role's permissions in words. `n` creates a custom role.
 */
export const RolesScreen = ({ width, height }: { readonly width: number; readonly height: number }) => {
  const ui = useUi()
  const { colors, dashboard } = useDashboard()
  const roles = useQuery(() => Core.listRoles, [])
  const [column, setColumn] = useState(0)
  const list = roles.data ?? []
  const panelHeight = Math.min(7, Math.max(3, Math.floor(height / 3)))
  const tableRows = Math.max(1, height - 3 - panelHeight)
  const nav = useListCursor(list.length, tableRows)
  useCommands((command) => {
    if (nav.handle(command)) return true
    if (command === "column.left" || command === "column.right") {
      setColumn((c) => Math.max(0, Math.min(COLUMNS.length - 1, c + (command === "column.left" ? -1 : 1))))
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
  const nameWidth = Math.max(12, Math.min(24, width - WIDTH - 12))
  const at = nameWidth + 1 + (COLUMNS[column]?.at ?? 0)
  const focus = COLUMNS[column]!
  const holders = list.filter((r) => r.permissions.includes(focus.permission)).map((r) => r.name)
  const selected = list[nav.cursor]
  const extra = selected?.permissions.filter((p) => !Core.Permissions.isCatalog(p)) ?? []
  const panel = [
    `column ${focus.permission}: held by ${holders.length === 0 ? "no role" : holders.join(", ")}`,
    ...(selected === undefined ? [] : [
      `${selected.name}${selected.builtIn ? " (built-in)" : ""} - ${selected.description || "no description"} | ${selected.grants} grant${selected.grants === 1 ? "" : "s"}`,
      `${selected.permissions.length} permissions: ${selected.permissions.join(", ")}`,
      ...(extra.length > 0 ? [`application permissions: ${extra.join(", ")}`] : [])
    ])
  ]
  return (
    <Listing title={`Roles  |  ${list.length}`} error={roles.error?.message} width={width} height={height}>
      <Highlighted bold color={paint(colors, "cyan")} text={fit(`${"ROLE".padEnd(nameWidth)} ${matrixHeader()}  GRANTS`, width)} at={at} />
      <Box flexDirection="column" height={tableRows}>
        {list.slice(nav.top, nav.top + tableRows).map((r, i) => {
          const text = fit(`${fit(r.name, nameWidth)} ${matrixRow(r.permissions)}  ${String(r.grants).padStart(6)}`, width)
          return nav.top + i === nav.cursor
            ? <Text key={r.id} inverse>{text}</Text>
            : <Highlighted key={r.id} text={text} at={at} />
        })}
      </Box>
      <Text dimColor>{fit("─".repeat(width), width)}</Text>
      <Box flexDirection="column" height={panelHeight} overflow="hidden">
        {panel.map((l, i) => <Text key={i} wrap="wrap">{l}</Text>)}
      </Box>
    </Listing>
  )
}
