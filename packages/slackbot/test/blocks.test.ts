import { assert, describe, it } from "@effect/vitest"
import type * as Core from "@usher/core"
import fc from "fast-check"
import { approvalMessage, decodeDecision, encodeDecision, pendingList, requestFiled, requesterNotice, type SeenRequest, type TargetDetail } from "../src/blocks/approvals.js"
import { homeView, unavailableHome, type HomeData } from "../src/blocks/home.js"
import { approveModal } from "../src/blocks/modals.js"
import { decisionWanted, decodeExtend, DORMANT_SHOWN, dormantAccounts, encodeExtend, expiringMessage, expiringReply, grantEnded, grantEnding } from "../src/blocks/notices.js"
import type { KnownBlock, Reply } from "../src/blocks/mrkdwn.js"
import { whois } from "../src/blocks/users.js"
import { Ids } from "../src/ids.js"

const request = (over: Partial<Core.ApprovalRequest> = {}): Core.ApprovalRequest => ({
  id: "0190a0b0-0000-7000-8000-000000000001",
  action: "user.delete",
  payload: { _tag: "user.delete", user: { id: "u1", email: "bob@acme.test" } },
  summary: "Delete the account bob@acme.test",
  scopes: ["org:acme"],
  requestedBy: "lead@acme.test",
  requestedById: "u0",
  requestedVia: "slack",
  reason: "left the company",
  status: "pending",
  createdAt: "2030-01-01T10:00:00.000Z",
  expiresAt: "2030-01-04T10:00:00.000Z",
  decidedBy: null,
  decidedAt: null,
  note: null,
  result: null,
  error: null,
  slack: { channel: "C1", ts: "1.2" },
  version: 1,
  ...over
})

/** Every text Slack would show, and checks of Slack's size limits on the way (50 blocks a message, 100 a view). */
const checkLimits = (reply: Reply, maxBlocks = 50) => {
  assert.isAtMost(reply.blocks.length, maxBlocks)
  assert.isAtMost(reply.text.length, 3000)
  const ids = reply.blocks.map((b) => (b as { block_id?: string }).block_id).filter((id) => id !== undefined)
  assert.strictEqual(new Set(ids).size, ids.length, "block ids are unique")
  for (const block of reply.blocks as ReadonlyArray<KnownBlock & Record<string, any>>) {
    if (block.type === "context") for (const e of block["elements"] as Array<{ text: string }>) assert.isAtMost(e.text.length, 3000)
    if (block.type === "header") assert.isAtMost(block["text"].text.length, 150)
    if (block.type === "section") {
      if (block["text"] !== undefined) assert.isAtMost(block["text"].text.length, 3000)
      for (const f of block["fields"] ?? []) assert.isAtMost(f.text.length, 2000)
      assert.isAtMost((block["fields"] ?? []).length, 10)
    }
    if (block.type === "actions") {
      for (const e of block["elements"] as Array<{ value?: string; text: { text: string } }>) {
        assert.isAtMost(e.value?.length ?? 0, 2000)
        assert.isAtMost(e.text.text.length, 75)
      }
    }
  }
}

const actionsOf = (reply: Reply) => reply.blocks.filter((b) => b.type === "actions")

const bob = (over: Partial<Core.UserDetail> = {}): Core.UserDetail => ({
  user: {
    id: "u1" as Core.UserId, email: "bob@acme.test", firstName: "Bob", lastName: "<b>", phone: null, gender: null, birthday: null, orgUnit: null,
    position: "Builder", kind: "member", status: "active", createdAt: "2030-01-01T00:00:00Z", registeredAt: "2030-01-01T00:00:00Z",
    lastActiveAt: null, mustChangePassword: false, lockedAt: null, lockedUntil: null, version: 1
  },
  organizations: [{ slug: "acme", name: "Acme", joinedAt: "2030-01-01T00:00:00Z" }],
  groups: [{ name: "ops", org: "acme", addedAt: "2030-01-01T00:00:00Z" }],
  grants: [
    { id: "g1", role: "auditor", scope: "org:acme", expiresAt: null, grantedBy: "system", grantedAt: "2030-01-01T00:00:00Z", group: null },
    { id: "g2", role: "approver", scope: "org:acme", expiresAt: "2031-01-01T00:00:00Z", grantedBy: "system", grantedAt: "2030-01-01T00:00:00Z", group: "acme/ops" }
  ],
  ...over
})

