/**
 * The database side of an import: reading what the planner decides with, and writing one
 * batch's plans with a few multi-row statements (users, memberships, grants, group members,
 * tokens, invitations, mails, audit) in the caller's transaction.
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { parsePermissionsColumn } from "../Actor.js"
import { recordMany, type AuditEntry } from "../Audit.js"
import { newId, type GrantId } from "../Domain/Ids.js"
import type { GrantPath } from "../Domain/Permissions.js"
import { accountMail, invitationMail } from "../Domain/Mail.js"
import type * as Scope from "../Domain/Scope.js"
import { displayName, type User } from "../Domain/User.js"
import { touchGroups } from "../internal/groupRows.js"
import { issueTokens } from "../internal/tokens.js"
import { toUser, USER_COLUMNS, type UserRow } from "../internal/lookup.js"
import { enqueueMany, type MailMessage } from "../Mail.js"
import { newUserRow, searchText, writeUser } from "../Users/UsersRepo.js"
import { grantKey, type Catalog, type Existing, type GroupRef, type ImportMode, type OrgRef, type PlannedGrant, type RowPlan } from "./Plan.js"

const CHUNK = 500

const chunks = <A>(list: ReadonlyArray<A>, size = CHUNK): ReadonlyArray<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size))
  return out
}

/** The directory's organizations, apps, roles and groups (with the grants each group carries). */
export const loadCatalog = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const orgs = yield* sql<OrgRef>`SELECT id, slug, name FROM organizations`
  const apps = yield* sql<{ org: string; slug: string }>`SELECT o.slug AS org, a.slug FROM apps a JOIN organizations o ON o.id = a.org_id`
  const roles = yield* sql<{ id: string; name: string; permissions: string }>`SELECT id, name, permissions FROM roles`
  const groups = yield* sql<{ id: string; name: string; org: string }>`
    SELECT ug.id, ug.name, o.slug AS org FROM user_groups ug JOIN organizations o ON o.id = ug.org_id`
  const carried = yield* sql<{ groupId: string; role: string; permissions: string; scope: string }>`
    SELECT g.principal_id AS group_id, r.name AS role, r.permissions, g.scope
      FROM grants g JOIN roles r ON r.id = g.role_id WHERE g.principal_type = 'group'`
  const byGroup = new Map<string, Array<GroupRef["grants"][number]>>()
  for (const c of carried) {
    const list = byGroup.get(c.groupId) ?? []
    list.push({ role: c.role, permissions: parsePermissionsColumn(c.permissions), scope: c.scope as Scope.Scope })
    byGroup.set(c.groupId, list)
  }
  return {
    orgs: new Map(orgs.map((o) => [o.slug, o])),
    apps: new Set(apps.map((a) => `${a.org}/${a.slug}`)),
    roles: new Map(roles.map((r) => [r.name, { id: r.id, name: r.name, permissions: parsePermissionsColumn(r.permissions) }])),
    groups: new Map(groups.map((g) => [`${g.org}/${g.name}`, { id: g.id, org: g.org, qualified: `${g.org}/${g.name}`, grants: byGroup.get(g.id) ?? [] }]))
  } satisfies Catalog
}).pipe(Effect.orDie)

