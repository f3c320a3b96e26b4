import * as Core from "@usher/core"
import { useEffect, useState } from "react"
import { settled } from "../actions/forms.js"
import { age, minute, type Column } from "../components/layout.js"
import { Table } from "../components/Table.js"
import type { CommandId } from "../keys/Keymap.js"
import { useDashboard, useQuery } from "../runtime/context.js"
import { useCommands, useUi } from "../state/ui.js"
import { Listing } from "./Directory.js"
import { actorName, targetGone, targetName } from "./auditText.js"
import { useListCursor } from "./useListCursor.js"

const approvalColumns: ReadonlyArray<Column> = [
  { title: "AGE", min: 4, align: "right" },
  // the action names who is affected (two deletions differ only there): it keeps its room, the requester goes first
  { title: "REQUESTED BY", min: 16, grow: 1, drop: 2 },
  { title: "ACTION", min: 40, grow: 6, max: 72, whole: 72 },
  // the reason is in the details and the approve/deny dialogs: it gives way to a long action
  { title: "REASON", min: 10, grow: 1, drop: 1, yields: true },
  { title: "STATUS", min: 9 }
]

const approvalColor: Partial<Record<Core.ApprovalRequest["status"], string>> = { pending: "yellow", denied: "red", failed: "red", executed: "green", expired: "gray" }

/**
 * The approval queue Slack and the CLI share: pending requests with requester, reason and age;
 * `a` approves and `d` denies with a note, `c` withdraws one's own. Approving carries the action out.
 */
/** Why a decision command cannot apply to a request, from what the request says of itself (undefined: ask core). */
const notPending = (command: CommandId, request: Core.ApprovalRequest, actor: string | undefined): string | undefined => {
  const verb = command === "approval.approve" ? "approved" : command === "approval.deny" ? "denied" : "withdrawn"
  if (request.status !== "pending") return `This request is ${request.status}: only a pending request can be ${verb}.`
  if (command === "approval.cancel" && request.requestedById !== actor) return `Only its requester (${request.requestedBy}) can withdraw this request.`
  return undefined
}

const DECISIONS: ReadonlyArray<CommandId> = ["approval.approve", "approval.deny", "approval.cancel"]

/**
 * Whether the actor may decide the request under the cursor, as core's read-only check answers
 * (`checkCanDecide`: pending, not expired, not their own, eligible), for the key hints; live.
 */
const useDecidable = (request: Core.ApprovalRequest | undefined) => {
  const { dashboard, revision } = useDashboard()
  const [answer, setAnswer] = useState<{ readonly id: string; readonly ok: boolean } | undefined>(undefined)
  const id = request?.status === "pending" ? request.id : undefined
  useEffect(() => {
    if (id === undefined) return
    let stale = false
    void dashboard.run(Core.checkCanDecide(id)).then((outcome) => {
      if (!stale) setAnswer({ id, ok: outcome.ok })
    })
    return () => void (stale = true)
  }, [id, revision, dashboard])
  return answer?.id === id ? answer?.ok : undefined
}

