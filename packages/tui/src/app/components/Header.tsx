import * as Core from "@usher/core"
import { Text } from "ink"
import { basename } from "node:path"
import { paint, useDashboard, useQuery } from "../runtime/context.js"
import { fit } from "./layout.js"

const SEP = "  |  "

/** A text cut to `width` characters with `…` where it was cut: at the start (`…/data/u.db`) or at the end. */
const cut = (text: string, width: number, from: "start" | "end"): string =>
  text.length <= width ? text : width <= 1 ? "…".slice(0, width) : from === "start" ? `…${text.slice(text.length - width + 1)}` : `${text.slice(0, width - 1)}…`

/**
 * The header's text: who acts, on which database, how many requests wait. The database is always
 * there: when room runs short its path loses its start first (`…/u.db`, never `~`, which reads as
 * the home folder), down to the file name, then the actor's e-mail is cut.
 */
export const headerText = (parts: {
  readonly readonly: boolean
  readonly who: string
  readonly pending: string | undefined
  readonly path: string
}, width: number): string => {
  const fixed = [" usher", ...(parts.readonly ? ["READ-ONLY"] : []), "as ", ...(parts.pending === undefined ? [] : [parts.pending]), "db "]
  const room = width - fixed.join(SEP).length
  const name = basename(parts.path)
  const pathMin = Math.min(parts.path.length, name === parts.path ? name.length : name.length + 2)
  const pathShown = Math.max(pathMin, room - parts.who.length)
  const who = cut(parts.who, Math.max(1, room - pathShown), "end")
  const path = cut(parts.path, Math.max(1, Math.min(pathShown, room - who.length)), "start")
  return [" usher", ...(parts.readonly ? ["READ-ONLY"] : []), `as ${who}`, ...(parts.pending === undefined ? [] : [parts.pending]), `db ${path}`].join(SEP)
}

/** The top line: who is acting, on which database, and how many approval requests wait. */
export const Header = ({ width, initialPending }: { readonly width: number; readonly initialPending?: number | undefined }) => {
  const { colors, dashboard } = useDashboard()
  const pending = useQuery(() => Core.pendingApprovalCount, [dashboard.actor?.id], { enabled: dashboard.actor !== undefined, initial: initialPending })
  const count = pending.data === undefined ? "?" : String(pending.data)
  const text = headerText({
    readonly: dashboard.readonly,
    who: dashboard.actor?.email ?? "nobody yet",
    pending: dashboard.actor === undefined ? undefined : `${count} pending approval${pending.data === 1 ? "" : "s"}`,
    // a PostgreSQL URL without its parameters (sslmode, options): what is cut last is the database's name, as a file's name is
    path: dashboard.location.engine === "pg" ? Core.describeLocation(dashboard.location).split("?")[0]! : Core.describeLocation(dashboard.location)
  }, width)
  return <Text inverse bold {...paint(colors, "blue")}>{fit(text, width)}</Text>
}
