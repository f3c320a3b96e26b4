import { newEnforcer, newModelFromString, StringAdapter, type Enforcer } from "casbin"
import type { DirectoryGraph } from "../src/Domain/PermissionIndex.js"
import * as Scope from "../src/Domain/Scope.js"

/**
 * usher's model in casbin: RBAC with domains, the domain being the scope.
 *
 * - `p, role:R, PERMISSION` — what a role carries (one line per role and permission);
 * - `g, user:U, role:R, SCOPE` — a direct grant; `g, group:G, role:R, SCOPE` — a group's grant;
 * - `g, user:U, group:G, SCOPE` — membership, written into every scope where the group holds a
 *   grant, since casbin's role graph is per domain (user → group → role in the same domain);
 * - the matcher asks the scope, its parent (`app:o/a` → `org:o`, `org:o` → `provider`) and
 *   `provider`, so a grant applies at its scope and below.
 *
 * Casbin has neither user status nor grant expiry: inactive users get no links and grants expired
 * at the benchmark's `now` are left out; a grant that expires later is a plain link. Both
 * resolvers therefore answer the same question at that instant, which the bench verifies.
 */
export const MODEL = `
[request_definition]
r = sub, dom, act

[policy_definition]
p = sub, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.act == p.act && (g(r.sub, p.sub, r.dom) || g(r.sub, p.sub, parentScope(r.dom)) || g(r.sub, p.sub, "provider"))
`

/** The parent of a scope (`provider` is its own). */
export const parentScope = (scope: string): string => {
  if (scope.startsWith("app:")) return `org:${scope.slice(4, scope.indexOf("/"))}`
  return Scope.provider
}

/** The policy lines (CSV) equivalent to a directory graph at `nowMs`. */
export const policyOf = (graph: DirectoryGraph, nowMs: number): { readonly csv: string; readonly lines: number } => {
  const lines = new Set<string>()
  for (const role of graph.roles) for (const p of role.permissions) lines.add(`p, role:${role.id}, ${p}`)
  const active = new Set(graph.users.filter((u) => u.active).map((u) => u.id))
  const live = graph.grants.filter((g) => g.expiresAt === null || Date.parse(g.expiresAt) > nowMs)
  const scopesOfGroup = new Map<string, Set<string>>()
  for (const grant of live) {
    if (grant.principal.type === "user" && !active.has(grant.principal.id)) continue
    lines.add(`g, ${grant.principal.type}:${grant.principal.id}, role:${grant.roleId}, ${grant.scope}`)
    if (grant.principal.type === "group") {
      const set = scopesOfGroup.get(grant.principal.id)
      if (set === undefined) scopesOfGroup.set(grant.principal.id, new Set([grant.scope]))
      else set.add(grant.scope)
    }
  }
  for (const group of graph.groups) {
    const scopes = scopesOfGroup.get(group.id)
    if (scopes === undefined) continue
    for (const member of group.members) {
      if (!active.has(member)) continue
      for (const scope of scopes) lines.add(`g, user:${member}, group:${group.id}, ${scope}`)
    }
  }
  return { csv: [...lines].join("\n"), lines: lines.size }
}

/**
 * The same model tuned for casbin's evaluator, which runs the matcher once per `p` line: with
 * permissions as the leaves of the role graph (`g, role:R, PERMISSION, SCOPE`, written into every
 * scope where R is granted) the matcher names no `p` field and is evaluated once per request.
 */
export const MODEL_TUNED = `
[request_definition]
r = sub, dom, act

[policy_definition]
p = sub, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, r.act, r.dom) || g(r.sub, r.act, parentScope(r.dom)) || g(r.sub, r.act, "provider")
`

/** The tuned model's policy: the same grant and membership links, role → permission links per scope. */
export const tunedPolicyOf = (graph: DirectoryGraph, nowMs: number): { readonly csv: string; readonly lines: number } => {
  const { csv } = policyOf(graph, nowMs)
  const lines = new Set(csv.split("\n").filter((l) => l.startsWith("g, ")))
  const roles = new Map(graph.roles.map((r) => [r.id, r]))
  const active = new Set(graph.users.filter((u) => u.active).map((u) => u.id))
  for (const grant of graph.grants) {
    if (grant.expiresAt !== null && Date.parse(grant.expiresAt) <= nowMs) continue
    if (grant.principal.type === "user" && !active.has(grant.principal.id)) continue
    for (const p of roles.get(grant.roleId)?.permissions ?? []) lines.add(`g, role:${grant.roleId}, ${p}, ${grant.scope}`)
  }
  return { csv: [...lines].join("\n"), lines: lines.size }
}

/** A casbin enforcer loaded with the graph's policy; ask it `enforceSync("user:" + id, scope, permission)`. */
export const casbinEnforcer = async (
  graph: DirectoryGraph,
  nowMs: number,
  variant: "standard" | "tuned" = "standard"
): Promise<{ readonly enforcer: Enforcer; readonly lines: number }> => {
  const { csv, lines } = variant === "standard" ? policyOf(graph, nowMs) : tunedPolicyOf(graph, nowMs)
  const enforcer = await newEnforcer(newModelFromString(variant === "standard" ? MODEL : MODEL_TUNED), new StringAdapter(csv))
  await enforcer.addFunction("parentScope", (...args: Array<unknown>) => parentScope(String(args[0])))
  return { enforcer, lines }
}
