import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import fc from "fast-check"
import * as Core from "../../src/index.js"

const text = fc.string({ unit: "binary", maxLength: 40 })

const principal = fc.oneof(fc.record({ user: text }), fc.record({ group: text }))
// optional fields absent or present, as a front-end that spreads only the flags given assembles them
const grant = fc.record({ role: text, to: principal, scope: text, expiresAt: text, reason: text }, { requiredKeys: ["role", "to"] })
const invite = fc.record({
  email: text, firstName: text, phone: fc.option(text, { nil: null }), roles: fc.array(text, { maxLength: 4 }),
  groups: fc.array(text, { maxLength: 4 }), link: fc.boolean()
}, { requiredKeys: ["email"] })

const decodes = <A, I>(schema: Schema.Schema<A, I>, value: unknown) => Core.decodeInput(schema)(value)

describe("the use cases' input schemas (issue 11)", () => {
  it("property: any text in any field decodes unchanged (shape only: the use case judges the value)", () => {
    fc.assert(fc.property(grant, (input) => assert.deepStrictEqual(decodes(Core.GrantInput, input), Either.right(input))), { numRuns: 500 })
    fc.assert(fc.property(invite, (input) => assert.deepStrictEqual(decodes(Core.InviteInput, input), Either.right(input))), { numRuns: 500 })
    fc.assert(fc.property(fc.record({ token: text, password: text }), (input) => assert.deepStrictEqual(decodes(Core.AcceptInput, input), Either.right(input))))
  })

  it("property: whatever arrives (any JSON value), the answer is the input or an InvalidInput naming a field, never a throw", () => {
    const schemas = [Core.CreateUserInput, Core.InviteInput, Core.UpdateUserInput, Core.AcceptInput, Core.GrantInput, Core.RevokeInput, Core.CreateRoleInput, Core.SignInInput]
    fc.assert(fc.property(fc.constantFrom(...schemas), fc.jsonValue(), (schema, value) => {
      const decoded = decodes(schema as Schema.Schema<unknown, unknown>, value)
      if (Either.isLeft(decoded)) {
        assert.strictEqual(decoded.left._tag, "InvalidInput")
        assert.isTrue(decoded.left.field.length > 0 && decoded.left.field.length <= 200, decoded.left.field)
        assert.strictEqual(Core.httpStatusOf(decoded.left), 400)
      }
    }), { numRuns: 2000 })
  })

  it("property: a refused field is never echoed back (it may be a password)", () => {
    const secret = fc.string({ minLength: 12, maxLength: 40 }).map((s) => `secret:${s}`)
    const wrong = (s: string) => fc.constantFrom<unknown>([s], { value: s }, [[s]], { nested: { deeper: s } })
    fc.assert(fc.property(secret.chain((s) => fc.tuple(fc.constant(s), wrong(s))), ([s, password]) => {
      const decoded = decodes(Core.SignInInput, { email: "ann@acme.test", password })
      assert.isTrue(Either.isLeft(decoded))
      if (Either.isLeft(decoded)) {
        assert.strictEqual(decoded.left.field, "password")
        assert.notInclude(decoded.left.message, s)
      }
    }))
  })

  it("names the field that is wrong: a missing one, an extra one (a misspelt flag is not ignored), a wrong type deep inside", () => {
    const problem = (value: unknown) => Either.match(decodes(Core.GrantInput, value), { onLeft: (e) => e.message, onRight: () => "decoded" })
    assert.strictEqual(problem({ to: { user: "ann@acme.test" } }), "Invalid role: is required.")
    assert.strictEqual(problem({ role: "auditor", to: { user: "ann@acme.test" }, expires: "2030-01-01" }), "Invalid expires: is not a field of this input.")
    assert.include(problem({ role: "auditor", to: { user: 7 } }), "Invalid to")
    assert.strictEqual(problem({ role: "auditor", to: { group: "leads" }, scope: "org:acme" }), "decoded")
    const update = decodes(Core.UpdateUserInput, { user: "ann@acme.test", patch: { phone: null }, expectedVersion: -1 })
    assert.strictEqual(Either.isLeft(update) ? update.left.field : "", "expectedVersion")
  })

  it("are exactly what the use cases take", () => {
    expectTypeOf<Parameters<typeof Core.createUser>[0]>().toEqualTypeOf<Core.CreateUserInput>()
    expectTypeOf<Parameters<typeof Core.inviteUser>[0]>().toEqualTypeOf<Core.InviteInput>()
    expectTypeOf<Parameters<typeof Core.updateUser>[1]>().toEqualTypeOf<Core.UpdateUserInput["patch"]>()
    expectTypeOf<Parameters<typeof Core.acceptInvitation>[0]>().toEqualTypeOf<Core.AcceptInput>()
    expectTypeOf<Parameters<typeof Core.grantRole>[0]>().toEqualTypeOf<Core.GrantInput>()
    expectTypeOf<Parameters<typeof Core.revokeRole>[0]>().toEqualTypeOf<Core.RevokeInput>()
    expectTypeOf<Parameters<typeof Core.createRole>[0]>().toEqualTypeOf<Core.CreateRoleInput>()
    expectTypeOf<Parameters<typeof Core.createGroup>[0]>().toEqualTypeOf<Core.CreateGroupInput>()
    expectTypeOf<Parameters<typeof Core.createOrg>[0]>().toEqualTypeOf<Core.CreateOrgInput>()
    expectTypeOf<Parameters<typeof Core.init>[0]>().toEqualTypeOf<Core.InitInput>()
    expectTypeOf<Parameters<typeof Core.signIn>[0]>().toEqualTypeOf<Core.SignInInput>()
    expectTypeOf<Parameters<typeof Core.changePassword>[0]>().toEqualTypeOf<Core.ChangePasswordInput>()
    expectTypeOf<Parameters<typeof Core.completePasswordReset>[0]>().toEqualTypeOf<Core.ResetInput>()
  })
})
