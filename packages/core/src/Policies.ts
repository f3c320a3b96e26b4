/**
 * The policy runner: one pass applies the directory's time-based rules, as the system — grants
 * past their expiry revoked (`grant.expire`), invitations and approval requests past theirs
 * recorded as expired, dormant accounts notified and then suspended (`dormant.*` settings). Each
 * change is its own transaction with its audit rows (`Policies/Expiry.ts`, `Policies/Dormant.ts`).
 * A lease (`Policies/Lease.ts`) lets one runner at a time do a pass: another runner that finds it
 * held skips its pass and says by whom. Run through `Jobs.runPolicies` (`usher policies run`) or
 * on a timer with `Jobs.policyLoop`.
 */
import { Duration, Effect } from "effect"
import { hostname } from "node:os"
import { now } from "./Actor.js"
import { newId } from "./Domain/Ids.js"
import { applyDormancy, type DormantOutcome } from "./Policies/Dormant.js"
import { expireApprovalRequests, expireGrants, expireInvitations, type ExpiredGrant, type ExpiredInvitation } from "./Policies/Expiry.js"
import { releaseLease, renewLease, takeLease } from "./Policies/Lease.js"

export type { DormantNotified, DormantOutcome, DormantSkipped, DormantSuspended } from "./Policies/Dormant.js"
export type { ExpiredGrant, ExpiredInvitation } from "./Policies/Expiry.js"

/**
 * How long a lease holds unless renewed. A pass renews it after each step, so only a runner that
 * died holds others off, and for at most this long; a step over a large directory (100k dormant
 * accounts: about 200 candidate pages) stays well inside it.
 */
export const LEASE_MS = 10 * 60_000

/** Who runs passes: the holder the lease names. */
export interface PolicyOptions {
  /** default: this host and process, and a random part (`host:pid:abcdef`) */
  readonly holder?: string
  /** how long the lease holds without renewal (default `LEASE_MS`) */
  readonly leaseMs?: number
}

/** What a pass did, counts and ids. */
export interface PolicyPass {
  readonly _tag: "PolicyPass"
  readonly holder: string
  readonly startedAt: string
  readonly finishedAt: string
  readonly counts: {
    readonly grantsExpired: number
    readonly invitationsExpired: number
    readonly approvalsExpired: number
    readonly dormantNotified: number
    readonly dormantSuspended: number
    readonly dormantSkipped: number
  }
  readonly grants: { readonly expired: ReadonlyArray<ExpiredGrant> }
  readonly invitations: { readonly expired: ReadonlyArray<ExpiredInvitation> }
  readonly approvals: { readonly expired: ReadonlyArray<string> }
  readonly dormant: DormantOutcome
  /** the lease ran out under the pass and another runner took it: the remaining steps were left to it */
  readonly leaseLost: boolean
}

/** A pass not run because another runner holds the lease. */
export interface PolicySkipped {
  readonly _tag: "PolicySkipped"
  readonly holder: string
  readonly heldBy: string
  readonly until: string
  /** `skipped: held by HOLDER until ISO` */
  readonly message: string
}

/** What `runPolicies` answers. */
export type PolicyRun = PolicyPass | PolicySkipped

/** A holder name for this process: its host, its pid and a random part (two runtimes in one process differ). */
export const defaultHolder = (): string => `${hostname()}:${process.pid}:${newId().replace(/-/g, "").slice(-6)}`

const NO_DORMANCY: DormantOutcome = { enabled: false, notified: [], suspended: [], skipped: [] }

/**
 * One pass, under the lease: taken first (or the pass is skipped), renewed between steps, given
 * up at the end whatever happened. Fails only when the database went away.
 */
export const runPolicies = (options: PolicyOptions = {}) =>
  Effect.gen(function*() {
    const holder = options.holder ?? defaultHolder()
    const leaseMs = options.leaseMs ?? LEASE_MS
    const lease = yield* takeLease(holder, leaseMs)
    if (!lease.taken) {
      return { _tag: "PolicySkipped", holder, heldBy: lease.heldBy, until: lease.until, message: `skipped: held by ${lease.heldBy} until ${lease.until}` } satisfies PolicySkipped
    }
    return yield* Effect.gen(function*() {
      const startedAt = (yield* now).toISOString()
      let lost = false
      /** the step's result, or `empty` once the lease is gone */
      const under = <A, E, R>(step: Effect.Effect<A, E, R>, empty: A) =>
        Effect.gen(function*() {
          if (lost) return empty
          const result = yield* step
          lost = !(yield* renewLease(holder, leaseMs))
          return result
        })
      const grants = yield* under(expireGrants, [])
      const invitations = yield* under(expireInvitations, [])
      const approvals = yield* under(expireApprovalRequests, [])
      const dormant = yield* under(applyDormancy, NO_DORMANCY)
      return {
        _tag: "PolicyPass",
        holder,
        startedAt,
        finishedAt: (yield* now).toISOString(),
        counts: {
          grantsExpired: grants.length,
          invitationsExpired: invitations.length,
          approvalsExpired: approvals.length,
          dormantNotified: dormant.notified.length,
          dormantSuspended: dormant.suspended.length,
          dormantSkipped: dormant.skipped.length
        },
        grants: { expired: grants },
        invitations: { expired: invitations },
        approvals: { expired: approvals },
        dormant,
        leaseLost: lost
      } satisfies PolicyPass
    }).pipe(Effect.ensuring(Effect.ignore(releaseLease(holder))))
  })

/** `USHER_POLICY_MINUTES`: how often `usher serve` and the bot run a pass (default 5, 0 off); undefined when it is not a count of minutes up to a day. */
export const policyMinutes = (text: string | undefined): number | undefined => {
  const trimmed = text?.trim() ?? ""
  if (trimmed === "") return 5
  return /^\d{1,4}$/.test(trimmed) && Number(trimmed) <= 1440 ? Number(trimmed) : undefined
}

/**
 * Runs a pass every `every` (the first at once) for as long as it runs, under one holder name: for
 * `usher serve` and the bot, each replica running its own loop, the lease sharing the work out.
 * A failed pass is logged and the loop goes on.
 */
export const policyLoop = (every: Duration.DurationInput, options: PolicyOptions = {}) =>
  Effect.gen(function*() {
    const holder = options.holder ?? defaultHolder()
    const pass = runPolicies({ ...options, holder }).pipe(
      Effect.tap((run) => run._tag === "PolicyPass" ? Effect.logDebug("policy pass", run.counts) : Effect.logDebug(run.message)),
      Effect.catchAllCause((cause) => Effect.logError("policy pass failed", cause))
    )
    return yield* Effect.forever(Effect.zipRight(pass, Effect.sleep(every)))
  })