const account = (grants: number): Core.MyAccount => ({
  user: bob().user,
  organizations: [{ slug: "acme", name: "Acme" }],
  groups: [{ org: "acme", name: "ops" }],
  grants: Array.from({ length: grants }, (_, i) => ({ role: `role-${i}`, scope: "org:acme", expiresAt: i % 2 === 0 ? null : "2031-01-01T00:00:00Z", why: "granted to you directly by Ada on 2030-01-01" })),
  hasPassword: true
})

describe("Block Kit builders", () => {
  it("a pending request has Approve and Deny carrying its id and requester; a decided one shows the outcome instead", () => {
    const pending = approvalMessage(request(), { requester: "U0LEAD" })
    const [actions] = actionsOf(pending) as Array<{ elements: Array<{ action_id: string; value: string }> }>
    assert.deepStrictEqual(actions!.elements.map((e) => e.action_id), [Ids.approve, Ids.deny])
    assert.deepStrictEqual(decodeDecision(actions!.elements[0]!.value), { id: request().id, requester: "U0LEAD" })
    assert.include(JSON.stringify(pending.blocks), "<@U0LEAD> (lead@acme.test)")

    const outcomes: ReadonlyArray<[Core.ApprovalStatus, string]> = [
      ["executed", "*Approved* by <@U0APO> (apo@acme.test)"],
      ["failed", "could not be carried out: boom"],
      ["denied", "*Denied* by <@U0APO> (apo@acme.test)"],
      ["expired", "*Expired*"],
      ["canceled", "*Withdrawn* by lead@acme.test"]
    ]
    for (const [status, expected] of outcomes) {
      const decided = approvalMessage(request({ status, decidedBy: "apo@acme.test", decidedAt: "2030-01-02T00:00:00.000Z", error: "boom", note: "ok" }), { decidedBy: "U0APO" })
      assert.lengthOf(actionsOf(decided), 0, status)
      assert.include(JSON.stringify(decided.blocks), expected)
    }
  })

  it("button values that are not ours are not decisions", () => {
    assert.isUndefined(decodeDecision(undefined))
    assert.isUndefined(decodeDecision("not json"))
    assert.isUndefined(decodeDecision("{\"other\":1}"))
    assert.deepStrictEqual(decodeDecision(encodeDecision({ id: "x", requester: null })), { id: "x", requester: null })
  })

  it("whatever people type stays text: no mention or link can be smuggled in, and Slack's limits hold", () => {
    const text = fc.array(fc.oneof(fc.constantFrom("<!channel>", "<@U0X>", "<https://evil.test|click>", "&", "<", ">"), fc.string({ unit: "grapheme", maxLength: 400 })), { maxLength: 12 })
      .map((parts) => parts.join(""))
    fc.assert(fc.property(text, text, text, (summary, reason, note) => {
      const reply = approvalMessage(request({ summary, reason, note, status: "denied", decidedBy: "x@acme.test" }))
      checkLimits(reply)
      const shown = JSON.stringify(reply.blocks)
      for (const smuggled of ["<!channel>", "<@U0X>", "<https://evil.test"]) assert.notInclude(shown, smuggled)
    }), { numRuns: 300 })
    const sneaky = approvalMessage(request({ reason: "<!channel> <@U123> <https://evil.test|click>" }))
    assert.notInclude(JSON.stringify(sneaky.blocks), "<!channel>")
    assert.include(JSON.stringify(sneaky.blocks), "&lt;!channel&gt;")
  })

  it("clipping: between code points, never inside an entity or a <…> token, fallback text included (emoji and & < > in every field)", () => {
    const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
    const strings = (value: unknown): ReadonlyArray<string> =>
      typeof value === "string" ? [value] : Array.isArray(value) ? value.flatMap(strings) : value !== null && typeof value === "object" ? Object.values(value).flatMap(strings) : []
    const wellFormed = (text: string) => {
      assert.notMatch(text, LONE_SURROGATE)
      assert.notMatch(text, /&(?!amp;|lt;|gt;)/, "no broken entity")
      // every < opens a token that is closed before the next one opens
      assert.match(text, /^[^<>]*(<[^<>]*>[^<>]*)*$/, "no cut token")
    }
    const piece = fc.oneof(fc.constantFrom("😀", "👩‍👩‍👧", "&", "<", ">", "&amp;", "é", "a"), fc.string({ unit: "binary", maxLength: 20 }).map((t) => t.replace(LONE_SURROGATE, "")))
    const long = fc.array(piece, { minLength: 1, maxLength: 1200 }).map((parts) => parts.join(""))
    fc.assert(fc.property(long, long, long, fc.constantFrom<Core.ApprovalStatus>("pending", "denied", "executed"), (summary, reason, note, status) => {
      const a = request({ summary, reason, note, status, decidedBy: "x@acme.test", decidedAt: "2030-01-02T00:00:00.000Z" })
      for (const reply of [approvalMessage(a, { requester: "U0LEAD" }), requesterNotice(a), requestFiled(a, { error: "not_in_channel" }), pendingList([{ request: a, may: { _tag: "Decide" } }])]) {
        checkLimits(reply)
        for (const text of strings([reply.text, reply.blocks])) wellFormed(text)
      }
    }), { numRuns: 200 })
    for (const reason of ["😀".repeat(1000), "&<>".repeat(666)]) {
      const reply = approvalMessage(request({ reason, summary: reason }))
      for (const text of strings([reply.text, reply.blocks])) wellFormed(text)
      assert.isAtMost(reply.text.length, 3000)
    }
  })

  it("the approvals channel is a mention when it is an id, and plain text when it was configured as #name", () => {
    assert.include(JSON.stringify(requestFiled(request(), { channel: "C0APPROVALS" }).blocks), "in <#C0APPROVALS>.")
    const byName = JSON.stringify(requestFiled(request(), { channel: "#usher-approvals" }).blocks)
    assert.include(byName, "in #usher-approvals.")
    assert.notInclude(byName, "<##")
  })

  it("a long pending list stays within 50 blocks and says how many more there are", () => {
    const mays = [{ _tag: "Decide" }, { _tag: "Withdraw" }, { _tag: "Cannot", why: "x".repeat(3000) }, { _tag: "Unchecked" }] as const
    const many = Array.from({ length: 60 }, (_, i) => ({ request: request({ id: `id-${i}` }), may: mays[i % 4]! }))
    const reply = pendingList(many, { text: "notice", blocks: [{ type: "section", text: { type: "mrkdwn", text: "done" } }] })
    checkLimits(reply)
    assert.include(JSON.stringify(reply.blocks), "and 45 more")
    assert.include(pendingList([]).text, "No pending approval requests")
  })

  it("whois shows profile, organizations, groups and roles with their paths", () => {
    const reply = whois(bob())
    checkLimits(reply)
    const shown = JSON.stringify(reply.blocks)
    for (const part of ["Bob <b> (bob@acme.test)", "acme/ops", "auditor @ org:acme", "approver @ org:acme (through group acme/ops) until", "Builder", "never"]) assert.include(shown, part)
  })

  it("the approval message shows the account as it is now, and a decided one has no expiry; Approve asks for no confirmation (its modal does)", () => {
    const targets: ReadonlyArray<TargetDetail> = [
      { _tag: "Found", detail: bob({ user: { ...bob().user, lastActiveAt: "2030-01-02T09:30:00.000Z" } }) },
      { _tag: "Unavailable", email: "gone@acme.test", why: "No user gone@acme.test in the directory." }
    ]
    const pending = approvalMessage(request(), { requester: "U0LEAD" }, targets)
    checkLimits(pending)
    const shown = JSON.stringify(pending.blocks)
    for (const part of ["*Account now*\\nbob@acme.test · active", "*Last active*\\n<!date^1893576600^", "auditor @ org:acme", "approver @ org:acme (group acme/ops) until <!date^", "*Groups*\\nacme/ops", "gone@acme.test: no current details (No user gone@acme.test in the directory.)", "*Expires*"]) {
      assert.include(shown, part)
    }
    const [actions] = actionsOf(pending) as Array<{ elements: Array<{ confirm?: unknown }> }>
    assert.isTrue(actions!.elements.every((e) => e.confirm === undefined))
    for (const status of ["executed", "denied", "expired", "canceled", "failed"] as const) {
      const decided = approvalMessage(request({ status, decidedBy: "apo@acme.test", decidedAt: "2030-01-02T00:00:00.000Z" }), {}, targets)
      assert.notInclude(JSON.stringify(decided.blocks), "*Expires*", status)
      assert.include(JSON.stringify(decided.blocks), "*Account now*", status)
    }
    const many = Array.from({ length: 10 }, (): TargetDetail => ({ _tag: "Found", detail: bob({ grants: Array.from({ length: 300 }, (_, i) => ({ ...bob().grants[0]!, role: `r${i}&<>` })) }) }))
    checkLimits(approvalMessage(request(), {}, many))
  })

  it("the approve modal asks for an optional note of at most a reason's length", () => {
    const modal = approveModal(request(), "{}", [{ _tag: "Found", detail: bob() }])
    assert.strictEqual(modal.callback_id, Ids.approveView)
    const note = modal.blocks.find((b) => b.block_id === Ids.input.note) as { optional: boolean; element: { max_length: number; action_id: string } }
    assert.deepStrictEqual([note.optional, note.element.max_length, note.element.action_id], [true, 2000, Ids.input.note])
    assert.isAtMost(modal.title.text.length, 24)
    assert.include(JSON.stringify(modal.blocks), "auditor @ org:acme")
  })

  it("the Home tab: waiting for you with Approve/Deny, your requests with Withdraw, your access; within a view's 100 blocks however much there is", () => {
    const seen: ReadonlyArray<SeenRequest> = [
      { request: request({ id: "wait-1", summary: "Delete the account eve@acme.test" }), may: { _tag: "Decide" } },
      { request: request({ id: "mine-1", summary: "Delete the account carl@acme.test" }), may: { _tag: "Withdraw" } },
      { request: request({ id: "no-1", summary: "Grant org-admin@org:acme to bob@acme.test" }), may: { _tag: "Cannot", why: "not yours" } }
    ]
    const home: HomeData = { account: account(2), pending: seen, decided: [request({ id: "old-1", status: "denied", decidedBy: "apo@acme.test", note: "no", summary: "Delete the account dan@acme.test" })] }
    const view = homeView(home, { text: "done", blocks: [{ type: "section", text: { type: "mrkdwn", text: ":white_check_mark: done" } }] })
    checkLimits({ text: "", blocks: view.blocks as ReadonlyArray<KnownBlock> }, 100)
    const shown = JSON.stringify(view.blocks)
    for (const part of [":white_check_mark: done", "Waiting for you (1)", "Delete the account eve@acme.test", "Your requests", "Delete the account carl@acme.test", "Decided lately", "*Denied* by apo@acme.test", "Your access", "*role-0* @ org:acme", "*role-1* @ org:acme until <!date^", "granted to you directly by Ada", "groups: acme/ops"]) {
      assert.include(shown, part)
    }
    assert.notInclude(shown, "org-admin@org:acme", "a request they cannot decide is not offered")
    const buttons = view.blocks.filter((b) => b.type === "actions") as Array<{ block_id: string; elements: Array<{ action_id: string; value: string }> }>
    assert.deepStrictEqual(buttons.map((b) => [b.block_id, b.elements.map((e) => e.action_id)]), [["decision:wait-1", [Ids.approve, Ids.deny]], ["withdraw:mine-1", [Ids.withdraw]]])
    assert.deepStrictEqual(decodeDecision(buttons[0]!.elements[0]!.value), { id: "wait-1", requester: null })

    const mays = [{ _tag: "Decide" }, { _tag: "Withdraw" }, { _tag: "Unchecked" }] as const
    const crowded: HomeData = {
      account: account(500),
      pending: Array.from({ length: 200 }, (_, i) => ({ request: request({ id: `r-${i}`, summary: "😀&<>".repeat(400), reason: "&".repeat(3000) }), may: mays[i % 3]! })),
      decided: Array.from({ length: 50 }, (_, i) => request({ id: `d-${i}`, status: "executed", decidedBy: "apo@acme.test", summary: "<!channel>".repeat(300) }))
    }
    const full = homeView(crowded, { text: "x", blocks: [{ type: "section", text: { type: "mrkdwn", text: "x" } }] })
    checkLimits({ text: "", blocks: full.blocks as ReadonlyArray<KnownBlock> }, 100)
    assert.notInclude(JSON.stringify(full.blocks), "<!channel>")
    assert.include(JSON.stringify(full.blocks), "not checked for you")
  })

  it("someone usher cannot act for gets a short Home tab saying why", () => {
    const view = unavailableHome({ _tag: "SlackUserUnmapped", message: "Your Slack account U0X has no directory account <here>." })
    assert.isAtMost(view.blocks.length, 3)
    assert.include(JSON.stringify(view.blocks), "has no directory account &lt;here&gt;.")
  })
})