/** The accounts with these e-mails, with their organizations, direct grants and groups. */
export const loadExisting = (emails: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const users: Array<User> = []
    for (const part of chunks(emails)) {
      const rows = yield* sql<UserRow>`SELECT ${sql.literal(USER_COLUMNS)} FROM users WHERE ${sql.in("email", part)}`
      for (const row of rows) users.push(toUser(row))
    }
    const orgs = new Map<string, Array<string>>()
    const grants = new Map<string, Set<string>>()
    const groups = new Map<string, Set<string>>()
    const paths = new Map<string, Array<GrantPath>>()
    for (const part of chunks(users.map((u) => u.id))) {
      const memberships = yield* sql<{ userId: string; slug: string }>`
        SELECT m.user_id, o.slug FROM memberships m JOIN organizations o ON o.id = m.org_id WHERE ${sql.in("m.user_id", part)} ORDER BY o.slug`
      for (const m of memberships) orgs.set(m.userId, [...(orgs.get(m.userId) ?? []), m.slug])
      const held = yield* sql<{ principalId: string; roleId: string; scope: string }>`
        SELECT principal_id, role_id, scope FROM grants WHERE principal_type = 'user' AND ${sql.in("principal_id", part)}`
      for (const g of held) grants.set(g.principalId, (grants.get(g.principalId) ?? new Set()).add(grantKey(g.roleId, g.scope)))
      const members = yield* sql<{ userId: string; groupId: string }>`SELECT user_id, group_id FROM group_members WHERE ${sql.in("user_id", part)}`
      for (const m of members) groups.set(m.userId, (groups.get(m.userId) ?? new Set()).add(m.groupId))
      const reach = yield* sql<{ userId: string; grantId: string; role: string; permissions: string; scope: string; expiresAt: string | null }>`
        SELECT g.principal_id AS user_id, g.id AS grant_id, r.name AS role, r.permissions, g.scope, g.expires_at
          FROM grants g JOIN roles r ON r.id = g.role_id WHERE g.principal_type = 'user' AND ${sql.in("g.principal_id", part)}
        UNION ALL
        SELECT m.user_id, g.id, r.name, r.permissions, g.scope, g.expires_at
          FROM group_members m JOIN grants g ON g.principal_type = 'group' AND g.principal_id = m.group_id
          JOIN roles r ON r.id = g.role_id WHERE ${sql.in("m.user_id", part)}`
      for (const p of reach) {
        const path: GrantPath = { grantId: p.grantId, role: p.role, permissions: parsePermissionsColumn(p.permissions), scope: p.scope as Scope.Scope, expiresAt: p.expiresAt, group: null }
        paths.set(p.userId, [...(paths.get(p.userId) ?? []), path])
      }
    }
    return new Map(users.map((user): [string, Existing] => [user.email, {
      user,
      orgs: orgs.get(user.id) ?? [],
      grants: grants.get(user.id) ?? new Set(),
      groups: groups.get(user.id) ?? new Set(),
      paths: paths.get(user.id) ?? []
    }]))
  }).pipe(Effect.orDie)

/** Who and what a batch is written for. */
export interface BatchContext {
  readonly mode: ImportMode
  readonly org: OrgRef
  readonly actorId: string
  /** the actor as mails name them (null for `system`) */
  readonly actorPerson: { readonly name: string; readonly email: string } | null
  readonly at: Date
  /** lifetime of the mailed links (the invitation TTL) */
  readonly ttlMs: number
  readonly publicUrl: string
  /** audit details of the batch row: file, batch number, line range */
  readonly batch: Readonly<Record<string, unknown>>
}

const roleLabels = (grants: ReadonlyArray<PlannedGrant>) => grants.map((g) => `${g.role.name}@${g.scope}`)

const grantAudit = (userId: string, email: string, grant: PlannedGrant): AuditEntry => ({
  action: "role.grant",
  target: userId,
  details: { principal: email, principalType: "user", role: grant.role.name, scope: grant.scope, expiresAt: null }
})

const memberAudit = (userId: string, email: string, group: GroupRef): AuditEntry => ({
  action: "group.member.add",
  target: userId,
  details: { group: group.qualified, email }
})

/**
 * Writes one batch's plans in the caller's transaction and returns the ids of the mails it
 * queued (to be delivered once the transaction committed). Writes nothing, not even an audit
 * row, when no plan changes anything.
 */
