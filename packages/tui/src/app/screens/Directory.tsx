import * as Core from "@usher/core"
import { Box, Text } from "ink"
import type { ReactNode } from "react"
import { settled } from "../actions/forms.js"
import { fit, wrapAtMost, type Column } from "../components/layout.js"
import { Table } from "../components/Table.js"
import { paint, useDashboard, useQuery } from "../runtime/context.js"
import { useCommands, useUi } from "../state/ui.js"
import { useListCursor } from "./useListCursor.js"

/**
 * A titled list; an error (core's message) is wrapped under the title onto up to three lines, the
 * list giving up the room: `children` is given the height left for the body, and must keep to it
 * (nothing is clipped: Ink clipping every line of every frame costs a few ms a key press).
 */
export const Listing = ({ title, error, children, width, height }: {
  readonly title: string
  readonly error: string | undefined
  readonly children: (bodyHeight: number) => ReactNode
  readonly width: number
  readonly height: number
}) => {
  const { colors } = useDashboard()
  const lines = titleLines(title, error, width)
  return (
    <Box flexDirection="column" height={height} width={width}>
      <TitleLines lines={lines} error={error !== undefined} width={width} colors={colors} />
      {children(Math.max(1, height - lines.length))}
    </Box>
  )
}

/** A view's title: one line; with an error, the error after it, wrapped onto up to three lines (the view below gives up the room). */
export const titleLines = (title: string, error: string | undefined, width: number): ReadonlyArray<string> =>
  error === undefined ? [fit(title, width)] : wrapAtMost(`${title}  |  ${error}`, width, 3)

/** The lines of `titleLines`, in red when they carry an error. */
export const TitleLines = ({ lines, error, width, colors }: {
  readonly lines: ReadonlyArray<string>
  readonly error: boolean
  readonly width: number
  readonly colors: boolean
}) => (
  <>
    {lines.map((l, i) => <Text key={i} bold {...paint(colors, error ? "red" : undefined)}>{fit(l, width)}</Text>)}
  </>
)

const groupColumns: ReadonlyArray<Column> = [
  { title: "GROUP", min: 18, grow: 2 },
  { title: "MEMBERS", min: 8, align: "right" },
  { title: "ROLES", min: 20, grow: 3 }
]

/** Groups with their member counts and roles; enter lists the members in the users view. */
export const GroupsScreen = ({ width, height }: { readonly width: number; readonly height: number }) => {
  const ui = useUi()
  const { dashboard } = useDashboard()
  const groups = useQuery(() => Core.listGroups(), [])
  const list = groups.data ?? []
  const nav = useListCursor(list.length, height - 2)
  useCommands((command) => {
    if (nav.handle(command)) return true
    const group = list[nav.current()]
    if (command === "open" && group !== undefined) return ui.showUsers(`group:${quoteToken(`${group.org}/${group.name}`)}`), true
    if (command === "group.create") {
      ui.open({
        kind: "form",
        form: {
          title: "New group",
          fields: [{ name: "name", label: "Name" }, { name: "org", label: "Organization", hint: "slug; empty: the default organization" }],
          submitLabel: "create",
          submit: async (v) =>
            settled(await dashboard.run(Core.createGroup({ name: v["name"] ?? "", ...(v["org"]?.trim() ? { org: v["org"].trim() } : {}) })), (g) => ({
              ok: true,
              message: `Created group ${g.org}/${g.name}.`
            }))
        }
      })
      return true
    }
    return false
  })
  const rows = list.slice(nav.top, nav.top + height - 2).map((g) => ({
    key: g.id,
    cells: [`${g.org}/${g.name}`, String(g.members), g.roles.map((r) => `${r.role}@${r.scope}`).join(", ") || "-"]
  }))
  return (
    <Listing title={`Groups  |  ${list.length}`} error={groups.error?.message} width={width} height={height}>
      {(body) => <Table columns={groupColumns} rows={rows} selected={nav.cursor - nav.top} width={width} height={body} empty={groups.settled ? "No groups." : "loading..."} />}
    </Listing>
  )
}

