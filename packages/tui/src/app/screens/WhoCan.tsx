import * as Core from "@usher/core"
import type { Column } from "../components/layout.js"
import { Table } from "../components/Table.js"
import { useDashboard, useQuery } from "../runtime/context.js"
import { useCommands, useUi } from "../state/ui.js"
import { Listing } from "./Directory.js"
import { useListCursor } from "./useListCursor.js"

const columns: ReadonlyArray<Column> = [
  { title: "USER", min: 16, grow: 1, whole: 40 },
  { title: "THROUGH", min: 20, grow: 3 }
]

/** One path, short: `auditor@org:acme`, or `acme/ops → approver@org:acme` through a group. */
const path = (p: Core.Holder["paths"][number]) => `${p.group === null ? "" : `${p.group} → `}${p.role}@${p.scope}${p.expiresAt === null ? "" : ` until ${p.expiresAt.slice(0, 10)}`}`

/** `:whocan PERMISSION [SCOPE]`: who holds it there (among the users you may read), each with the paths; enter opens one. */
export const WhoCanScreen = ({ width, height, permission, scope }: {
  readonly width: number
  readonly height: number
  readonly permission: string
  readonly scope: string | undefined
}) => {
  const ui = useUi()
  const { dashboard } = useDashboard()
  const answer = useQuery(() => Core.whoCan(permission, scope), [permission, scope])
  const holders = answer.data?.holders ?? []
  const nav = useListCursor(holders.length, height - 2)
  useCommands((command) => {
    if (nav.handle(command)) return true
    const holder = holders[nav.current()]
    if (command !== "open" || holder === undefined) return false
    void dashboard.run(Core.showUser(holder.user)).then((shown) =>
      shown.ok ? ui.go({ view: "detail", user: shown.value.user }) : ui.say(shown.error.message, "error"))
    return true
  })
  const rows = holders.slice(nav.top, nav.top + height - 2).map((h) => ({ key: h.user, cells: [h.user, h.paths.map(path).join("; ")] }))
  const where = answer.data === undefined ? `${permission}${scope === undefined ? "" : ` at ${scope}`}` : `${answer.data.permission} at ${answer.data.scope}`
  return (
    <Listing title={`Who can ${where}  |  ${answer.data === undefined ? "?" : holders.length}`} error={answer.error?.message} width={width} height={height}>
      {(body) => <Table columns={columns} rows={rows} selected={nav.cursor - nav.top} width={width} height={body} empty={answer.settled ? "Nobody you may read holds it there." : "loading..."} />}
    </Listing>
  )
}
