import type { DirectoryGraph } from "../src/Domain/PermissionIndex.js"
import { builtInRoles, catalog } from "../src/Domain/Permissions.js"
import * as Scope from "../src/Domain/Scope.js"

/** A small deterministic PRNG (mulberry32), so every run benchmarks the same directory. */
export const prng = (seed: number) => {
  let state = seed | 0
  const next = () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <A>(list: ReadonlyArray<A>): A => list[int(list.length)]!
  const between = (lo: number, hi: number) => lo + int(hi - lo + 1)
  const sample = <A>(list: ReadonlyArray<A>, n: number): Array<A> => {
    const copy = [...list]
    for (let i = 0; i < n && i < copy.length; i++) {
      const j = i + int(copy.length - i)
      const t = copy[i]!
      copy[i] = copy[j]!
      copy[j] = t
    }
    return copy.slice(0, n)
  }
  return { next, int, pick, between, sample }
}
export type Prng = ReturnType<typeof prng>

const hexId = (random: Prng) => {
  let s = ""
  for (let i = 0; i < 32; i++) s += "0123456789abcdef"[random.int(16)]
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-7${s.slice(13, 16)}-${s.slice(16, 20)}-${s.slice(20)}`
}

/** The sizes of the benchmark directory. */
export interface GraphSize {
  readonly users: number
  readonly groups: number
  readonly roles: number
  readonly orgs: number
  readonly appsPerOrg: number
}

export const defaultSize: GraphSize = { users: 10_000, groups: 1_000, roles: 50, orgs: 4, appsPerOrg: 50 }

const ORGS = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "tyrell"]
const APP_NOUNS = ["expenses", "invoices", "payroll", "tickets", "deploys", "reports", "contracts", "assets", "leads", "timesheets"]
const APP_VERBS = ["read", "approve", "export", "admin"]

/** Every permission the benchmark roles draw from: the catalog plus 40 application permissions. */
export const appPermissions: ReadonlyArray<string> = APP_NOUNS.flatMap((n) => APP_VERBS.map((v) => `${n}.${v}`))
export const allPermissions: ReadonlyArray<string> = [...catalog, ...appPermissions]

/** A generated directory, with the lists the query generator draws from. */
export interface BenchDirectory {
  readonly graph: DirectoryGraph
  readonly scopes: {
    readonly orgs: ReadonlyArray<Scope.Scope>
    readonly apps: ReadonlyArray<Scope.Scope>
    /** app scopes of each org scope */
    readonly appsOf: ReadonlyMap<Scope.Scope, ReadonlyArray<Scope.Scope>>
  }
  /** the reference time of every check: expiring grants lie days before or after it */
  readonly nowMs: number
}

/**
 * A random but seeded directory: users mostly active, each in a few groups; roles (the five
 * built-ins plus custom ones of 3–15 catalog and application permissions) granted to users and
 * groups at provider, org and app scopes; about one grant in ten time-bound (half already expired).
 */
export const makeDirectory = (size: GraphSize = defaultSize, seed = 20_240_601): BenchDirectory => {
  const random = prng(seed)
  const nowMs = Date.UTC(2025, 5, 1, 12, 0, 0)
  const orgSlugs = ORGS.slice(0, size.orgs)
  const orgs = orgSlugs.map((s) => Scope.org(s))
  const appsOf = new Map<Scope.Scope, Array<Scope.Scope>>()
  const apps: Array<Scope.Scope> = []
  for (const slug of orgSlugs) {
    const list = Array.from({ length: size.appsPerOrg }, (_, i) => Scope.app(slug, `app-${String(i).padStart(2, "0")}`))
    appsOf.set(Scope.org(slug), list)
    apps.push(...list)
  }

  const roles: Array<DirectoryGraph["roles"][number]> = builtInRoles.map((r, i) => ({ id: `role-${i}`, name: r.name, permissions: r.permissions }))
  for (let i = roles.length; i < size.roles; i++) {
    roles.push({ id: `role-${i}`, name: `custom-${i}`, permissions: random.sample(allPermissions, random.between(3, 15)) })
  }

  const users = Array.from({ length: size.users }, () => ({ id: hexId(random), active: random.next() < 0.9 }))

  const groupOrg: Array<string> = []
  const members: Array<Array<string>> = []
  for (let g = 0; g < size.groups; g++) {
    groupOrg.push(random.pick(orgSlugs))
    members.push([])
  }
  for (const user of users) {
    const n = random.between(1, 4)
    const chosen = new Set<number>()
    while (chosen.size < n) chosen.add(random.int(size.groups))
    for (const g of chosen) members[g]!.push(user.id)
  }
  const groups = members.map((m, g) => ({ id: `group-${g}`, name: `${groupOrg[g]}/team-${g}`, members: m }))

  const day = 864e5
  const expiry = () => {
    const roll = random.next()
    if (roll >= 0.1) return null
    const offset = (1 + random.int(30)) * day
    return new Date(roll < 0.05 ? nowMs - offset : nowMs + offset).toISOString()
  }
  /** provider 2%, an org 28%, an app 70% (within `org` when given) */
  const scopeFor = (org?: string): Scope.Scope => {
    const roll = random.next()
    if (roll < 0.02) return Scope.provider
    const slug = org ?? random.pick(orgSlugs)
    if (roll < 0.3) return Scope.org(slug)
    return random.pick(appsOf.get(Scope.org(slug))!)
  }
  const grants: Array<DirectoryGraph["grants"][number]> = []
  const seen = new Set<string>()
  const addGrant = (type: "user" | "group", id: string, scope: Scope.Scope) => {
    // the built-ins are rarer than custom roles, provider-admin rarest
    const role = random.next() < 0.1 ? roles[1 + random.int(4)]! : roles[5 + random.int(roles.length - 5)] ?? roles[0]!
    const key = `${type}:${id}:${role.id}:${scope}`
    if (seen.has(key)) return
    seen.add(key)
    grants.push({ id: `grant-${grants.length}`, principal: { type, id }, roleId: role.id, scope, expiresAt: expiry() })
  }
  for (const user of users) {
    const n = random.between(0, 3)
    for (let i = 0; i < n; i++) addGrant("user", user.id, scopeFor())
  }
  for (let g = 0; g < size.groups; g++) {
    const n = random.between(1, 3)
    for (let i = 0; i < n; i++) addGrant("group", `group-${g}`, scopeFor(groupOrg[g]))
  }
  // a handful of provider admins
  for (let i = 0; i < 5; i++) {
    grants.push({ id: `grant-${grants.length}`, principal: { type: "user", id: users[i]!.id }, roleId: roles[0]!.id, scope: Scope.provider, expiresAt: null })
  }

  return { graph: { users, roles, groups, grants }, scopes: { orgs, apps, appsOf }, nowMs }
}

/** A list of checks, as parallel arrays so the timing loop allocates nothing. */
export interface Queries {
  readonly length: number
  readonly users: ReadonlyArray<string>
  readonly permissions: ReadonlyArray<string>
  readonly scopes: ReadonlyArray<Scope.Scope>
}

/**
 * Half the queries follow a real grant path (a permission of a role the user holds directly or
 * through a group, at the grant's scope or below), half are random (1% of them unknown users).
 */
export const makeQueries = (dir: BenchDirectory, count: number, seed: number): Queries => {
  const random = prng(seed)
  const { graph, scopes } = dir
  const roles = new Map(graph.roles.map((r) => [r.id, r]))
  const byPrincipal = new Map<string, Array<DirectoryGraph["grants"][number]>>()
  for (const g of graph.grants) {
    const key = `${g.principal.type}:${g.principal.id}`
    const list = byPrincipal.get(key)
    if (list === undefined) byPrincipal.set(key, [g])
    else list.push(g)
  }
  const groupsOf = new Map<string, Array<string>>()
  for (const group of graph.groups) {
    for (const m of group.members) {
      const list = groupsOf.get(m)
      if (list === undefined) groupsOf.set(m, [group.id])
      else list.push(group.id)
    }
  }
  const below = (scope: Scope.Scope): Scope.Scope => {
    if (scope === Scope.provider) {
      const roll = random.next()
      return roll < 0.1 ? Scope.provider : roll < 0.3 ? random.pick(scopes.orgs) : random.pick(scopes.apps)
    }
    if (scope.startsWith("org:")) return random.next() < 0.3 ? scope : random.pick(scopes.appsOf.get(scope)!)
    return scope
  }
  const anyScope = (): Scope.Scope => {
    const roll = random.next()
    return roll < 0.05 ? Scope.provider : roll < 0.2 ? random.pick(scopes.orgs) : random.pick(scopes.apps)
  }
  const users: Array<string> = []
  const permissions: Array<string> = []
  const out: Array<Scope.Scope> = []
  while (users.length < count) {
    const user = random.pick(graph.users)
    if (random.next() < 0.5) {
      const paths = [
        ...(byPrincipal.get(`user:${user.id}`) ?? []),
        ...(groupsOf.get(user.id) ?? []).flatMap((g) => byPrincipal.get(`group:${g}`) ?? [])
      ]
      if (paths.length === 0) continue
      const grant = random.pick(paths)
      users.push(user.id)
      permissions.push(random.pick(roles.get(grant.roleId)!.permissions))
      out.push(below(grant.scope))
    } else {
      users.push(random.next() < 0.01 ? `unknown-${random.int(1000)}` : user.id)
      permissions.push(random.pick(allPermissions))
      out.push(anyScope())
    }
  }
  return { length: count, users, permissions, scopes: out }
}
