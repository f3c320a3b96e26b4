import * as PermissionIndex from "../src/Domain/PermissionIndex.js"
import * as Permissions from "../src/Domain/Permissions.js"
import type { Enforcer } from "casbin"
import { casbinEnforcer } from "./casbin.js"
import { defaultSize, makeDirectory, makeQueries, type Queries } from "./graph.js"

/** What the resolver benchmark measured. */
export interface ResolverResult {
  readonly usherChecksPerSec: number
  /** casbin with the textbook model (role → permission `p` lines) */
  readonly casbinChecksPerSec: number
  /** casbin with the model tuned for its evaluator (one matcher evaluation per request) */
  readonly casbinTunedChecksPerSec: number
  readonly verified: number
}

const fmt = (n: number) => n.toLocaleString("en-US")

/** Times `run(n)` (which performs n checks) and returns checks per second. */
const rate = (n: number, run: () => number): { perSec: number; allowed: number; ms: number } => {
  const start = process.hrtime.bigint()
  const allowed = run()
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  return { perSec: (n / ms) * 1000, allowed, ms }
}

/** usher's indexed resolver vs casbin on the same directory and the same query list. */
export const benchResolver = async (log: (line: string) => void): Promise<ResolverResult> => {
  const t0 = Date.now()
  const dir = makeDirectory(defaultSize)
  const { graph, nowMs } = dir
  const memberships = graph.groups.reduce((n, g) => n + g.members.length, 0)
  log(`directory: ${fmt(graph.users.length)} users (${fmt(graph.users.filter((u) => u.active).length)} active), ` +
    `${fmt(graph.groups.length)} groups (${fmt(memberships)} memberships), ${graph.roles.length} roles, ` +
    `${dir.scopes.orgs.length} orgs × ${dir.scopes.apps.length / dir.scopes.orgs.length} apps, ${fmt(graph.grants.length)} grants ` +
    `(${fmt(graph.grants.filter((g) => g.principal.type === "group").length)} to groups, ${fmt(graph.grants.filter((g) => g.expiresAt !== null).length)} time-bound)`)

  const buildStart = Date.now()
  const index = PermissionIndex.build(graph)
  const usherBuildMs = Date.now() - buildStart
  let casbinStart = Date.now()
  const standard = await casbinEnforcer(graph, nowMs, "standard")
  const standardBuildMs = Date.now() - casbinStart
  casbinStart = Date.now()
  const tuned = await casbinEnforcer(graph, nowMs, "tuned")
  const tunedBuildMs = Date.now() - casbinStart
  log(`build: usher index ${usherBuildMs} ms; casbin ${standardBuildMs} ms (${fmt(standard.lines)} policy lines), ` +
    `casbin tuned ${tunedBuildMs} ms (${fmt(tuned.lines)} policy lines)`)

  // Equivalence: usher's index, casbin and the naive resolver (Permissions.has over the subject)
  // must agree on every sampled query; a disagreement aborts the bench.
  const sample = makeQueries(dir, 5_000, 7)
  const now = new Date(nowMs)
  let allowedInSample = 0
  for (let i = 0; i < sample.length; i++) {
    const user = sample.users[i]!
    const permission = sample.permissions[i]!
    const scope = sample.scopes[i]!
    const usher = index.check(user, permission, scope, nowMs)
    const naive = Permissions.has(index.subject(user), permission, scope, now)
    const casbin = standard.enforcer.enforceSync(`user:${user}`, scope, permission)
    const casbinTuned = tuned.enforcer.enforceSync(`user:${user}`, scope, permission)
    if (usher !== naive || usher !== casbin || usher !== casbinTuned) {
      throw new Error(`resolvers disagree on (${user}, ${permission}, ${scope}): ` +
        `usher ${usher}, naive ${naive}, casbin ${casbin}, casbin tuned ${casbinTuned}`)
    }
    if (usher) allowedInSample++
  }
  log(`equivalence: usher's index, the naive resolver and both casbin models agree on all ${fmt(sample.length)} sampled queries ` +
    `(${fmt(allowedInSample)} allowed, ${fmt(sample.length - allowedInSample)} denied)`)

  const queries: Queries = makeQueries(dir, 200_000, 11)
  const usherPass = () => {
    let allowed = 0
    for (let i = 0; i < queries.length; i++) {
      if (index.check(queries.users[i]!, queries.permissions[i]!, queries.scopes[i]!, nowMs)) allowed++
    }
    return allowed
  }
  // 2M checks (ten passes over the list) per round; the median of three rounds after two warm passes
  const PASSES = 10
  usherPass()
  usherPass()
  const rounds = [0, 1, 2].map(() =>
    rate(queries.length * PASSES, () => {
      let allowed = 0
      for (let r = 0; r < PASSES; r++) allowed += usherPass()
      return allowed / PASSES
    })
  )
  const usher = [...rounds].sort((a, b) => a.perSec - b.perSec)[1]!
  const timeCasbin = (name: string, enforcer: Enforcer, seconds: number) => {
    const pass = (n: number) => {
      let allowed = 0
      for (let i = 0; i < n; i++) {
        if (enforcer.enforceSync(`user:${queries.users[i]!}`, queries.scopes[i]!, queries.permissions[i]!)) allowed++
      }
      return allowed
    }
    pass(1_000)
    // size the timed run to a few seconds from a short probe
    const probe = rate(2_000, () => pass(2_000))
    const n = Math.max(2_000, Math.min(queries.length, Math.round(probe.perSec * seconds)))
    const result = rate(n, () => pass(n))
    // the same answers as usher on that prefix
    let usherAllowed = 0
    for (let i = 0; i < n; i++) if (index.check(queries.users[i]!, queries.permissions[i]!, queries.scopes[i]!, nowMs)) usherAllowed++
    if (usherAllowed !== result.allowed) throw new Error(`usher allowed ${usherAllowed} of the first ${n} queries, ${name} ${result.allowed}`)
    log(`${name}: ${fmt(n)} checks in ${result.ms.toFixed(0)} ms (${fmt(result.allowed)} allowed, as usher on the same queries)`)
    return result
  }
  log(`usher: 3 rounds of ${fmt(queries.length * PASSES)} checks in ${rounds.map((r) => `${r.ms.toFixed(0)} ms`).join(", ")} ` +
    `(${fmt(usher.allowed)} of ${fmt(queries.length)} allowed per pass)`)
  const casbin = timeCasbin("casbin", standard.enforcer, 3)
  const casbinTuned = timeCasbin("casbin tuned", tuned.enforcer, 2)
  log(`resolver section: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  return {
    usherChecksPerSec: usher.perSec,
    casbinChecksPerSec: casbin.perSec,
    casbinTunedChecksPerSec: casbinTuned.perSec,
    verified: sample.length
  }
}
