import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { newId } from "../Domain/Ids.js"
import { builtInRoles } from "../Domain/Permissions.js"

/** The directory: users, organizations, apps, roles, groups, grants, sessions, audit. */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT UNIQUE,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    phone TEXT,
    gender TEXT,
    birthday TEXT,
    org_unit TEXT,
    position TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('member', 'end-user')),
    status TEXT NOT NULL CHECK (status IN ('invited', 'provisioned', 'active', 'suspended', 'deleted')),
    created_at TEXT NOT NULL,
    registered_at TEXT,
    last_active_at TEXT,
    deleted_at TEXT,
    password_hash TEXT,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    search TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1
  )`
  yield* sql`CREATE INDEX users_status ON users (status)`
  yield* sql`CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
  )`
  yield* sql`CREATE TABLE memberships (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    joined_at TEXT NOT NULL,
    PRIMARY KEY (user_id, org_id)
  )`
  yield* sql`CREATE INDEX memberships_org ON memberships (org_id)`
  yield* sql`CREATE TABLE apps (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (org_id, slug)
  )`
  yield* sql`CREATE TABLE roles (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    permissions TEXT NOT NULL,
    built_in INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
  )`
  yield* sql`CREATE TABLE user_groups (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (org_id, name)
  )`
  yield* sql`CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES user_groups (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at TEXT NOT NULL,
    PRIMARY KEY (group_id, user_id)
  )`
  yield* sql`CREATE INDEX group_members_user ON group_members (user_id)`
  yield* sql`CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    principal_type TEXT NOT NULL CHECK (principal_type IN ('user', 'group')),
    principal_id TEXT NOT NULL,
    role_id TEXT NOT NULL REFERENCES roles (id),
    scope TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    expires_at TEXT,
    UNIQUE (principal_type, principal_id, role_id, scope)
  )`
  yield* sql`CREATE INDEX grants_role ON grants (role_id)`
  yield* sql`CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    user_agent TEXT,
    ip TEXT,
    revoked_at TEXT
  )`
  yield* sql`CREATE INDEX sessions_user ON sessions (user_id)`
  yield* sql`CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    via TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    details TEXT NOT NULL,
    reason TEXT,
    approval_id TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  )`
  yield* sql`CREATE INDEX audit_events_target ON audit_events (target)`
  yield* sql`CREATE INDEX audit_events_actor ON audit_events (actor)`
  yield* sql`CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
  )`
  yield* sql`CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  )`
  yield* sql.onDialectOrElse({
    pg: () =>
      Effect.all([
        sql`CREATE FUNCTION usher_audit_append_only() RETURNS trigger AS $$
          BEGIN RAISE EXCEPTION 'audit is append-only'; END $$ LANGUAGE plpgsql`,
        sql`CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
          FOR EACH ROW EXECUTE FUNCTION usher_audit_append_only()`
      ], { discard: true }),
    orElse: () =>
      Effect.all([
        sql`CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
          BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END`,
        sql`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
          BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END`
      ], { discard: true })
  })
  const now = new Date().toISOString()
  yield* sql`INSERT INTO roles ${
    sql.insert(builtInRoles.map((role) => ({
      id: newId(),
      name: role.name,
      description: role.description,
      permissions: JSON.stringify(role.permissions),
      built_in: 1,
      created_at: now
    })))
  }`
})
