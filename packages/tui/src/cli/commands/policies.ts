import * as Core from "@usher/core"
import { when } from "../../present/Table.js"
import { command, type Command } from "../Command.js"

/** `what: n (a, b, c)`, the list cut short after a few. */
const line = (label: string, items: ReadonlyArray<string>) =>
  `  ${label}: ${items.length}${items.length === 0 ? "" : ` (${items.slice(0, 5).join(", ")}${items.length > 5 ? `, ${items.length - 5} more` : ""})`}`

/** What `policies run` prints: the pass's counts with who and what, or why it was skipped. */
export const formatPolicyRun = (run: Core.PolicyRun): string => {
  if (run._tag === "PolicySkipped") return `Skipped: another runner (${run.heldBy}) holds the lease until ${when(run.until)}.`
  const { dormant } = run
  return [
    `Policy pass ${when(run.startedAt)} by ${run.holder}:`,
    line("grants expired", run.grants.expired.map((g) => `${g.role}@${g.scope} of ${g.principal}`)),
    line("invitations expired", run.invitations.expired.map((i) => i.email)),
    line("approval requests expired", run.approvals.expired),
    ...(dormant.enabled
      ? [
        line("dormant accounts notified", dormant.notified.map((n) => n.email)),
        line("dormant accounts suspended", dormant.suspended.map((s) => s.email)),
        line("dormant accounts skipped", dormant.skipped.map((s) => `${s.email}: ${s.reason}`))
      ]
      : ["  dormant accounts: off (settings dormant.notify-days, dormant.suspend-days)"]),
    ...(run.leaseLost ? ["The lease ran out during the pass and another runner took it; it does the rest."] : [])
  ].join("\n")
}

/** The policy runner. */
export const policyCommands: ReadonlyArray<Command> = [
  command({
    name: "policies run",
    usage: "",
    summary: "One pass of the policies, as the system: expired grants revoked, expired invitations and requests recorded, dormant accounts notified and suspended.",
    options: {},
    positionals: { min: 0, max: 0 },
    actor: "system",
    run: () => Core.Jobs.runPolicies().pipe(Core.Jobs.asSystem("cli")),
    text: formatPolicyRun
  })
]
