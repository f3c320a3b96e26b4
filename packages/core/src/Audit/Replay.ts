/**
 * State reconciliation: the directory state the audit log implies (accounts' status and e-mail,
 * organization and group memberships, grants, roles and their permissions), replayed from the
 * events alone, compared with the tables. A row the log does not explain, or explains
 * differently, and a row the log has but the table lost, is a problem named by table and id.
 */
import { builtInRoles } from "../Domain/Permissions.js"

/** What replay reads of an event. */
export interface ReplayEvent {
  readonly seq: number
  readonly action: string
  readonly target: string | null
  readonly details: unknown
}

/** The state the log implies. Keys: memberships `user org`, group members `org/group user`, grants `type principal role scope`. */
export interface ReplayedState {
  readonly users: Map<string, { status: string; email: string | null }>
  readonly memberships: Set<string>
  readonly groups: Set<string>
  readonly groupMembers: Set<string>
  readonly grants: Map<string, string | null>
  readonly roles: Map<string, ReadonlyArray<string>>
}

/** A row that disagrees with the log. */
export interface StateProblem {
  readonly table: "users" | "memberships" | "group_members" | "grants" | "roles"
  readonly id: string
  readonly message: string
}

type Details = Readonly<Record<string, unknown>>

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined)
const grantKey = (type: string, principal: string, role: string, scope: string) => `${type} ${principal} ${role} ${scope}`

const toStatus = (d: Details): string | undefined => {
  const status = d["status"]
  return status !== null && typeof status === "object" ? str((status as Details)["to"]) : undefined
}

