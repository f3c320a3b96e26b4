import * as Core from "@usher/core"
import { Text } from "ink"
import { paint, useDashboard, useQuery } from "../runtime/context.js"
import { fit } from "./layout.js"

/** The top line: who is acting, on which database, and how many approval requests wait. */
export const Header = ({ width, initialPending }: { readonly width: number; readonly initialPending?: number | undefined }) => {
  const { colors, dashboard } = useDashboard()
  const pending = useQuery(() => Core.pendingApprovalCount, [dashboard.actor?.id], { enabled: dashboard.actor !== undefined, initial: initialPending })
  const who = dashboard.actor?.email ?? "nobody yet"
  const count = pending.data === undefined ? "?" : String(pending.data)
  const head = [
    " usher",
    ...(dashboard.readonly ? ["READ-ONLY"] : []),
    `as ${who}`,
    ...(dashboard.actor === undefined ? [] : [`${count} pending approval${pending.data === 1 ? "" : "s"}`])
  ].join("  |  ")
  // the database path gets what is left, cut from the left: its file name matters most
  const room = width - head.length - 8
  const path = dashboard.location.path
  const db = room <= 4 ? "" : `  |  db ${path.length <= room ? path : `~${path.slice(path.length - room + 1)}`}`
  return <Text inverse bold {...paint(colors, "blue")}>{fit(`${head}${db}`, width)}</Text>
}
