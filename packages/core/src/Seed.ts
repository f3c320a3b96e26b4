import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { now, requireAt } from "./Actor.js"
import { record, recordMany } from "./Audit.js"
import { InvalidInput } from "./Domain/Errors.js"
import { newId, type GroupId, type UserId } from "./Domain/Ids.js"
import * as Scope from "./Domain/Scope.js"
import { defaultOrg } from "./internal/lookup.js"
import { transaction } from "./internal/tx.js"
import { searchText } from "./Users/UsersRepo.js"

const FIRST = ["Ada", "Alan", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "John", "Radia", "Tim", "Hedy", "Edsger", "Katherine", "Donald", "Sophie", "Niklaus", "Joan", "Leslie", "Amara", "Chen", "Priya", "Mateo", "Yuki", "Olu", "Ingrid", "Rafael", "Zainab", "Emil"]
const LAST = ["Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie", "Allen", "McCarthy", "Perlman", "Berners-Lee", "Lamarr", "Dijkstra", "Johnson", "Knuth", "Wilson", "Wirth", "Clarke", "Lamport", "Okafor", "Wei", "Patel", "Garcia", "Tanaka", "Adeyemi", "Larsen", "Souza", "Haddad", "Novak"]
const UNITS = ["Engineering", "Sales", "Support", "Finance", "Operations", "People", "Legal", "Marketing"]
const POSITIONS = ["Engineer", "Manager", "Analyst", "Specialist", "Lead", "Director", "Associate", null]
const GROUPS = ["engineering", "sales", "support", "finance", "ops"]

/** A small deterministic PRNG, so a seed of N users is the same every time. */
const mulberry32 = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const BATCH = 10_000
const ROWS_PER_INSERT = 1_000

/**
 * Adds N realistic demo users to the default organization (mixed statuses, units, phones, group
 * memberships), each with its audit row; batches of 10k users per transaction.
 */
export const seedUsers = (count: number) =>
  Effect.gen(function*() {
    if (!Number.isInteger(count) || count < 1 || count > 1_000_000) {
      return yield* Effect.fail(new InvalidInput({ field: "users", reason: "a whole number from 1 to 1000000" }))
    }
    const org = yield* defaultOrg
    yield* requireAt("users.create", Scope.org(org.slug))
    yield* requireAt("groups.manage", Scope.org(org.slug))
    const sql = yield* SqlClient.SqlClient
    const at = yield* now
    const groupIds = yield* transaction(Effect.gen(function*() {
      const ids: Array<string> = []
      for (const name of GROUPS) {
        const [created] = yield* sql<{ id: string }>`
          INSERT INTO user_groups (id, org_id, name, created_at) VALUES (${newId<GroupId>()}, ${org.id}, ${name}, ${at.toISOString()})
          ON CONFLICT (org_id, name) DO NOTHING RETURNING id`
        if (created !== undefined) yield* record({ action: "group.create", target: null, details: { group: `${org.slug}/${name}` } })
        const [row] = yield* sql<{ id: string }>`SELECT id FROM user_groups WHERE org_id = ${org.id} AND name = ${name}`
        ids.push(row!.id)
      }
      return ids
    })).pipe(Effect.orDie)
    const [existing] = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM users`.pipe(Effect.orDie)
    const offset = Number(existing?.n ?? 0)
    const random = mulberry32(offset + count)
    const pick = <A>(list: ReadonlyArray<A>): A => list[Math.floor(random() * list.length)]!
    const created = at.toISOString()
    for (let start = 0; start < count; start += BATCH) {
      const size = Math.min(BATCH, count - start)
      const users = Array.from({ length: size }, (_, i) => {
        const n = offset + start + i
        const firstName = pick(FIRST)
        const lastName = pick(LAST)
        const email = `${firstName}.${lastName}.${n}@${org.slug}.example`.toLowerCase()
        const roll = random()
        const status = roll < 0.8 ? "active" : roll < 0.88 ? "suspended" : roll < 0.95 ? "invited" : "provisioned"
        const phone = random() < 0.7 ? `+4474${String(Math.floor(random() * 1e8)).padStart(8, "0")}` : null
        const registeredAt = status === "active" || status === "suspended"
          ? new Date(at.getTime() - Math.floor(random() * 3 * 365 * 864e5)).toISOString()
          : null
        return {
          id: newId<UserId>(),
          email,
          firstName,
          lastName,
          phone,
          gender: null,
          birthday: null,
          orgUnit: pick(UNITS),
          position: pick(POSITIONS),
          kind: random() < 0.7 ? "member" : "end-user",
          status,
          // an account is made (invited) a little before it registers
          createdAt: registeredAt === null ? created : new Date(Date.parse(registeredAt) - Math.floor(random() * 7 * 864e5)).toISOString(),
          registeredAt,
          lastActiveAt: registeredAt === null
            ? null
            : new Date(Math.max(Date.parse(registeredAt), at.getTime() - Math.floor(random() * 60 * 864e5))).toISOString(),
          mustChangePassword: status === "provisioned" ? 1 : 0,
          search: searchText({ firstName, lastName, email, phone })
        }
      })
      yield* transaction(Effect.gen(function*() {
        const groupOf = new Map<string, string>()
        for (let i = 0; i < users.length; i += ROWS_PER_INSERT) {
          const chunk = users.slice(i, i + ROWS_PER_INSERT)
          yield* sql`INSERT INTO users ${sql.insert(chunk)}`
          yield* sql`INSERT INTO memberships ${sql.insert(chunk.map((u) => ({ userId: u.id, orgId: org.id, joinedAt: created })))}`
          const members = chunk.filter(() => random() < 0.5).map((u) => ({ groupId: pick(groupIds), userId: u.id, addedAt: created, addedBy: "system" }))
          if (members.length > 0) yield* sql`INSERT INTO group_members ${sql.insert(members)}`
          for (const m of members) groupOf.set(m.userId, `${org.slug}/${GROUPS[groupIds.indexOf(m.groupId)]}`)
        }
        yield* recordMany(users.map((u) => ({
          action: "user.seed",
          target: u.id,
          details: { email: u.email, status: u.status, org: org.slug, group: groupOf.get(u.id) }
        })))
      })).pipe(Effect.orDie)
    }
    return { created: count, org: org.slug }
  })