export const ApprovalsScreen = ({ width, height }: { readonly width: number; readonly height: number }) => {
  const ui = useUi()
  const { dashboard } = useDashboard()
  const [all, setAll] = useState(false)
  const approvals = useQuery(() => Core.listApprovals(all ? {} : { status: "pending" }), [all])
  const list = approvals.data ?? []
  const nav = useListCursor(list.length, height - 2)
  const actor = dashboard.actor?.id
  const drawn = list[nav.cursor]
  const decidable = useDecidable(drawn)
  // until core's check answers for this row, a request of one's own is taken as not one's to decide (core refuses it)
  const unavailable = new Set(drawn === undefined ? DECISIONS : DECISIONS.filter((c) =>
    notPending(c, drawn, actor) !== undefined || (c !== "approval.cancel" && (decidable ?? drawn.requestedById !== actor) === false)))
  /** Asks core whether the actor may decide the request before a form asks for a note or a reason. */
  const whenDecidable = (request: Core.ApprovalRequest, open: () => void) =>
    ui.hold(dashboard.run(Core.checkCanDecide(request.id)).then((outcome) => outcome.ok ? open() : ui.say(outcome.error.message, "error")))
  useCommands((command) => {
    if (nav.handle(command)) return true
    const selected = list[nav.current()]
    if (command === "approvals.all" || command === "approvals.pending") return setAll(command === "approvals.all"), nav.reset(), true
    if (selected === undefined) return command.startsWith("approval.") ? (ui.say("No request under the cursor.", "error"), true) : false
    const refused = DECISIONS.includes(command) ? notPending(command, selected, actor) : undefined
    if (refused !== undefined) return ui.say(refused, "error"), true
    const about = [selected.summary, `requested by ${selected.requestedBy} ${age(selected.createdAt)} ago: "${selected.reason}"`, `expires ${minute(selected.expiresAt)}`]
    switch (command) {
      case "open":
        ui.open({
          kind: "notice",
          notice: {
            title: `Request ${selected.id}`,
            lines: [...about, `status ${selected.status}${selected.decidedBy ? ` by ${selected.decidedBy} ${minute(selected.decidedAt)}` : ""}`,
              ...(selected.note ? [`note: ${selected.note}`] : []), ...(selected.error ? [`failed: ${selected.error}`] : []), `scopes: ${selected.scopes.join(", ")}`]
          }
        })
        return true
      case "approval.approve":
        whenDecidable(selected, () => ui.open({
          kind: "form",
          form: {
            title: "Approve this request?",
            lines: about,
            fields: [{ name: "note", label: "Note", hint: "optional" }],
            submitLabel: "approve and carry it out",
            submit: async (v) =>
              settled(await dashboard.run(Core.approveRequest(selected.id, { note: v["note"] ?? "" })), (d) => ({
                ok: true,
                message: d.executed ? `Approved and done: ${d.approval.summary}.` : `Approved, but it failed: ${d.approval.error ?? "unknown reason"}.`
              }))
          }
        }))
        return true
      case "approval.deny":
        whenDecidable(selected, () => ui.open({
          kind: "form",
          form: {
            title: "Deny this request?",
            lines: about,
            fields: [{ name: "reason", label: "Reason", hint: "required; the requester sees it" }],
            submitLabel: "deny",
            submit: async (v) =>
              settled(await dashboard.run(Core.denyRequest(selected.id, { reason: v["reason"] ?? "" })), (a) => ({ ok: true, message: `Denied: ${a.summary}.` }))
          }
        }))
        return true
      case "approval.cancel":
        ui.open({
          kind: "form",
          form: {
            title: "Withdraw your request?",
            lines: about,
            fields: [],
            submitLabel: "withdraw",
            submit: async () => settled(await dashboard.run(Core.cancelRequest(selected.id)), (a) => ({ ok: true, message: `Withdrawn: ${a.summary}.` }))
          }
        })
        return true
      default:
        return false
    }
  }, unavailable)
  const now = Date.now()
  const rows = list.slice(nav.top, nav.top + height - 2).map((a) => ({
    key: a.id,
    ...(approvalColor[a.status] !== undefined ? { color: approvalColor[a.status]! } : {}),
    cells: [age(a.createdAt, now), a.requestedBy, a.summary, a.reason, a.status]
  }))
  return (
    <Listing title={`Approvals  |  ${all ? "all" : "pending"} ${list.length}`} error={approvals.error?.message} width={width} height={height}>
      {(body) => <Table columns={approvalColumns} rows={rows} selected={nav.cursor - nav.top} width={width} height={body} empty={approvals.settled ? (all ? "No requests." : "Nothing waits for approval.") : "loading..."} />}
    </Listing>
  )
}

// the target (an e-mail) is shown whole; seq, via, then the actor give way to it (enter shows them all)
const auditColumns: ReadonlyArray<Column> = [
  { title: "SEQ", min: 6, align: "right", drop: 3, yields: true },
  { title: "AT (UTC)", min: 16 },
  { title: "ACTOR", min: 14, grow: 2, drop: 1, yields: true },
  { title: "VIA", min: 5, drop: 2, yields: true },
  { title: "ACTION", min: 16, grow: 1 },
  { title: "TARGET", min: 14, grow: 2, whole: 40 }
]

/** How many audit events the view reads at first, and how many more each time the cursor reaches the end. */
const AUDIT_PAGE = 500
/** The most `auditPage` reads at once (core's cap). */
const AUDIT_MOST = 2000

/**
 * The audit log as a live tail, newest first; `/` filters by words; enter shows an event's
 * details. It reads the newest 500, and 500 more each time the cursor reaches the last one.
 */
