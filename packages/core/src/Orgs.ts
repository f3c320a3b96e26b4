import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { actorSubject, now, requireAt, requireReach } from "./Actor.js"
import { record } from "./Audit.js"
import { AppExists, InvalidInput, InvalidName, NotAMember, OrgExists } from "./Domain/Errors.js"
import { newId, type AppId, type OrgId } from "./Domain/Ids.js"
import type { App, Organization } from "./Domain/Organization.js"
import * as Permissions from "./Domain/Permissions.js"
import * as Scope from "./Domain/Scope.js"
import { findOrg, findUser } from "./internal/lookup.js"
import { touchGroupsOf } from "./internal/groupRows.js"
import { transaction } from "./internal/tx.js"
import { requestApproval } from "./Approvals/Request.js"
import { approvalRequested } from "./Domain/Approval.js"
import { assertProviderAdminRemains } from "./Roles.js"
import type { CreateOrgInput } from "./Domain/Inputs.js"

/** An organization with its member count, as `orgs list` shows it. */
export interface OrganizationSummary extends Organization {
  readonly members: number
  readonly isDefault: boolean
}

const slugRule = "lower-case letters, digits and inner dashes, at most 63"

const checkSlug = (kind: string, slug: string) =>
  Scope.SLUG.test(slug) ? Effect.succeed(slug) : Effect.fail(new InvalidName({ kind, name: slug, rule: slugRule }))

/** Organizations the actor holds any permission in (all of them for provider-wide grants). */
export const listOrgs = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const subject = yield* actorSubject
  const at = yield* now
  const rows = yield* sql<{ id: string; slug: string; name: string; members: number; isDefault: number }>`
    SELECT o.id, o.slug, o.name, (SELECT COUNT(*) FROM memberships m WHERE m.org_id = o.id) AS members,
           CASE WHEN s.value IS NULL THEN 0 ELSE 1 END AS is_default
      FROM organizations o LEFT JOIN settings s ON s.key = 'default_org' AND s.value = o.id
     ORDER BY o.slug`.pipe(Effect.orDie)
  return rows
    .filter((o) => Permissions.effective(subject, Scope.org(o.slug), at).size > 0)
    .map((o): OrganizationSummary => ({ ...o, id: o.id as OrgId, members: Number(o.members), isDefault: o.isDefault === 1 }))
})

/** Creates an organization (needs `orgs.manage` at provider). */
export const createOrg = (input: CreateOrgInput) =>
  transaction(Effect.gen(function*() {
    yield* requireAt("orgs.manage", Scope.provider)
    const slug = yield* checkSlug("organization", input.slug.trim())
    const name = (input.name ?? slug).trim()
    if (name.length === 0 || name.length > 100) return yield* Effect.fail(new InvalidInput({ field: "name", reason: "1 to 100 characters" }))
    const sql = yield* SqlClient.SqlClient
    const id = newId<OrgId>()
    const [created] = yield* sql<{ id: string }>`
      INSERT INTO organizations (id, slug, name, created_at) VALUES (${id}, ${slug}, ${name}, ${(yield* now).toISOString()})
      ON CONFLICT (slug) DO NOTHING RETURNING id`.pipe(Effect.orDie)
    if (created === undefined) return yield* Effect.fail(new OrgExists({ org: slug }))
    yield* record({ action: "org.create", target: null, details: { org: slug, name } })
    return { id, slug, name, members: 0, isDefault: false } satisfies OrganizationSummary
  }))

/** Adds existing users to an organization (needs `orgs.members.manage` there); grants nothing by itself. */
export const addOrgMembers = (slug: string, users: ReadonlyArray<string>) =>
  transaction(Effect.gen(function*() {
    const org = yield* findOrg(slug)
    yield* requireAt("orgs.members.manage", Scope.org(org.slug))
    const sql = yield* SqlClient.SqlClient
    const at = (yield* now).toISOString()
    const results: Array<{ user: string; added: boolean }> = []
    for (const ref of users) {
      const user = yield* findUser(ref)
      const [row] = yield* sql<{ userId: string }>`
        INSERT INTO memberships (user_id, org_id, joined_at) VALUES (${user.id}, ${org.id}, ${at})
        ON CONFLICT (user_id, org_id) DO NOTHING RETURNING user_id`.pipe(Effect.orDie)
      if (row !== undefined) yield* record({ action: "org.member.add", target: user.id, details: { org: org.slug, email: user.email } })
      results.push({ user: user.email, added: row !== undefined })
    }
    return { org: org.slug, results }
  }))

/**
 * Removes users from an organization: their membership, their groups there and their grants at
 * its scopes go; the accounts stay (seed: removing a member never deletes the account). Removing
 * more than one user at once waits for approval: the result is then `ApprovalRequested`, otherwise
 * `MembersRemoved`.
 */
export const removeOrgMembers = (slug: string, users: ReadonlyArray<string>, options: { readonly reason?: string } = {}) =>
  transaction(Effect.gen(function*() {
    const org = yield* findOrg(slug)
    yield* requireAt("orgs.members.manage", Scope.org(org.slug))
    const people = yield* membersOf(org, users)
    if (people.length > 1) {
      return approvalRequested(yield* requestApproval({ _tag: "org.members.remove", org: org.slug, users: people }, options.reason))
    }
    return { _tag: "MembersRemoved" as const, ...yield* removeMembersNow(org.slug, people.map((p) => p.id)) }
  }))

