/**
 * Dormant accounts: an active account nobody used for `dormant.notify-days` gets one notice (a
 * mail through the outbox, remembered in `dormancy_notices`), and after `dormant.suspend-days` it
 * is suspended through the lifecycle with reason "dormant". Accounts holding
 * `dormant.exempt-role` anywhere (directly or through a group) are never touched, and the
 * lifecycle's own refusal keeps the last provider admin active: that account is reported as
 * skipped. The rule itself is `Domain/Dormancy.ts`.
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { now } from "../Actor.js"
import { record } from "../Audit.js"
import * as Dormancy from "../Domain/Dormancy.js"
import { dormantNoticeMail } from "../Domain/Mail.js"
import { displayName } from "../Domain/User.js"
import { defaultOrg, findUser } from "../internal/lookup.js"
import { transaction } from "../internal/tx.js"
import { deliver, enqueue } from "../Mail.js"
import { currentSettings } from "../Settings.js"
import { changeStatus } from "../Users/Lifecycle.js"

const DAY_MS = 86_400_000
/** Candidates read per query (in id order, so a long list is read in pages). */
const PAGE = 500

/** An account a pass sent the notice. */
export interface DormantNotified {
  readonly id: string
  readonly email: string
  readonly inactiveSince: string
  /** when it will be suspended unless used (null: the rule does not suspend) */
  readonly suspendsAt: string | null
}

/** An account a pass suspended. */
export interface DormantSuspended {
  readonly id: string
  readonly email: string
  readonly inactiveSince: string
}

/** An account due for suspension that the lifecycle refused (the last provider admin). */
export interface DormantSkipped {
  readonly id: string
  readonly email: string
  readonly reason: string
}

/** What the dormant step of a pass did. */
export interface DormantOutcome {
  /** false when both day settings are `none`: the step did nothing */
  readonly enabled: boolean
  readonly notified: ReadonlyArray<DormantNotified>
  readonly suspended: ReadonlyArray<DormantSuspended>
  readonly skipped: ReadonlyArray<DormantSkipped>
}

interface CandidateRow {
  readonly id: string
  readonly email: string | null
  readonly inactiveSince: string
  readonly notifiedAt: string | null
}

/**
 * Active accounts idle since `cutoff` or longer, without the exempt role, after `afterId` in id
 * order (or just `onlyId`), with when they were last notified.
 */
const candidates = (cutoff: string, at: string, exemptRole: string | null, page: { readonly afterId: string } | { readonly onlyId: string }) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const exempt = exemptRole === null ? sql`1 = 1` : sql`NOT EXISTS (
      SELECT 1 FROM grants g JOIN roles r ON r.id = g.role_id
       WHERE r.name = ${exemptRole} AND (g.expires_at IS NULL OR g.expires_at > ${at})
         AND ((g.principal_type = 'user' AND g.principal_id = u.id)
           OR (g.principal_type = 'group' AND g.principal_id IN (SELECT gm.group_id FROM group_members gm WHERE gm.user_id = u.id))))`
    const which = "onlyId" in page ? sql`u.id = ${page.onlyId}` : sql`u.id > ${page.afterId}`
    return yield* sql<CandidateRow>`
      SELECT u.id, u.email, COALESCE(u.last_active_at, u.registered_at, u.created_at) AS inactive_since, n.notified_at
        FROM users u LEFT JOIN dormancy_notices n ON n.user_id = u.id
       WHERE u.status = 'active' AND COALESCE(u.last_active_at, u.registered_at, u.created_at) <= ${cutoff}
         AND ${which} AND ${exempt}
       ORDER BY u.id LIMIT ${PAGE}`.pipe(Effect.orDie)
  })

/** The step for one account, decided again inside its transaction from what the row says now. */
const recheck = (rule: Dormancy.DormancyRule, cutoff: string, exemptRole: string | null, id: string) =>
  Effect.gen(function*() {
    const at = yield* now
    const [row] = yield* candidates(cutoff, at.toISOString(), exemptRole, { onlyId: id })
    return row === undefined ? { step: "none" as const, row } : { step: Dormancy.step(rule, row, at), row }
  })