/** A filter token's value, quoted when it holds spaces. */
export const quoteToken = (value: string) => /\s/.test(value) ? `"${value}"` : value

const orgColumns: ReadonlyArray<Column> = [
  { title: "ORGANIZATION", min: 16, grow: 1 },
  { title: "NAME", min: 16, grow: 2 },
  { title: "MEMBERS", min: 8, align: "right" },
  { title: "DEFAULT", min: 7 }
]

/** Organizations the actor holds anything in; enter lists the members in the users view. */
export const OrgsScreen = ({ width, height }: { readonly width: number; readonly height: number }) => {
  const ui = useUi()
  const { dashboard } = useDashboard()
  const orgs = useQuery(() => Core.listOrgs, [])
  const list = orgs.data ?? []
  const nav = useListCursor(list.length, height - 2)
  useCommands((command) => {
    if (nav.handle(command)) return true
    const org = list[nav.current()]
    if (command === "open" && org !== undefined) return ui.showUsers(`org:${org.slug}`), true
    if (command === "org.create") {
      ui.open({
        kind: "form",
        form: {
          title: "New organization",
          fields: [{ name: "slug", label: "Slug", hint: "lower-case letters, digits and dashes" }, { name: "name", label: "Name" }],
          submitLabel: "create",
          submit: async (v) =>
            settled(await dashboard.run(Core.createOrg({ slug: v["slug"] ?? "", ...(v["name"]?.trim() ? { name: v["name"].trim() } : {}) })), (o) => ({
              ok: true,
              message: `Created organization ${o.slug}.`
            }))
        }
      })
      return true
    }
    return false
  })
  const rows = list.slice(nav.top, nav.top + height - 2).map((o) => ({
    key: o.id,
    cells: [o.slug, o.name, o.members.toLocaleString("en-US"), o.isDefault ? "yes" : ""]
  }))
  return (
    <Listing title={`Organizations  |  ${list.length}`} error={orgs.error?.message} width={width} height={height}>
      {(body) => <Table columns={orgColumns} rows={rows} selected={nav.cursor - nav.top} width={width} height={body} empty={orgs.settled ? "No organizations." : "loading..."} />}
    </Listing>
  )
}

const appColumns: ReadonlyArray<Column> = [
  { title: "APP", min: 20, grow: 1 },
  { title: "NAME", min: 16, grow: 2 },
  { title: "SCOPE", min: 20, grow: 1, whole: 48 }
]

/** Apps that roles can be scoped to. */
export const AppsScreen = ({ width, height }: { readonly width: number; readonly height: number }) => {
  const ui = useUi()
  const { dashboard } = useDashboard()
  const apps = useQuery(() => Core.listApps, [])
  const list = apps.data ?? []
  const nav = useListCursor(list.length, height - 2)
  useCommands((command) => {
    if (nav.handle(command)) return true
    if (command === "app.create") {
      ui.open({
        kind: "form",
        form: {
          title: "New app",
          fields: [{ name: "app", label: "App", hint: "ORG/APP, e.g. acme/expenses" }, { name: "name", label: "Name" }],
          submitLabel: "create",
          submit: async (v) =>
            settled(await dashboard.run(Core.createApp(v["app"] ?? "", v["name"]?.trim() || undefined)), (a) => ({ ok: true, message: `Created app ${a.org}/${a.slug}.` }))
        }
      })
      return true
    }
    return false
  })
  const rows = list.slice(nav.top, nav.top + height - 2).map((a) => ({ key: a.id, cells: [`${a.org}/${a.slug}`, a.name, a.scope] }))
  return (
    <Listing title={`Apps  |  ${list.length}`} error={apps.error?.message} width={width} height={height}>
      {(body) => <Table columns={appColumns} rows={rows} selected={nav.cursor - nav.top} width={width} height={body} empty={apps.settled ? "No apps yet." : "loading..."} />}
    </Listing>
  )
}

