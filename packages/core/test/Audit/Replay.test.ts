import { assert, describe, it } from "@effect/vitest"
import { reconcile, replay, type ReplayEvent, type StateTables } from "../../src/Audit/Replay.js"

let seq = 0
const event = (action: string, target: string | null, details: Record<string, unknown>): ReplayEvent => ({ seq: ++seq, action, target, details })

const history: ReadonlyArray<ReplayEvent> = [
  event("directory.init", "u-admin", { org: "acme", admin: "admin@acme.test", role: "provider-admin" }),
  event("org.create", null, { org: "beta" }),
  event("group.create", null, { group: "acme/finance" }),
  event("group.create", null, { group: "beta/ops" }),
  event("user.create", "u-pat", { email: "pat@acme.test", org: "acme", status: "provisioned" }),
  event("org.member.add", "u-pat", { org: "beta", email: "pat@acme.test" }),
  event("group.member.add", "u-pat", { group: "acme/finance", email: "pat@acme.test" }),
  event("group.member.add", "u-pat", { group: "beta/ops", email: "pat@acme.test" }),
  event("role.grant", "u-pat", { principal: "pat@acme.test", principalType: "user", role: "auditor", scope: "org:beta", expiresAt: null }),
  event("role.grant", "u-pat", { principal: "pat@acme.test", principalType: "user", role: "auditor", scope: "app:acme/crm", expiresAt: "2999-01-01T00:00:00.000Z" }),
  event("role.grant", null, { principal: "beta/ops", principalType: "group", role: "auditor", scope: "org:beta", expiresAt: null }),
  event("user.firstPasswordChange", "u-pat", { email: "pat@acme.test", status: { from: "provisioned", to: "active" } }),
  event("user.update", "u-pat", { email: { from: "pat@acme.test", to: "patricia@acme.test" } }),
  event("org.member.remove", "u-pat", { org: "beta", email: "patricia@acme.test" }),
  event("user.invite", "u-ivy", { email: "ivy@acme.test", org: "acme" }),
  event("group.member.add", "u-ivy", { group: "beta/ops", email: "ivy@acme.test" }),
  event("group.delete", null, { group: "beta/ops" }),
  event("user.invite", "u-gone", { email: "gone@acme.test", org: "acme" }),
  event("group.member.add", "u-gone", { group: "acme/finance", email: "gone@acme.test" }),
  event("invitation.cancel", "u-gone", { email: "gone@acme.test", status: { from: "invited", to: "deleted" }, org: "acme" }),
  event("role.create", null, { role: "payer", permissions: ["expenses.approve"] })
]

describe("audit replay", () => {
  const state = replay(history)

  it("rebuilds accounts, memberships, groups and grants; leaving an organization takes its groups and grants, a deletion everything", () => {
    assert.deepStrictEqual([...state.users], [
      ["u-admin", { status: "active", email: "admin@acme.test" }],
      ["u-pat", { status: "active", email: "patricia@acme.test" }],
      ["u-ivy", { status: "invited", email: "ivy@acme.test" }],
      ["u-gone", { status: "deleted", email: null }]
    ])
    assert.deepStrictEqual([...state.memberships].sort(), ["u-admin acme", "u-ivy acme", "u-pat acme"])
    assert.deepStrictEqual([...state.groupMembers], ["acme/finance u-pat"])
    assert.deepStrictEqual([...state.grants], [
      ["user u-admin provider-admin provider", null],
      ["user u-pat auditor app:acme/crm", "2999-01-01T00:00:00.000Z"]
    ])
    assert.deepStrictEqual([...state.roles], [["payer", ["expenses.approve"]]])
  })

  it("reconciles: matching tables give nothing; every row the log does not explain or explains differently is named", () => {
    const tables: StateTables = {
      users: [
        { id: "u-admin", status: "active", email: "admin@acme.test" },
        { id: "u-pat", status: "active", email: "patricia@acme.test" },
        { id: "u-ivy", status: "invited", email: "ivy@acme.test" },
        { id: "u-gone", status: "deleted", email: null }
      ],
      memberships: [{ userId: "u-admin", orgId: "o1", org: "acme" }, { userId: "u-pat", orgId: "o1", org: "acme" }, { userId: "u-ivy", orgId: "o1", org: "acme" }],
      groupMembers: [{ groupId: "g1", userId: "u-pat", group: "acme/finance" }],
      grants: [
        { id: "gr1", principalType: "user", principalId: "u-admin", group: null, role: "provider-admin", scope: "provider", expiresAt: null },
        { id: "gr2", principalType: "user", principalId: "u-pat", group: null, role: "auditor", scope: "app:acme/crm", expiresAt: "2999-01-01T00:00:00.000Z" }
      ],
      roles: [{ id: "r1", name: "payer", permissions: "[\"expenses.approve\"]", builtIn: 0 }]
    }
    assert.deepStrictEqual(reconcile(state, tables), [])
    const tampered: StateTables = {
      ...tables,
      users: [tables.users[0]!, { id: "u-pat", status: "active", email: "admin2@acme.test" }, tables.users[2]!, tables.users[3]!, { id: "u-x", status: "active", email: "x@acme.test" }],
      memberships: [...tables.memberships, { userId: "u-pat", orgId: "o2", org: "beta" }],
      groupMembers: [],
      grants: [tables.grants[0]!, { ...tables.grants[1]!, expiresAt: null }, { id: "gr3", principalType: "user", principalId: "u-ivy", group: null, role: "provider-admin", scope: "provider", expiresAt: null }],
      roles: [{ id: "r1", name: "payer", permissions: "[\"expenses.approve\",\"users.read\"]", builtIn: 0 }, { id: "r2", name: "root", permissions: "[]", builtIn: 1 }]
    }
    assert.deepStrictEqual(reconcile(state, tampered).map((p) => `${p.table} ${p.id}`), [
      "users u-pat",
      "users u-x",
      "memberships u-pat/o2",
      "group_members acme/finance/u-pat",
      "grants gr2",
      "grants gr3",
      "roles r1",
      "roles r2"
    ])
  })
})