describe("notices", () => {
  const hostile = "😀&<>".repeat(700)
  const grant: Core.EndingGrant = { id: "g1", role: "auditor", scope: "org:acme", expiresAt: "2030-01-01T18:00:00.000Z", holder: { id: "u9" as Core.UserId, email: "eve@acme.test" } }
  const recipient = (email: string): Core.NoticeRecipient => ({ id: "u1" as Core.UserId, email, slackUserId: null })

  it("a decider's direct message and reminder carry the channel message's Approve/Deny; user text is escaped and Slack's limits hold", () => {
    for (const reminder of [false, true]) {
      const dm = decisionWanted(request({ summary: hostile, reason: hostile, requestedBy: "<!channel>@acme.test" }), "U0LEAD", reminder)
      checkLimits(dm)
      const [actions] = actionsOf(dm) as Array<{ elements: Array<{ action_id: string; value: string }> }>
      assert.deepStrictEqual(actions!.elements.map((e) => e.action_id), [Ids.approve, Ids.deny])
      assert.deepStrictEqual(decodeDecision(actions!.elements[0]!.value), { id: request().id, requester: "U0LEAD" })
      assert.notInclude(JSON.stringify(dm), "<!channel>")
      assert.include(JSON.stringify(dm), reminder ? "Reminder: approval needed" : "You are one of those who may decide this request")
    }
  })

  it("a request about to expire: a thread reply, or a new message with the buttons, both saying it expires in under an hour", () => {
    const reply = expiringReply(request({ summary: hostile }))
    const fresh = expiringMessage(request({ summary: hostile, slack: null }), null)
    for (const r of [reply, fresh]) {
      checkLimits(r)
      assert.match(JSON.stringify(r), /expires in under an hour/i)
    }
    assert.lengthOf(actionsOf(reply), 0, "the message it replies to has the buttons")
    assert.lengthOf(actionsOf(fresh), 1)
  })

  it("a grant ending: the holder's notice says when, the granter's carries Extend with what to grant again; its end; an Extend value reads back and junk does not", () => {
    const holder = grantEnding({ _tag: "GrantEnding", key: "k1", to: recipient("eve@acme.test"), toHolder: true, grant, extendFor: null }, null)
    assert.include(JSON.stringify(holder), "Your *auditor* at org:acme ends <!date^")
    assert.lengthOf(actionsOf(holder), 0)
    const granter = grantEnding({ _tag: "GrantEnding", key: "k2", to: recipient("admin@acme.test"), toHolder: false, grant, extendFor: "8h" }, "U0EVE")
    checkLimits(granter)
    assert.include(JSON.stringify(granter), "which you granted to <@U0EVE> (eve@acme.test)")
    const [actions] = actionsOf(granter) as Array<{ elements: Array<{ action_id: string; value: string; text: { text: string } }> }>
    assert.deepStrictEqual([actions!.elements[0]!.action_id, actions!.elements[0]!.text.text], [Ids.extend, "Extend by 8h"])
    assert.deepStrictEqual(decodeExtend(actions!.elements[0]!.value), { user: "u9", role: "auditor", scope: "org:acme", for: "8h" })
    for (const junk of [undefined, "", "{", "[]", JSON.stringify({ user: 1, role: "a", scope: "b", for: "8h" }), encodeExtend({ user: "u", role: "r", scope: "s", for: "1h" }).replace("for", "fro")]) {
      assert.isUndefined(decodeExtend(junk))
    }
    assert.include(JSON.stringify(grantEnded({ _tag: "GrantEnded", key: "k3", to: recipient("eve@acme.test"), grant })), "Your *auditor* at org:acme ended <!date^")
  })

  it("an admin's dormant accounts in one message, the first twenty listed and the rest counted", () => {
    const events = Array.from({ length: 45 }, (_, i): Core.DormantEvent => ({
      email: i === 0 ? hostile : `u${i}@acme.test`, step: i % 2 === 0 ? "notified" : "suspended", inactiveSince: "2030-01-01T00:00:00.000Z",
      suspendsAt: i % 2 === 0 ? "2030-03-01T00:00:00.000Z" : null, orgs: ["acme"], at: "2030-02-01T00:00:00.000Z"
    }))
    const message = dormantAccounts(events)
    checkLimits(message)
    const text = JSON.stringify(message)
    assert.include(text, "*u1@acme.test*: suspended as dormant (inactive since <!date^")
    assert.include(text, "*u2@acme.test*: sent the dormant-account notice (inactive since <!date^")
    assert.include(text, "unless used")
    assert.include(text, `…and ${45 - DORMANT_SHOWN} more`)
    assert.notInclude(text, `u${DORMANT_SHOWN}@acme.test`)
  })
})