/** Replays events (in seq order) into the state they imply. */
export const replay = (events: Iterable<ReplayEvent>): ReplayedState => {
  const state: ReplayedState = {
    users: new Map(),
    memberships: new Set(),
    groups: new Set(),
    groupMembers: new Set(),
    grants: new Map(),
    roles: new Map()
  }
  const { users, memberships, groups, groupMembers, grants, roles } = state
  // what each account holds, so erasing or moving one account does not scan everyone's
  const held = new Map<string, Set<string>>()
  const hold = (userId: string, key: string) => {
    let keys = held.get(userId)
    if (keys === undefined) held.set(userId, keys = new Set())
    keys.add(key)
  }
  const heldBy = (userId: string): ReadonlyArray<string> => [...(held.get(userId) ?? [])]
  const addMembership = (userId: string, org: string) => {
    memberships.add(`${userId} ${org}`)
    hold(userId, `m ${userId} ${org}`)
  }
  const addGroupMember = (group: string, userId: string) => {
    groupMembers.add(`${group} ${userId}`)
    hold(userId, `g ${group} ${userId}`)
  }
  const setUserGrant = (userId: string, key: string, expiresAt: string | null) => {
    grants.set(key, expiresAt)
    hold(userId, `r ${key}`)
  }
  const removeUserGrants = (userId: string, keep: (scope: string) => boolean) => {
    for (const k of heldBy(userId)) {
      if (!k.startsWith("r ")) continue
      const key = k.slice(2)
      if (grants.has(key) && !keep(key.slice(key.lastIndexOf(" ") + 1))) grants.delete(key)
    }
  }
  const removeGroupMembers = (userId: string, match: (group: string) => boolean) => {
    for (const k of heldBy(userId)) {
      if (!k.startsWith("g ")) continue
      const key = k.slice(2)
      if (match(key.slice(0, key.lastIndexOf(" ")))) groupMembers.delete(key)
    }
  }
  const removeMemberships = (userId: string) => {
    for (const k of heldBy(userId)) if (k.startsWith("m ")) memberships.delete(k.slice(2))
  }

  for (const event of events) {
    const d = (event.details !== null && typeof event.details === "object" ? event.details : {}) as Details
    const target = event.target
    switch (event.action) {
      case "directory.init":
        if (target !== null) {
          users.set(target, { status: "active", email: str(d["admin"]) ?? null })
          if (str(d["org"])) addMembership(target, d["org"] as string)
          setUserGrant(target, grantKey("user", target, str(d["role"]) ?? "provider-admin", "provider"), null)
        }
        break
      case "user.create":
      case "user.import":
      case "user.seed":
      case "user.invite":
        if (target !== null) {
          const status = event.action === "user.invite" ? "invited" : str(d["status"]) ?? "provisioned"
          users.set(target, { status, email: str(d["email"]) ?? null })
          if (str(d["org"])) addMembership(target, d["org"] as string)
          if (str(d["group"])) addGroupMember(d["group"] as string, target)
        }
        break
      case "user.update": {
        const email = d["email"]
        const user = target === null ? undefined : users.get(target)
        if (user !== undefined && email !== null && typeof email === "object" && "to" in email) {
          user.email = (email as Details)["to"] as string | null
        }
        break
      }
      case "org.member.add":
        if (target !== null && str(d["org"])) addMembership(target, d["org"] as string)
        break
      case "org.member.remove": {
        const org = str(d["org"])
        if (target === null || org === undefined) break
        memberships.delete(`${target} ${org}`)
        removeGroupMembers(target, (group) => group.startsWith(`${org}/`))
        removeUserGrants(target, (scope) => scope !== `org:${org}` && !scope.startsWith(`app:${org}/`))
        break
      }
      case "group.create":
        if (str(d["group"])) groups.add(d["group"] as string)
        break
      case "group.delete": {
        const group = str(d["group"])
        if (group === undefined) break
        groups.delete(group)
        for (const key of groupMembers) if (key.startsWith(`${group} `)) groupMembers.delete(key)
        for (const key of grants.keys()) if (key.startsWith(`group ${group} `)) grants.delete(key)
        break
      }
      case "group.member.add":
        if (target !== null && str(d["group"])) addGroupMember(d["group"] as string, target)
        break
      case "group.member.remove":
        if (target !== null && str(d["group"])) groupMembers.delete(`${d["group"]} ${target}`)
        break
      case "role.grant":
      case "role.revoke":
      // the policy runner's revocation of a grant past its expiry (`Policies.ts`): the same details as a revocation
      case "grant.expire": {
        const type = str(d["principalType"]) ?? "user"
        const principal = type === "user" ? target : str(d["principal"]) ?? null
        const role = str(d["role"])
        const scope = str(d["scope"])
        if (principal === null || role === undefined || scope === undefined) break
        const key = grantKey(type, principal, role, scope)
        if (event.action !== "role.grant") grants.delete(key)
        else if (type === "user") setUserGrant(principal, key, str(d["expiresAt"]) ?? null)
        else grants.set(key, str(d["expiresAt"]) ?? null)
        break
      }
      case "role.create":
        if (str(d["role"]) && Array.isArray(d["permissions"])) roles.set(d["role"] as string, d["permissions"] as ReadonlyArray<string>)
        break
    }
    // every status change (lifecycle, acceptance) carries `status: {from, to}`; a deletion erases the account
    const to = toStatus(d)
    if (to !== undefined && target !== null) {
      const user = users.get(target)
      if (user !== undefined) user.status = to
      if (to === "deleted") {
        if (user !== undefined) user.email = null
        removeMemberships(target)
        removeGroupMembers(target, () => true)
        removeUserGrants(target, () => false)
        held.delete(target)
      }
    }
  }
  return state
}

/** The rows reconciliation reads. */
export interface StateTables {
  readonly users: ReadonlyArray<{ readonly id: string; readonly status: string; readonly email: string | null }>
  readonly memberships: ReadonlyArray<{ readonly userId: string; readonly orgId: string; readonly org: string | null }>
  readonly groupMembers: ReadonlyArray<{ readonly groupId: string; readonly userId: string; readonly group: string | null }>
  readonly grants: ReadonlyArray<{
    readonly id: string
    readonly principalType: string
    readonly principalId: string
    readonly group: string | null
    readonly role: string | null
    readonly scope: string
    readonly expiresAt: string | null
  }>
  readonly roles: ReadonlyArray<{ readonly id: string; readonly name: string; readonly permissions: string; readonly builtIn: number }>
}

const sameSet = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) => {
  const x = new Set(a)
  return x.size === new Set(b).size && b.every((p) => x.has(p))
}

const parseList = (json: string): ReadonlyArray<string> => {
  try {
    const parsed: unknown = JSON.parse(json)
    return Array.isArray(parsed) ? parsed.map(String) : []
  } catch {
    return []
  }
}