/** Sends the notice in one transaction: the mail queued, the notice remembered, the audit row. The mail's id, or null when nothing was due any more. */
const notify = (rule: Dormancy.DormancyRule, cutoff: string, exemptRole: string | null, id: string) =>
  transaction(Effect.gen(function*() {
    const { step, row } = yield* recheck(rule, cutoff, exemptRole, id)
    if (step !== "notify" || row === undefined || row.email === null) return null
    const sql = yield* SqlClient.SqlClient
    const at = (yield* now).toISOString()
    const user = yield* findUser(id).pipe(Effect.orDie)
    const suspendsAt = Dormancy.suspensionDue(rule, { inactiveSince: row.inactiveSince, notifiedAt: at })?.toISOString() ?? null
    const org = yield* Effect.option(defaultOrg)
    const mailId = yield* enqueue({
      kind: "dormant-notice",
      userId: id,
      to: user.email,
      ...dormantNoticeMail({
        user: { name: displayName(user) === user.email ? "" : displayName(user), email: user.email },
        inactiveSince: row.inactiveSince,
        suspendsAt,
        org: org._tag === "Some" ? { name: org.value.name } : null
      })
    })
    yield* sql`INSERT INTO dormancy_notices (user_id, notified_at, inactive_since) VALUES (${id}, ${at}, ${row.inactiveSince})
               ON CONFLICT (user_id) DO UPDATE SET notified_at = excluded.notified_at, inactive_since = excluded.inactive_since`.pipe(Effect.orDie)
    yield* record({ action: "user.dormant.notify", target: id, details: { email: user.email, inactiveSince: row.inactiveSince, suspendsAt } })
    return { mailId, notified: { id, email: user.email, inactiveSince: row.inactiveSince, suspendsAt } satisfies DormantNotified }
  }))

/** Suspends one account through the lifecycle (reason "dormant"), in its own transaction; the lifecycle's refusal comes back as the reason. */
const suspend = (rule: Dormancy.DormancyRule, cutoff: string, exemptRole: string | null, id: string) =>
  transaction(Effect.gen(function*() {
    const { step, row } = yield* recheck(rule, cutoff, exemptRole, id)
    if (step !== "suspend" || row === undefined) return null
    const user = yield* findUser(id).pipe(Effect.orDie)
    yield* changeStatus(user, "suspend", { reason: "dormant", details: { policy: "dormant", inactiveSince: row.inactiveSince } })
    return { id, email: user.email, inactiveSince: row.inactiveSince } satisfies DormantSuspended
  })).pipe(
    Effect.catchTags({
      LastProviderAdmin: (error) => Effect.succeed({ skipped: error.message }),
      InvalidTransition: (error) => Effect.succeed({ skipped: error.message }),
      ConcurrentModification: (error) => Effect.succeed({ skipped: error.message }),
      UserNotFound: (error) => Effect.succeed({ skipped: error.message })
    })
  )

/** The dormant step of a pass: notices and suspensions as the settings say, the notices' mails sent once their transactions committed. */
export const applyDormancy = Effect.gen(function*() {
  const settings = yield* currentSettings
  const rule: Dormancy.DormancyRule = { notifyDays: settings["dormant.notify-days"], suspendDays: settings["dormant.suspend-days"] }
  const exemptRole = settings["dormant.exempt-role"]
  const notified: Array<DormantNotified> = []
  const suspended: Array<DormantSuspended> = []
  const skipped: Array<DormantSkipped> = []
  const shortest = Dormancy.shortestDays(rule)
  if (shortest === null) return { enabled: false, notified, suspended, skipped } satisfies DormantOutcome
  const at = yield* now
  const cutoff = new Date(at.getTime() - shortest * DAY_MS).toISOString()
  const mails: Array<string> = []
  let afterId = ""
  for (;;) {
    const page = yield* candidates(cutoff, at.toISOString(), exemptRole, { afterId })
    for (const row of page) {
      const step = Dormancy.step(rule, row, at)
      if (step === "notify") {
        const done = yield* notify(rule, cutoff, exemptRole, row.id)
        if (done !== null) {
          mails.push(done.mailId)
          notified.push(done.notified)
        }
      } else if (step === "suspend") {
        const done = yield* suspend(rule, cutoff, exemptRole, row.id)
        if (done === null) continue
        if ("skipped" in done) skipped.push({ id: row.id, email: row.email ?? "", reason: done.skipped })
        else suspended.push(done)
      }
    }
    if (page.length < PAGE) break
    afterId = page[page.length - 1]!.id
  }
  if (mails.length > 0) yield* deliver(mails)
  return { enabled: true, notified, suspended, skipped } satisfies DormantOutcome
})
