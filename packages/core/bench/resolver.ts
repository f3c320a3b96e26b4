import * as PermissionIndex from "../src/Domain/PermissionIndex.js"
import * as Permissions from "../src/Domain/Permissions.js"
import { casbinEnforcer } from "./casbin.js"
import { defaultSize, makeDirectory, makeQueries, type Queries } from "./graph.js"

/** What the resolver benchmark measured. */
export interface ResolverResult {
  readonly usherChecksPerSec: number
  readonly casbinChecksPerSec: number
  readonly ratio: number
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
  const casbinStart = Date.now()
  const { enforcer, lines } = await casbinEnforcer(graph, nowMs)
  const casbinBuildMs = Date.now() - casbinStart
  log(`build: usher index ${usherBuildMs} ms; casbin enforcer ${casbinBuildMs} ms (${fmt(lines)} policy lines)`)

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
    const casbin = enforcer.enforceSync(`user:${user}`, scope, permission)
    if (usher !== casbin || usher !== naive) {
      throw new Error(`resolvers disagree on (${user}, ${permission}, ${scope}): usher ${usher}, casbin ${casbin}, naive ${naive}`)
    }
    if (usher) allowedInSample++
  }
  log(`equivalence: usher, casbin and the naive resolver agree on all ${fmt(sample.length)} sampled queries ` +
    `(${fmt(allowedInSample)} allowed, ${fmt(sample.length - allowedInSample)} denied)`)

  const queries: Queries = makeQueries(dir, 200_000, 11)
  const usherPass = () => {
    let allowed = 0
    for (let i = 0; i < queries.length; i++) {
      if (index.check(queries.users[i]!, queries.permissions[i]!, queries.scopes[i]!, nowMs)) allowed++
    }
    return allowed
  }
  const ROUNDS = 10
  usherPass()
  usherPass()
  const usher = rate(queries.length * ROUNDS, () => {
    let allowed = 0
    for (let r = 0; r < ROUNDS; r++) allowed += usherPass()
    return allowed / ROUNDS
  })

  const casbinPass = (n: number) => {
    let allowed = 0
    for (let i = 0; i < n; i++) {
      if (enforcer.enforceSync(`user:${queries.users[i]!}`, queries.scopes[i]!, queries.permissions[i]!)) allowed++
    }
    return allowed
  }
  casbinPass(1_000)
  // size casbin's run to about three seconds from a short probe
  const probe = rate(2_000, () => casbinPass(2_000))
  const casbinN = Math.max(2_000, Math.min(queries.length, Math.round(probe.perSec * 3)))
  const casbin = rate(casbinN, () => casbinPass(casbinN))
  // the same answers on the casbin prefix, for the record
  let usherOnPrefix = 0
  for (let i = 0; i < casbinN; i++) if (index.check(queries.users[i]!, queries.permissions[i]!, queries.scopes[i]!, nowMs)) usherOnPrefix++
  if (usherOnPrefix !== casbin.allowed) throw new Error(`usher allowed ${usherOnPrefix} of the first ${casbinN} queries, casbin ${casbin.allowed}`)

  log(`usher: ${fmt(queries.length * ROUNDS)} checks in ${usher.ms.toFixed(0)} ms (${fmt(usher.allowed)} of ${fmt(queries.length)} allowed per pass)`)
  log(`casbin: ${fmt(casbinN)} checks in ${casbin.ms.toFixed(0)} ms (${fmt(casbin.allowed)} allowed, same as usher on that prefix)`)
  log(`resolver section: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  return { usherChecksPerSec: usher.perSec, casbinChecksPerSec: casbin.perSec, ratio: usher.perSec / casbin.perSec, verified: sample.length }
}