/** Compares the replayed state with the tables, both ways. */
export const reconcile = (state: ReplayedState, tables: StateTables): ReadonlyArray<StateProblem> => {
  const problems: Array<StateProblem> = []

  const seenUsers = new Set<string>()
  for (const row of tables.users) {
    seenUsers.add(row.id)
    const expected = state.users.get(row.id)
    if (expected === undefined) {
      problems.push({ table: "users", id: row.id, message: `account ${row.email ?? row.id} (${row.status}) has no event in the audit log` })
      continue
    }
    if (expected.status !== row.status) {
      problems.push({ table: "users", id: row.id, message: `status is ${row.status}, the audit log says ${expected.status}` })
    }
    if ((expected.email ?? null) !== (row.email ?? null)) {
      problems.push({ table: "users", id: row.id, message: `e-mail is ${row.email ?? "none"}, the audit log says ${expected.email ?? "none"}` })
    }
  }
  for (const [id, user] of state.users) {
    if (!seenUsers.has(id)) problems.push({ table: "users", id, message: `account ${user.email ?? id} of the audit log is missing from the table` })
  }

  const seenMemberships = new Set<string>()
  for (const row of tables.memberships) {
    const key = `${row.userId} ${row.org}`
    seenMemberships.add(key)
    if (row.org === null || !state.memberships.has(key)) {
      problems.push({ table: "memberships", id: `${row.userId}/${row.orgId}`, message: `membership of ${row.org ?? row.orgId} has no event in the audit log` })
    }
  }
  for (const key of state.memberships) {
    if (!seenMemberships.has(key)) {
      const [userId, org] = key.split(" ")
      problems.push({ table: "memberships", id: `${userId}/${org}`, message: `membership of ${org} in the audit log is missing from the table` })
    }
  }

  const seenMembers = new Set<string>()
  for (const row of tables.groupMembers) {
    const key = `${row.group} ${row.userId}`
    seenMembers.add(key)
    if (row.group === null || !state.groupMembers.has(key)) {
      problems.push({ table: "group_members", id: `${row.groupId}/${row.userId}`, message: `membership of group ${row.group ?? row.groupId} has no event in the audit log` })
    }
  }
  for (const key of state.groupMembers) {
    if (!seenMembers.has(key)) {
      const [group, userId] = key.split(" ")
      problems.push({ table: "group_members", id: `${group}/${userId}`, message: `membership of group ${group} in the audit log is missing from the table` })
    }
  }

  const seenGrants = new Set<string>()
  for (const row of tables.grants) {
    const principal = row.principalType === "group" ? row.group ?? row.principalId : row.principalId
    const key = grantKey(row.principalType, principal, row.role ?? row.id, row.scope)
    seenGrants.add(key)
    const label = `${row.role ?? "unknown role"}@${row.scope} for ${row.principalType} ${principal}`
    if (!state.grants.has(key)) {
      problems.push({ table: "grants", id: row.id, message: `grant ${label} has no event in the audit log` })
    } else if ((state.grants.get(key) ?? null) !== (row.expiresAt ?? null)) {
      problems.push({ table: "grants", id: row.id, message: `grant ${label} expires ${row.expiresAt ?? "never"}, the audit log says ${state.grants.get(key) ?? "never"}` })
    }
  }
  for (const key of state.grants.keys()) {
    if (!seenGrants.has(key)) {
      const [type, principal, role, scope] = key.split(" ")
      problems.push({ table: "grants", id: key.replaceAll(" ", "/"), message: `grant ${role}@${scope} for ${type} ${principal} in the audit log is missing from the table` })
    }
  }

  const builtIn = new Map(builtInRoles.map((r) => [r.name, r.permissions]))
  const seenRoles = new Set<string>()
  for (const row of tables.roles) {
    seenRoles.add(row.name)
    const expected = Number(row.builtIn) === 1 ? builtIn.get(row.name) : state.roles.get(row.name)
    if (expected === undefined) {
      problems.push({ table: "roles", id: row.id, message: `role ${row.name} has no event in the audit log${Number(row.builtIn) === 1 ? " and is not built in" : ""}` })
    } else if (!sameSet(parseList(row.permissions), expected)) {
      problems.push({ table: "roles", id: row.id, message: `role ${row.name} has permissions ${parseList(row.permissions).join(", ")}, the audit log says ${expected.join(", ")}` })
    }
  }
  for (const name of state.roles.keys()) {
    if (!seenRoles.has(name)) problems.push({ table: "roles", id: name, message: `role ${name} of the audit log is missing from the table` })
  }
  return problems
}