/** The distinct users named, each checked to be a member of the organization. */
const membersOf = (org: { readonly id: string; readonly slug: string }, refs: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const people = new Map<string, { id: string; email: string }>()
    for (const ref of refs) {
      const user = yield* findUser(ref)
      yield* requireReach(user.id)
      const [member] = yield* sql<{ userId: string }>`SELECT user_id FROM memberships WHERE user_id = ${user.id} AND org_id = ${org.id}`.pipe(Effect.orDie)
      if (member === undefined) return yield* Effect.fail(new NotAMember({ user: user.email, org: org.slug }))
      people.set(user.id, { id: user.id, email: user.email })
    }
    return [...people.values()]
  })

/** Removes members in the caller's transaction (after any approval), checking the actor's permission again. */
export const removeMembersNow = (slug: string, userIds: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const org = yield* findOrg(slug)
    yield* requireAt("orgs.members.manage", Scope.org(org.slug))
    const sql = yield* SqlClient.SqlClient
    const removed: Array<string> = []
    for (const ref of userIds) {
      const user = yield* findUser(ref)
      yield* requireReach(user.id)
      const [row] = yield* sql<{ userId: string }>`
        DELETE FROM memberships WHERE user_id = ${user.id} AND org_id = ${org.id} RETURNING user_id`.pipe(Effect.orDie)
      if (row === undefined) return yield* Effect.fail(new NotAMember({ user: user.email, org: org.slug }))
      const groups = yield* sql<{ name: string }>`
        SELECT ug.name FROM group_members m JOIN user_groups ug ON ug.id = m.group_id
         WHERE m.user_id = ${user.id} AND ug.org_id = ${org.id} ORDER BY ug.name`.pipe(Effect.orDie)
      yield* touchGroupsOf(user.id, org.id)
      yield* sql`DELETE FROM group_members WHERE user_id = ${user.id}
           AND group_id IN (SELECT id FROM user_groups WHERE org_id = ${org.id})`.pipe(Effect.orDie)
      const grants = yield* sql<{ id: string }>`
        DELETE FROM grants WHERE principal_type = 'user' AND principal_id = ${user.id}
           AND (scope = ${Scope.org(org.slug)} OR scope LIKE ${`app:${org.slug}/%`}) RETURNING id`.pipe(Effect.orDie)
      yield* record({
        action: "org.member.remove",
        target: user.id,
        details: { org: org.slug, email: user.email, groupsLeft: groups.map((g) => g.name), grantsRemoved: grants.length }
      })
      removed.push(user.email)
    }
    yield* assertProviderAdminRemains(org.slug)
    return { org: org.slug, removed }
  })

/** Members removed from an organization (directly, or on an approval's execution). */
export type MembersRemoved = { readonly _tag: "MembersRemoved" } & Effect.Effect.Success<ReturnType<typeof removeMembersNow>>

/** Apps of every organization the actor may read roles in. */
export const listApps = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const subject = yield* actorSubject
  const at = yield* now
  const rows = yield* sql<{ id: string; org: string; slug: string; name: string }>`
    SELECT a.id, o.slug AS org, a.slug, a.name FROM apps a JOIN organizations o ON o.id = a.org_id ORDER BY o.slug, a.slug`.pipe(Effect.orDie)
  return rows
    .filter((a) => Permissions.has(subject, "roles.read", Scope.app(a.org, a.slug), at))
    .map((a): App => ({ ...a, id: a.id as AppId, scope: Scope.app(a.org, a.slug) }))
})

/** Creates an app `ORG/APP` (needs `apps.manage` at the organization). */
export const createApp = (ref: string, name?: string) =>
  transaction(Effect.gen(function*() {
    const [orgSlug, appSlug, ...rest] = ref.trim().split("/")
    if (orgSlug === undefined || appSlug === undefined || rest.length > 0) {
      return yield* Effect.fail(new InvalidInput({ field: "app", reason: `"${ref}" is not ORG/APP` }))
    }
    const org = yield* findOrg(orgSlug)
    yield* requireAt("apps.manage", Scope.org(org.slug))
    const slug = yield* checkSlug("app", appSlug)
    const sql = yield* SqlClient.SqlClient
    const id = newId<AppId>()
    const [created] = yield* sql<{ id: string }>`
      INSERT INTO apps (id, org_id, slug, name, created_at) VALUES (${id}, ${org.id}, ${slug}, ${name?.trim() || slug}, ${(yield* now).toISOString()})
      ON CONFLICT (org_id, slug) DO NOTHING RETURNING id`.pipe(Effect.orDie)
    if (created === undefined) return yield* Effect.fail(new AppExists({ app: `${org.slug}/${slug}` }))
    yield* record({ action: "app.create", target: null, details: { app: `${org.slug}/${slug}` } })
    return { id, org: org.slug, slug, name: name?.trim() || slug, scope: Scope.app(org.slug, slug) } satisfies App
  }))
