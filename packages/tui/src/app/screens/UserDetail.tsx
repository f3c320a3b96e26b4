import * as Core from "@usher/core"
import { Box, Text } from "ink"
import { useState } from "react"
import { unavailableFor } from "../actions/applies.js"
import { runUserAction } from "../actions/userActions.js"
import { fit, wrap } from "../components/layout.js"
import { paint, useDashboard, useQuery } from "../runtime/context.js"
import { useCommands, useUi } from "../state/ui.js"
import { detailLines, type DetailLine } from "./detailLines.js"
import { usePendingDeletions } from "./usePendingDeletions.js"

/** Lines wider than the view wrapped, not cut (an expiry date, a user agent, an audit reason): continuations indented under their line. */
export const wrapLines = (lines: ReadonlyArray<DetailLine>, width: number): ReadonlyArray<DetailLine> =>
  lines.flatMap((l) => {
    if (l.text.length <= width) return [l]
    const lead = l.text.length - l.text.trimStart().length
    const indent = " ".repeat(l.flush === true ? lead : Math.min(lead + 2, Math.floor(width / 2)))
    return wrap(l.text.slice(lead), width - indent.length).map((text, i) => ({ ...l, text: `${i === 0 ? " ".repeat(lead) : indent}${text}` }))
  })

/**
 * One user: profile, status and lifecycle dates, organizations, groups, direct grants, the
 * effective permissions as a provenance tree, sessions, invitation and recent audit events.
 * Scrolls with the list keys; the user actions work here as on the list.
 */
export const UserDetailScreen = ({ user, width, height }: {
  /** the user as the list showed it: acted on until its fresh detail has loaded */
  readonly user: Core.User
  readonly width: number
  readonly height: number
}) => {
  const ui = useUi()
  const { colors, dashboard } = useDashboard()
  const [top, setTop] = useState(0)
  const detail = useQuery(() => Core.showUser(user.id), [user.id])
  const access = useQuery(() => Core.accessTree(user.id), [user.id])
  const sessions = useQuery(() => Core.listSessions(user.id), [user.id])
  const invitation = useQuery(() => Core.userInvitation(user.id), [user.id])
  const audit = useQuery(() => Core.auditPage({ user: user.id, limit: 30 }), [user.id])
  const pendingDeletion = usePendingDeletions().get(user.id)
  // a user that is gone (deleted, invitation cancelled) shows why, not what was last read
  const lines = detail.error !== undefined ? wrapLines([{ text: detail.error.message, color: "red", bold: true, flush: true }], width) : wrapLines(detailLines({
    detail: detail.data,
    access: access.data,
    sessions: sessions.data,
    invitation: invitation.data,
    audit: audit.data,
    pendingDeletion,
    errors: {
      ...(access.error ? { access: access.error.message } : {}),
      ...(sessions.error ? { sessions: sessions.error.message } : {}),
      ...(invitation.error ? { invitation: invitation.error.message } : {}),
      ...(audit.error ? { audit: audit.error.message } : {})
    }
  }, width), width)
  const room = Math.max(1, height - 1)
  const maxTop = Math.max(0, lines.length - room)
  const scroll = (to: (top: number) => number) => setTop((t) => Math.max(0, Math.min(maxTop, to(Math.min(t, maxTop)))))

  const facts = { pendingDeletion, detail: detail.data }
  useCommands((command) => {
    switch (command) {
      case "cursor.down": return scroll((t) => t + 1), true
      case "cursor.up": return scroll((t) => t - 1), true
      case "cursor.top": return scroll(() => 0), true
      case "cursor.bottom": return scroll(() => maxTop), true
      case "page.down": return scroll((t) => t + room), true
      case "page.up": return scroll((t) => t - room), true
      default: return runUserAction(command, detail.data?.user ?? user, dashboard, ui, facts)
    }
  }, detail.error !== undefined ? unavailableFor(undefined) : unavailableFor(detail.data?.user ?? user, facts))

  const shownTop = Math.min(top, maxTop)
  const loading = ![detail, access, sessions, invitation, audit].every((q) => q.settled)
  return (
    <Box flexDirection="column" height={height} width={width}>
      <Text bold>{fit(`User ${user.email}  |  lines ${shownTop + 1}-${Math.min(lines.length, shownTop + room)} of ${lines.length}${loading ? "  |  loading..." : ""}`, width)}</Text>
      {lines.slice(shownTop, shownTop + room).map((l, i) => (
        <Text key={i} bold={l.bold === true} dimColor={l.dim === true} {...paint(colors, l.color)}>{fit(l.text, width)}</Text>
      ))}
    </Box>
  )
}