export const applyBatch = (plans: ReadonlyArray<RowPlan>, ctx: BatchContext) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const created = ctx.at.toISOString()
    const creates = plans.flatMap((p) => (p.kind === "create" ? [p] : []))
    const updates = plans.flatMap((p) => (p.kind === "update" ? [p] : []))
    if (creates.length === 0 && updates.length === 0) return []
    const status = ctx.mode === "invite" ? "invited" : "provisioned"
    const newRows = creates.map((p) =>
      newUserRow({ profile: { ...p.row.profile, email: p.row.email, kind: "member" }, status, passwordHash: null, createdAt: created })
    )
    for (const part of chunks(newRows)) {
      yield* sql`INSERT INTO users ${sql.insert(part)}`
    }
    const ids = new Map(creates.map((p, i) => [p.row.line, newRows[i]!.id as string]))
    const homes = creates.map((p) => ({ userId: ids.get(p.row.line)!, orgId: p.home.id, joinedAt: created }))
    for (const part of chunks(homes)) yield* sql`INSERT INTO memberships ${sql.insert(part)}`
    const idOf = (p: RowPlan) => (p.kind === "update" ? p.existing.user.id : ids.get(p.row.line)!)
    const changing = [...creates, ...updates].sort((a, b) => a.row.line - b.row.line)

    const joins = changing.flatMap((p) => p.joins.map((o) => ({ userId: idOf(p), orgId: o.id, joinedAt: created })))
    for (const part of chunks(joins)) yield* sql`INSERT INTO memberships ${sql.insert(part)} ON CONFLICT DO NOTHING`
    const grants = changing.flatMap((p) =>
      p.grants.map((g) => ({
        id: newId<GrantId>(), principalType: "user", principalId: idOf(p), roleId: g.role.id, scope: g.scope, grantedBy: ctx.actorId, grantedAt: created, expiresAt: null
      }))
    )
    for (const part of chunks(grants)) yield* sql`INSERT INTO grants ${sql.insert(part)}`
    const members = changing.flatMap((p) => p.groups.map((g) => ({ groupId: g.id, userId: idOf(p), addedAt: created, addedBy: ctx.actorId })))
    for (const part of chunks(members)) yield* sql`INSERT INTO group_members ${sql.insert(part)} ON CONFLICT (group_id, user_id) DO NOTHING`
    yield* touchGroups([...new Set(members.map((m) => m.groupId))])

    for (const p of updates) {
      if (Object.keys(p.changes).length === 0) continue
      const user = p.existing.user
      yield* writeUser(user, { ...p.changes, search: searchText({ ...user, ...p.changes }) }, user.version)
    }

    const tokens = yield* issueTokens(ctx.mode === "invite" ? "invite" : "reset", creates.map(idOf), ctx.ttlMs, ctx.at)
    if (ctx.mode === "invite") {
      const invitations = tokens.map((t, i) => ({
        id: newId(), userId: t.userId, orgId: creates[i]!.home.id, invitedBy: ctx.actorId, createdAt: created, status: "pending", delivery: "email",
        tokenId: t.id, expiresAt: t.expiresAt, sentCount: 1, lastSentAt: created
      }))
      for (const part of chunks(invitations)) yield* sql`INSERT INTO invitations ${sql.insert(part)}`
    }
    const mails = creates.map((p, i): MailMessage => {
      const token = tokens[i]!
      const person = { firstName: p.row.profile.firstName ?? "", lastName: p.row.profile.lastName ?? "", email: p.row.email }
      const name = displayName(person) === p.row.email ? "" : displayName(person)
      const composed = ctx.mode === "invite"
        ? invitationMail({
          inviter: ctx.actorPerson,
          invitee: { name, email: p.row.email },
          org: { slug: p.home.slug, name: p.home.name },
          roles: roleLabels(p.grants),
          groups: p.groups.map((g) => g.qualified),
          link: `${ctx.publicUrl}/invite/${token.token}`,
          expiresAt: token.expiresAt
        })
        : accountMail({
          creator: ctx.actorPerson,
          user: { name, email: p.row.email },
          org: { slug: p.home.slug, name: p.home.name },
          link: `${ctx.publicUrl}/reset/${token.token}`,
          expiresAt: token.expiresAt
        })
      return { kind: ctx.mode === "invite" ? "invitation" : "password-reset", userId: token.userId, to: p.row.email, ...composed }
    })
    const mailIds = yield* enqueueMany(mails)

    const audit: Array<AuditEntry> = []
    for (const p of changing) {
      const id = idOf(p)
      if (p.kind === "create") {
        audit.push({
          action: "user.import",
          target: id,
          details: { email: p.row.email, org: p.home.slug, status, line: p.row.line, roles: roleLabels(p.grants), groups: p.groups.map((g) => g.qualified) }
        })
      } else if (Object.keys(p.changes).length > 0) {
        const user = p.existing.user
        audit.push({
          action: "user.update",
          target: id,
          details: Object.fromEntries(Object.entries(p.changes).map(([k, v]) => [k, { from: user[k as keyof User], to: v }]))
        })
      }
      for (const o of p.joins) audit.push({ action: "org.member.add", target: id, details: { org: o.slug, email: p.row.email } })
      for (const g of p.grants) audit.push(grantAudit(id, p.row.email, g))
      for (const g of p.groups) audit.push(memberAudit(id, p.row.email, g))
    }
    audit.push({ action: "import.batch", target: null, details: { ...ctx.batch, mode: ctx.mode, org: ctx.org.slug, created: creates.length, updated: updates.length } })
    yield* recordMany(audit)
    return mailIds
  }).pipe(Effect.orDie)
