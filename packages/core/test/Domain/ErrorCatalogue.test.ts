import { assert, describe, it } from "@effect/vitest"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import * as Core from "../../src/index.js"

const STATUSES = new Set([400, 401, 403, 404, 409, 412, 422, 429, 503])

/** Every source file of core, with its path. */
const sources = (dir: string): Array<[string, string]> =>
  readdirSync(dir).flatMap((name): Array<[string, string]> => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sources(path)
    return name.endsWith(".ts") ? [[path, readFileSync(path, "utf8")]] : []
  })

/** Every `export class X extends …TaggedError` in core's sources, read from the files themselves. */
const declaredErrors = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return declaredErrors(path)
    if (!name.endsWith(".ts")) return []
    return [...readFileSync(path, "utf8").matchAll(/export class (\w+) extends (?:Schema|Data)\.TaggedError/g)].map((m) => m[1]!)
  })

describe("the error catalogue", () => {
  it("lists every error class core declares, each once, and exports each by its name", () => {
    const declared = declaredErrors(join(import.meta.dirname, "../../src")).sort()
    const listed = Core.coreErrors.map((c) => c.name).sort()
    assert.deepStrictEqual(listed, declared)
    assert.strictEqual(new Set(listed).size, listed.length)
    for (const c of Core.coreErrors) assert.strictEqual((Core as Record<string, unknown>)[c.name], c, c.name)
  })

  it("gives every error an HTTP status of the agreed set, read back through httpStatusOf from an instance", () => {
    for (const ErrorClass of Core.coreErrors) {
      // every field is a string, a number, an array or optional: a loose instance is enough to ask its status
      const instance = new (ErrorClass as unknown as new (props: object, disableValidation: boolean) => Core.CoreError)({}, true)
      assert.strictEqual(instance._tag, ErrorClass.name, "the tag is the class's name")
      assert.isTrue(STATUSES.has(Core.httpStatusOf(instance)), `${ErrorClass.name}: ${Core.httpStatusOf(instance)}`)
      assert.isTrue(Core.isCoreError(instance))
    }
    assert.isFalse(Core.isCoreError(new Error("plain")))
    assert.isFalse(Core.isCoreError({ _tag: "UserNotFound", message: "looks like one" }))
  })

  it("names no front-end's command in what it says (a front-end adds its own hint)", () => {
    const command = /(?:usher|\/usher) (?:init|users|invites|roles|role|groups|orgs|approvals|sessions|audit|import|export|seed|slack|keys|tokens|who-can|why|outbox)\b|--(?:as|admin|create|db|json)\b/
    const offending = sources(join(import.meta.dirname, "../../src")).flatMap(([path, text]) =>
      text.split("\n").map((line, i) => [`${path}:${i + 1}`, line] as const)
        .filter(([, line]) => !/^\s*(\/\/|\*|\/\*\*)/.test(line) && command.test(line)))
    assert.deepStrictEqual(offending, [])
  })

  it("answers the statuses HTTP clients rely on", () => {
    const cases: Array<[Core.CoreError, number]> = [
      [new Core.InvalidInput({ field: "expires", reason: "not a date" }), 400],
      [new Core.PermissionDenied({ permission: "users.read", scope: "provider" }), 403],
      [new Core.UserNotFound({ user: "x@y.test" }), 404],
      [new Core.EmailTaken({ email: "x@y.test" }), 409],
      [new Core.ApprovalAlreadyPending({ id: "a", summary: "s", requestedBy: "r" }), 409],
      [new Core.ConcurrentModification({ entity: "user", id: "u" }), 412],
      [new Core.InvalidPhone({ phone: "12" }), 422],
      [new Core.SignInFailed(), 401],
      [new Core.DatabaseUnavailable({ path: "p", reason: "r" }), 503]
    ]
    for (const [error, status] of cases) assert.strictEqual(Core.httpStatusOf(error), status, error._tag)
  })
})
