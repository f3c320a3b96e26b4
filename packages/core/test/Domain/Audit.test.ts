import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { createHash } from "node:crypto"
import { canonicalJson, GENESIS, hashEvent, verifyChain, type AuditEvent } from "../../src/Domain/Audit.js"

/** Builds a valid chain of `n` events. */
const chain = (n: number): Array<AuditEvent> => {
  const events: Array<AuditEvent> = []
  let prevHash = GENESIS
  for (let seq = 1; seq <= n; seq++) {
    const event = {
      seq,
      at: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(),
      actor: seq === 1 ? "system" : "0190a0b0-0000-7000-8000-000000000001",
      via: "cli" as const,
      action: seq === 1 ? "directory.init" : "user.update",
      target: `target-${seq}`,
      details: { n: seq, nested: { b: [1, "two", null], a: true } },
      reason: seq % 2 === 0 ? "asked by HR" : null,
      approvalId: null,
      prevHash
    }
    prevHash = hashEvent(event)
    events.push({ ...event, hash: prevHash })
  }
  return events
}

describe("Audit (domain)", () => {
  it("canonicalJson sorts keys at every depth and drops undefined members", () => {
    assert.strictEqual(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null }, u: undefined }), `{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}`)
    assert.strictEqual(canonicalJson([undefined, "x"]), `[null,"x"]`)
    assert.strictEqual(canonicalJson("é\n"), JSON.stringify("é\n"))
    assert.strictEqual(canonicalJson(undefined), "null")
  })

  it("property: canonicalJson ignores key order and survives a JSON round trip", () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const text = canonicalJson(value)
      assert.strictEqual(canonicalJson(JSON.parse(text)), text)
      const reversed = JSON.parse(JSON.stringify(value), (_key, v: unknown) =>
        v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v)
      assert.strictEqual(canonicalJson(reversed), text)
    }), { numRuns: 1000 })
  })

  it("hashEvent is sha256(prevHash + canonical JSON of the event without its hashes)", () => {
    const [first] = chain(1)
    const { hash, prevHash, ...rest } = first!
    const expected = createHash("sha256").update(prevHash).update(canonicalJson(rest)).digest("hex")
    assert.strictEqual(hashEvent(first!), expected)
    assert.strictEqual(hash, expected)
    assert.match(hash, /^[0-9a-f]{64}$/)
  })

  it("hashEvent changes with every field, and with the previous hash", () => {
    const [event] = chain(1)
    const base = hashEvent(event!)
    const variants: ReadonlyArray<Omit<AuditEvent, "hash">> = [
      { ...event!, seq: 2 },
      { ...event!, at: "2025-01-01T00:00:02.000Z" },
      { ...event!, actor: "someone" },
      { ...event!, via: "slack" },
      { ...event!, action: "user.suspend" },
      { ...event!, target: null },
      { ...event!, details: { n: 2 } },
      { ...event!, reason: "because" },
      { ...event!, approvalId: "a1" },
      { ...event!, prevHash: "f".repeat(64) }
    ]
    for (const variant of variants) assert.notStrictEqual(hashEvent(variant), base)
  })

  it("verifyChain accepts an intact chain (and the empty one)", () => {
    assert.isUndefined(verifyChain([]))
    assert.isUndefined(verifyChain(chain(5)))
  })

  it("verifyChain finds an edited event", () => {
    const events = chain(5)
    events[2] = { ...events[2]!, details: { n: 999 } }
    assert.deepStrictEqual(verifyChain(events), { kind: "hash", seq: 3 })
  })

  it("verifyChain finds an edited event whose hash was recomputed: the next one no longer links", () => {
    const events = chain(5)
    const edited = { ...events[2]!, details: { n: 999 } }
    events[2] = { ...edited, hash: hashEvent(edited) }
    assert.deepStrictEqual(verifyChain(events), { kind: "link", seq: 4 })
  })

  it("verifyChain finds a removed event, and a chain that does not start at seq 1", () => {
    const events = chain(5)
    assert.deepStrictEqual(verifyChain([...events.slice(0, 2), ...events.slice(3)]), { kind: "gap", expectedSeq: 3, foundSeq: 4 })
    assert.deepStrictEqual(verifyChain(events.slice(1)), { kind: "gap", expectedSeq: 1, foundSeq: 2 })
  })

  it("verifyChain finds reordered events", () => {
    const events = chain(4)
    const swapped = [events[0]!, { ...events[2]!, seq: 2 }, { ...events[1]!, seq: 3 }, events[3]!]
    assert.isDefined(verifyChain(swapped))
  })
})
