/**
 * The reverse of `why`: who holds a permission at a scope, each with every path that gives it
 * (direct grants, groups, an organization's grant counting at its apps). Answers only about the
 * accounts the actor may read (`users.read`), as every read does.
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { now, readableOrgs } from "./Actor.js"
import { loadDirectoryGraph } from "./Directory.js"
import * as PermissionIndex from "./Domain/PermissionIndex.js"
import * as Permissions from "./Domain/Permissions.js"
import { scopeOrDefault } from "./internal/lookup.js"

/** One holder of the permission, with the paths that give it. */
export interface Holder {
  readonly user: string
  readonly paths: ReadonlyArray<{ readonly role: string; readonly scope: string; readonly group: string | null; readonly expiresAt: string | null }>
}

/** What `whoCan` answers. */
export interface WhoCanAnswer {
  readonly permission: string
  readonly scope: string
  /** by e-mail; active accounts only (a suspended one holds nothing) */
  readonly holders: ReadonlyArray<Holder>
}

/** Who holds a permission at a scope (default: the default organization), among the accounts the actor may read. */
export const whoCan = (permissionText: string, scopeText?: string) =>
  Effect.gen(function*() {
    const permission = yield* Permissions.parsePermission(permissionText)
    const scope = yield* scopeOrDefault(scopeText)
    const visible = yield* readableOrgs
    const sql = yield* SqlClient.SqlClient
    const at = yield* now
    const index = PermissionIndex.build(yield* loadDirectoryGraph)
    const readable = visible === "everywhere" ? undefined : new Set(
      (yield* sql<{ userId: string }>`SELECT DISTINCT user_id FROM memberships WHERE ${sql.in("org_id", visible)}`.pipe(Effect.orDie)).map((r) => r.userId)
    )
    const users = yield* sql<{ id: string; email: string }>`SELECT id, email FROM users WHERE status = 'active'`.pipe(Effect.orDie)
    const holders: Array<Holder> = []
    for (const user of users) {
      if (readable !== undefined && !readable.has(user.id)) continue
      if (!index.check(user.id, permission, scope, at.getTime())) continue
      const paths = Permissions.why(index.subject(user.id), permission, scope, at)
      holders.push({ user: user.email, paths: paths.map((p) => ({ role: p.role, scope: p.scope, group: p.group, expiresAt: p.expiresAt })) })
    }
    holders.sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0))
    return { permission, scope, holders } satisfies WhoCanAnswer
  })
