import type { GrantPath, Subject } from "./Permissions.js"
import * as Scope from "./Scope.js"

/** The whole grant graph of a directory as plain data. */
export interface DirectoryGraph {
  readonly users: ReadonlyArray<{ readonly id: string; readonly active: boolean }>
  readonly roles: ReadonlyArray<{ readonly id: string; readonly name: string; readonly permissions: ReadonlyArray<string> }>
  /** group id → its name and the ids of its members */
  readonly groups: ReadonlyArray<{ readonly id: string; readonly name: string; readonly members: ReadonlyArray<string> }>
  readonly grants: ReadonlyArray<{
    readonly id: string
    readonly principal: { readonly type: "user" | "group"; readonly id: string }
    readonly roleId: string
    readonly scope: Scope.Scope
    readonly expiresAt: string | null
  }>
}

/**
 * A resolver indexed for many checks: per user, per scope, the set of permissions granted there.
 * A check is three map look-ups (user, permission, scope) and a scan of the user's few entries.
 */
export interface PermissionIndex {
  readonly check: (userId: string, permission: string, scope: Scope.Scope, now: number) => boolean
  readonly subject: (userId: string) => Subject
}

/** Builds the indexed resolver from a directory graph. */
export const build = (graph: DirectoryGraph): PermissionIndex => {
  const roles = new Map(graph.roles.map((r) => [r.id, r]))
  const active = new Map(graph.users.map((u) => [u.id, u.active]))
  const groupsOf = new Map<string, Array<{ id: string; name: string }>>()
  for (const group of graph.groups) {
    for (const member of group.members) {
      const list = groupsOf.get(member)
      if (list === undefined) groupsOf.set(member, [{ id: group.id, name: group.name }])
      else list.push({ id: group.id, name: group.name })
    }
  }
  const grantsOf = new Map<string, Array<DirectoryGraph["grants"][number]>>()
  for (const grant of graph.grants) {
    const key = `${grant.principal.type}:${grant.principal.id}`
    const list = grantsOf.get(key)
    if (list === undefined) grantsOf.set(key, [grant])
    else list.push(grant)
  }

  const pathsOf = (userId: string): Array<GrantPath> => {
    const paths: Array<GrantPath> = []
    const add = (grant: DirectoryGraph["grants"][number], group: string | null) => {
      const role = roles.get(grant.roleId)
      if (role === undefined) return
      paths.push({
        grantId: grant.id,
        role: role.name,
        permissions: role.permissions,
        scope: grant.scope,
        expiresAt: grant.expiresAt,
        group
      })
    }
    for (const grant of grantsOf.get(`user:${userId}`) ?? []) add(grant, null)
    for (const group of groupsOf.get(userId) ?? []) {
      for (const grant of grantsOf.get(`group:${group.id}`) ?? []) add(grant, group.name)
    }
    return paths
  }

  // Interned ids: every permission a role carries, every scope a grant names.
  const permissionIds = new Map<string, number>()
  for (const role of graph.roles) {
    for (const p of role.permissions) if (!permissionIds.has(p)) permissionIds.set(p, permissionIds.size)
  }
  const scopeIds = new Map<string, number>()
  for (const grant of graph.grants) if (!scopeIds.has(grant.scope)) scopeIds.set(grant.scope, scopeIds.size)
  const words = Math.max(1, Math.ceil(permissionIds.size / 32))

  // Distinct permission sets as bitsets (`words` words each); many (user, scope) entries share one.
  const setIds = new Map<string, number>()
  const setBits: Array<number> = []
  const internSet = (permissions: ReadonlySet<number>): number => {
    const key = [...permissions].sort((a, b) => a - b).join(",")
    let id = setIds.get(key)
    if (id === undefined) {
      id = setIds.size
      setIds.set(key, id)
      const base = setBits.length
      for (let w = 0; w < words; w++) setBits.push(0)
      for (const p of permissions) setBits[base + (p >>> 5)] = setBits[base + (p >>> 5)]! | (1 << (p & 31))
    }
    return id
  }

  // Per active user, a run of entries (scope, permission set, valid until) in flat arrays, sorted
  // by scope: permanent grants at a scope merge into one entry, time-bound ones merge by expiry.
  // A check scans the run; a user with a long run gets a scope → entries map instead.
  const LONG_RUN = 16
  const userSlots = new Map<string, number>()
  const runsByScope: Array<Map<number, readonly [number, number]> | undefined> = []
  const starts: Array<number> = [0]
  const entryScope: Array<number> = []
  const entrySet: Array<number> = []
  const entryUntil: Array<number> = []
  for (const [userId, isActive] of active) {
    if (!isActive) continue
    const merged = new Map<string, { scope: number; until: number; permissions: Set<number> }>()
    for (const path of pathsOf(userId)) {
      const until = path.expiresAt === null ? Infinity : Date.parse(path.expiresAt)
      const scope = scopeIds.get(path.scope)!
      const key = `${scope}|${until}`
      let entry = merged.get(key)
      if (entry === undefined) {
        entry = { scope, until, permissions: new Set() }
        merged.set(key, entry)
      }
      for (const p of path.permissions) entry.permissions.add(permissionIds.get(p)!)
    }
    if (merged.size === 0) continue
    const first = entryScope.length
    for (const entry of [...merged.values()].sort((a, b) => a.scope - b.scope)) {
      entryScope.push(entry.scope)
      entrySet.push(internSet(entry.permissions))
      entryUntil.push(entry.until)
    }
    let byScope: Map<number, readonly [number, number]> | undefined
    if (merged.size > LONG_RUN) {
      byScope = new Map()
      for (let e = first; e < entryScope.length;) {
        let to = e + 1
        while (to < entryScope.length && entryScope[to] === entryScope[e]) to++
        byScope.set(entryScope[e]!, [e, to])
        e = to
      }
    }
    userSlots.set(userId, starts.length - 1)
    runsByScope.push(byScope)
    starts.push(entryScope.length)
  }
  const start = Int32Array.from(starts)
  const scopeOf = Int32Array.from(entryScope)
  const setOf = Int32Array.from(entrySet)
  const untilOf = Float64Array.from(entryUntil)
  const bits = Uint32Array.from(setBits.map((w) => w >>> 0))

  /** The interned ids of a scope and its ancestors (-1 where no grant names that scope). */
  interface Ancestry {
    readonly self: number
    readonly parent: number
    readonly top: number
  }
  const ancestryCache = new Map<string, Ancestry>()
  const ancestry = (scope: Scope.Scope): Ancestry => {
    let found = ancestryCache.get(scope)
    if (found === undefined) {
      const [self, parent, top] = Scope.ancestors(scope).map((s) => scopeIds.get(s) ?? -1)
      found = { self: self ?? -1, parent: parent ?? -1, top: top ?? -1 }
      if (ancestryCache.size >= 100_000) ancestryCache.clear()
      ancestryCache.set(scope, found)
    }
    return found
  }

  /** Whether an entry in [from, to) grants permission bit (`word`, `bit`) at `now`, scopes aside. */
  const grantsIn = (from: number, to: number, word: number, bit: number, now: number): boolean => {
    for (let e = from; e < to; e++) {
      if ((bits[setOf[e]! * words + word]! & bit) !== 0) {
        const until = untilOf[e]!
        if (until === Infinity || until > now) return true
      }
    }
    return false
  }

  return {
    check: (userId, permission, scope, now) => {
      const slot = userSlots.get(userId)
      if (slot === undefined) return false
      const p = permissionIds.get(permission)
      if (p === undefined) return false
      const { self, parent, top } = ancestry(scope)
      const word = p >>> 5
      const bit = 1 << (p & 31)
      const byScope = runsByScope[slot]
      if (byScope === undefined) {
        for (let e = start[slot]!, end = start[slot + 1]!; e < end; e++) {
          const s = scopeOf[e]!
          if ((s === self || s === parent || s === top) && (bits[setOf[e]! * words + word]! & bit) !== 0) {
            const until = untilOf[e]!
            if (until === Infinity || until > now) return true
          }
        }
        return false
      }
      const atSelf = byScope.get(self)
      if (atSelf !== undefined && grantsIn(atSelf[0], atSelf[1], word, bit, now)) return true
      const atParent = byScope.get(parent)
      if (atParent !== undefined && grantsIn(atParent[0], atParent[1], word, bit, now)) return true
      const atTop = byScope.get(top)
      return atTop !== undefined && grantsIn(atTop[0], atTop[1], word, bit, now)
    },
    subject: (userId) => ({ userId, active: active.get(userId) === true, paths: pathsOf(userId) })
  }
}
