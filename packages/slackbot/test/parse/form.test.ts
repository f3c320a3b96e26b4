import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { Ids } from "../../src/ids.js"
import { readApproveForm, readDenyForm, readInviteForm, type ViewValues } from "../../src/parse/form.js"

const values = (fields: Readonly<Record<string, string>>): ViewValues =>
  Object.fromEntries(Object.entries(fields).map(([id, value]) => [id, { [id]: { value } }]))

describe("modal fields (issue 9, item 11)", () => {
  it("the invite modal refuses a name past 200 characters and an e-mail past 254, under the field", () => {
    const form = readInviteForm(values({ [Ids.input.email]: "bob@acme.test", [Ids.input.firstName]: "B".repeat(201), [Ids.input.lastName]: "Smith" }))
    assert.isTrue(Either.isLeft(form))
    if (Either.isLeft(form)) assert.include(form.left[Ids.input.firstName], "the first name has 201 characters, at most 200")
    const email = readInviteForm(values({ [Ids.input.email]: `${"b".repeat(300)}@acme.test` }))
    assert.isTrue(Either.isLeft(email) && email.left[Ids.input.email]!.includes("at most 254"))
    const homoglyph = readInviteForm(values({ [Ids.input.email]: "bob@\u0430cme.test" }))
    assert.isTrue(Either.isLeft(homoglyph) && homoglyph.left[Ids.input.email]!.includes("mixes"))
    const roles = readInviteForm(values({ [Ids.input.email]: "bob@acme.test", [Ids.input.roles]: "auditor ".repeat(300) }))
    assert.isTrue(Either.isLeft(roles) && roles.left[Ids.input.roles]!.includes("at most 2000"))
    assert.isTrue(Either.isRight(readInviteForm(values({ [Ids.input.email]: "bob@acme.test", [Ids.input.firstName]: "B".repeat(200) }))))
  })

  it("the deny modal refuses a reason past 2000 characters under its field", () => {
    const denied = readDenyForm(values({ [Ids.input.reason]: "r".repeat(2001) }))
    assert.isTrue(Either.isLeft(denied) && denied.left[Ids.input.reason]!.includes("the reason has 2001 characters, at most 2000"))
    assert.deepStrictEqual(readDenyForm(values({ [Ids.input.reason]: "not now" })), Either.right("not now"))
  })

  it("the approve modal's note is optional (blank is none) and refused past 2000 characters (emoji count once) under its field", () => {
    assert.deepStrictEqual(readApproveForm({}), Either.right(undefined))
    assert.deepStrictEqual(readApproveForm(values({ [Ids.input.note]: " \n\t" })), Either.right(undefined))
    assert.deepStrictEqual(readApproveForm(values({ [Ids.input.note]: "checked with HR" })), Either.right("checked with HR"))
    assert.isTrue(Either.isRight(readApproveForm(values({ [Ids.input.note]: "😀".repeat(2000) }))))
    const long = readApproveForm(values({ [Ids.input.note]: "n".repeat(2001) }))
    assert.isTrue(Either.isLeft(long) && long.left[Ids.input.note]!.includes("the note has 2001 characters, at most 2000"))
  })

  it("property: 10k submissions give a form or field errors, never a throw", () => {
    const text = fc.oneof(fc.string({ maxLength: 40 }), fc.emailAddress(), fc.integer({ min: 0, max: 3000 }).map((n) => "x".repeat(n)), fc.string({ unit: "grapheme", maxLength: 30 }))
    const submission = fc.record({
      [Ids.input.email]: text, [Ids.input.firstName]: text, [Ids.input.lastName]: text, [Ids.input.roles]: text, [Ids.input.groups]: text, [Ids.input.reason]: text,
      [Ids.input.note]: text
    }, { requiredKeys: [] })
    fc.assert(fc.property(submission, (fields) => {
      const invite = readInviteForm(values(fields))
      if (Either.isLeft(invite)) assert.isAbove(Object.keys(invite.left).length, 0)
      const deny = readDenyForm(values(fields))
      if (Either.isLeft(deny)) assert.deepStrictEqual(Object.keys(deny.left), [Ids.input.reason])
      const approve = readApproveForm(values(fields))
      if (Either.isLeft(approve)) assert.deepStrictEqual(Object.keys(approve.left), [Ids.input.note])
    }), { numRuns: 10_000 })
  })
})
