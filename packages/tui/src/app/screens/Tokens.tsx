import * as Core from "@usher/core"
import { tokenLimits } from "../../present/tokens.js"
import { settled } from "../actions/forms.js"
import { minute, type Column } from "../components/layout.js"
import { Table } from "../components/Table.js"
import { useDashboard, useQuery } from "../runtime/context.js"
import { useCommands, useUi } from "../state/ui.js"
import { Listing } from "./Directory.js"
import { useListCursor } from "./useListCursor.js"

const tokenColumns: ReadonlyArray<Column> = [
  { title: "NAME", min: 10, grow: 2 },
  { title: "FOR", min: 8, grow: 1 },
  { title: "STATE", min: 7 },
  { title: "CREATED", min: 16, drop: 2 },
  { title: "EXPIRES", min: 16, drop: 1 },
  { title: "LAST USED", min: 16, drop: 3 }
]

/** The acting admin's API tokens: n makes one (its secret shown once), x revokes the one under the cursor. */
export const TokensScreen = ({ width, height }: { readonly width: number; readonly height: number }) => {
  const ui = useUi()
  const { dashboard } = useDashboard()
  const tokens = useQuery(() => Core.listApiTokens(), [])
  const list = tokens.data ?? []
  const nav = useListCursor(list.length, height - 2)
  useCommands((command) => {
    if (nav.handle(command)) return true
    if (command === "token.create") {
      ui.open({
        kind: "form",
        form: {
          title: "New API token (acts as you, never more)",
          fields: [
            { name: "name", label: "Name", hint: "what uses it" },
            { name: "only", label: "Only for", hint: "check, scim or admin; empty: any API" },
            { name: "org", label: "Organization", hint: "slug; empty: every scope you hold" },
            { name: "expires", label: "Expires", hint: "ISO 8601, e.g. 2027-12-31; empty: until revoked" }
          ],
          submitLabel: "create",
          submit: async (v) => {
            const given = (name: string) => (v[name]?.trim() ? { [name]: v[name]!.trim() } : {})
            return settled(await dashboard.run(Core.createApiToken({ name: v["name"] ?? "", ...given("only"), ...given("org"), ...given("expires") })), ({ token, secret }) => ({
              ok: true,
              message: `Created API token "${token.name}".`,
              notice: { title: `API token "${token.name}" - shown once`, copy: secret, lines: ["Keep it secret: whoever holds it acts as you."] }
            }))
          }
        }
      })
      return true
    }
    const token = list[nav.current()]
    if (command !== "token.revoke" || token === undefined) return false
    if (token.state === "revoked") {
      ui.say(`"${token.name}" is revoked already.`, "error")
      return true
    }
    ui.open({
      kind: "form",
      form: {
        title: `Revoke the API token "${token.name}"?`,
        lines: ["Programs using it are refused from their next call."],
        fields: [],
        submitLabel: "revoke",
        submit: async () => settled(await dashboard.run(Core.revokeApiToken(token.id)), (t) => ({ ok: true, message: `Revoked API token "${t.name}".` }))
      }
    })
    return true
  })
  const rows = list.slice(nav.top, nav.top + height - 2).map((t) => ({
    key: t.id,
    ...(t.state === "active" ? {} : { color: "gray" }),
    cells: [t.name, tokenLimits(t), t.state, minute(t.createdAt), t.expiresAt === null ? "never" : minute(t.expiresAt), t.lastUsedAt === null ? "never" : minute(t.lastUsedAt)]
  }))
  return (
    <Listing title={`API tokens  |  ${list.length}`} error={tokens.error?.message} width={width} height={height}>
      {(body) => <Table columns={tokenColumns} rows={rows} selected={nav.cursor - nav.top} width={width} height={body} empty={tokens.settled ? "No API tokens: press n to make one." : "loading..."} />}
    </Listing>
  )
}