export const AuditScreen = ({ width, height }: { readonly width: number; readonly height: number }) => {
  const ui = useUi()
  const [filter, setFilterState] = useState("")
  const [limit, setLimit] = useState(AUDIT_PAGE)
  const events = useQuery(() => Core.auditPage({ filter, limit }), [filter, limit])
  const list = events.data ?? []
  const nav = useListCursor(list.length, height - 2)
  const more = list.length >= limit && limit < AUDIT_MOST
  const setFilter = (next: string) => {
    setFilterState(next)
    setLimit(AUDIT_PAGE)
  }
  useCommands((command) => {
    if (nav.handle(command)) {
      // reaching the last event read asks for the next ones (the cursor stays where it is)
      if (more && events.current && nav.current() >= list.length - 1) setLimit((l) => Math.min(AUDIT_MOST, l + AUDIT_PAGE))
      return true
    }
    const event = list[nav.current()]
    if (command === "filter") {
      const before = filter
      ui.setPrompt({
        label: "/",
        value: before,
        onChange: (v) => (setFilter(v), nav.reset()),
        onDone: (accepted) => {
          if (!accepted) setFilter(before)
          ui.setPrompt(undefined)
        }
      })
      return true
    }
    if (command === "back" && filter !== "") return setFilter(""), true
    if (command === "open" && event !== undefined) {
      ui.open({
        kind: "notice",
        notice: {
          title: `Audit event #${event.seq} ${event.action}`,
          lines: [
            `at ${event.at} by ${actorName(event)} via ${event.via}`,
            `target ${targetName(event)}${targetGone(event) ? " (account deleted since)" : ""}`,
            ...(event.reason ? [`reason: ${event.reason}`] : []),
            ...(event.approvalId ? [`approval ${event.approvalId}`] : []),
            ...JSON.stringify(event.details, null, 2).split("\n"),
            `hash ${event.hash.slice(0, 16)}... (prev ${event.prevHash.slice(0, 16)}...)`
          ]
        }
      })
      return true
    }
    return false
  })
  const rows = list.slice(nav.top, nav.top + height - 2).map((e) => ({
    key: String(e.seq),
    cells: [String(e.seq), minute(e.at), actorName(e), e.via, e.action, targetName(e)]
  }))
  const loading = list.length > 0 && limit > list.length && !events.current ? "  |  loading more..." : more ? "  |  more at the end" : limit >= AUDIT_MOST && list.length >= AUDIT_MOST ? "  |  the most the dashboard reads" : ""
  return (
    <Listing title={`Audit (live)  |  newest ${list.length}${loading}${filter === "" ? "" : `  |  filter ${filter}${events.current ? "" : " (filtering)"}`}`} error={events.error?.message} width={width} height={height}>
      {(body) => <Table columns={auditColumns} rows={rows} selected={nav.cursor - nav.top} width={width} height={body} empty={events.settled ? "No events match." : "loading..."} />}
    </Listing>
  )
}

const outboxColumns: ReadonlyArray<Column> = [
  { title: "CREATED", min: 16 },
  { title: "KIND", min: 14, drop: 2, yields: true },
  { title: "TO", min: 18, grow: 2, whole: 40 },
  { title: "SUBJECT", min: 10, grow: 3, drop: 1 },
  { title: "STATUS", min: 7 }
]

/** Mail the directory sent or queued (invitations, resets); enter shows one mail's text. */
export const OutboxScreen = ({ width, height }: { readonly width: number; readonly height: number }) => {
  const ui = useUi()
  const { dashboard } = useDashboard()
  const mails = useQuery(() => Core.listOutbox({ limit: 500 }), [])
  const list = mails.data ?? []
  const nav = useListCursor(list.length, height - 2)
  useCommands((command) => {
    if (nav.handle(command)) return true
    const mail = list[nav.current()]
    if (command !== "open" || mail === undefined) return false
    void dashboard.run(Core.showOutbox(mail.id)).then((shown) =>
      shown.ok
        ? ui.open({ kind: "notice", notice: { title: `${shown.value.subject} (to ${shown.value.to})`, lines: shown.value.text === "" ? ["(body cleared after the SMTP server took it)"] : shown.value.text.split("\n") } })
        : ui.say(shown.error.message, "error"))
    return true
  })
  const rows = list.slice(nav.top, nav.top + height - 2).map((m) => ({
    key: m.id,
    ...(m.status === "failed" ? { color: "red" } : {}),
    cells: [minute(m.createdAt), m.kind, m.to, m.subject, m.status]
  }))
  return (
    <Listing title={`Outbox  |  ${list.length} newest`} error={mails.error?.message} width={width} height={height}>
      {(body) => <Table columns={outboxColumns} rows={rows} selected={nav.cursor - nav.top} width={width} height={body} empty={mails.settled ? "No mail yet." : "loading..."} />}
    </Listing>
  )
}
