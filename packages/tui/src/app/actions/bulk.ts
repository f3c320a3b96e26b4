import * as Core from "@usher/core"
import type { Dashboard, Outcome } from "../runtime/Dashboard.js"
import type { FormSpec, Notice, Submitted, UiActions } from "../state/ui.js"

/** One marked row's result. */
interface RowResult {
  readonly email: string
  readonly ok: boolean
  readonly text: string
}

const report = (title: string, results: ReadonlyArray<RowResult>): Notice => {
  const failed = results.filter((r) => !r.ok).length
  return {
    title: `${title}: ${results.length - failed} done, ${failed} refused`,
    lines: results.map((r) => `${r.ok ? "done   " : "refused"} ${r.email}  ${r.text}`)
  }
}

const finish = (title: string, results: ReadonlyArray<RowResult>): Submitted => ({
  ok: true,
  message: `${title}: ${results.filter((r) => r.ok).length} of ${results.length} done.`,
  notice: report(title, results)
})

/** Runs one use case per marked row, in order, collecting each row's outcome. */
const eachRow = async <A>(
  people: ReadonlyArray<readonly [string, string]>,
  call: (id: string) => Promise<Outcome<A>>,
  done: (value: A) => string
): Promise<ReadonlyArray<RowResult>> => {
  const results: Array<RowResult> = []
  for (const [id, email] of people) {
    const outcome = await call(id)
    results.push(outcome.ok ? { email, ok: true, text: done(outcome.value) } : { email, ok: false, text: outcome.error.message })
  }
  return results
}

const approvalNotice = (approval: Core.ApprovalRequest): Submitted => ({
  ok: true,
  message: `Approval requested: ${approval.summary}.`,
  notice: { title: "Waiting for approval", lines: [approval.summary, "", `Request ${approval.id}; decide it in :approvals (someone else must).`] }
})

/**
 * The bulk menu for the marked rows: suspend, reactivate, add to a group, remove from an
 * organization (more than one removal waits for approval). Each shows per-row results.
 */
export const openBulkMenu = (marked: ReadonlyMap<string, string>, dashboard: Dashboard, ui: UiActions, clearMarks: () => void) => {
  const people = [...marked.entries()]
  const ids = people.map(([id]) => id)
  const n = `${people.length} marked user${people.length === 1 ? "" : "s"}`
  const form = (spec: Omit<FormSpec, "submit"> & { readonly run: (v: Readonly<Record<string, string>>) => Promise<Submitted> }) => () =>
    ui.open({
      kind: "form",
      form: {
        ...spec,
        submit: async (v) => {
          const outcome = await spec.run(v)
          if (outcome.ok) clearMarks()
          return outcome
        }
      }
    })
  ui.open({
    kind: "menu",
    menu: {
      title: `Bulk action on ${n}`,
      items: [
        {
          label: "Suspend",
          run: form({
            title: `Suspend ${n}`,
            fields: [{ name: "reason", label: "Reason" }],
            submitLabel: "suspend",
            run: async (v) => {
              const outcome = await dashboard.run(Core.suspendUsers(ids, { reason: v["reason"] ?? "" }))
              if (!outcome.ok) return { ok: false, error: outcome.error.message }
              if (outcome.value._tag === "ApprovalRequested") return approvalNotice(outcome.value.approval)
              const byEmail = new Map(people.map(([id, email]) => [id, email]))
              return finish("Suspend", outcome.value.results.map((r) => ({
                email: r.ok ? r.user : byEmail.get(r.user) ?? r.user,
                ok: r.ok,
                text: r.ok ? r.status : r.error.message
              })))
            }
          })
        },
        {
          label: "Reactivate",
          run: form({
            title: `Reactivate ${n}`,
            fields: [{ name: "reason", label: "Reason" }],
            submitLabel: "reactivate",
            run: async (v) =>
              finish("Reactivate", await eachRow(people, (id) => dashboard.run(Core.reactivateUser(id, { reason: v["reason"] ?? "" })), (u) => u.status))
          })
        },
        {
          label: "Add to a group",
          run: form({
            title: `Add ${n} to a group`,
            fields: [{ name: "group", label: "Group", hint: "NAME (default organization) or ORG/NAME" }],
            submitLabel: "add",
            run: async (v) =>
              finish("Add to group", await eachRow(people, (id) => dashboard.run(Core.addGroupMembers(v["group"] ?? "", [id])), (r) =>
                r.results[0]?.added === true ? `added to ${r.group}` : `already in ${r.group}`))
          })
        },
        {
          label: "Remove from an organization (needs approval for more than one)",
          run: form({
            title: `Remove ${n} from an organization`,
            lines: ["Their groups and roles there go too; the accounts stay."],
            fields: [{ name: "org", label: "Organization", hint: "slug" }, { name: "reason", label: "Reason", hint: "for the approvers" }],
            submitLabel: "request removal",
            run: async (v) => {
              const outcome = await dashboard.run(Core.removeOrgMembers(v["org"] ?? "", ids, { reason: v["reason"] ?? "" }))
              if (!outcome.ok) return { ok: false, error: outcome.error.message }
              if (outcome.value._tag === "ApprovalRequested") return approvalNotice(outcome.value.approval)
              return finish("Remove from organization", outcome.value.removed.map((email) => ({ email, ok: true, text: `removed from ${v["org"]}` })))
            }
          })
        }
      ]
    }
  })
}
