import { assert, describe, it } from "@effect/vitest"
import * as Core from "@usher/core"
import { Cause } from "effect"
import { formatSlackError, shownError } from "../src/blocks/errors.js"

describe("the bot's error formatter: core's message, then a Slack hint", () => {
  it("tells an unmapped person what their admin runs; core's own message names no command", () => {
    const unmapped = new Core.SlackUserUnmapped({ slackUserId: "U0ANN", email: "ann@acme.test" })
    assert.notInclude(unmapped.message, "usher slack")
    assert.strictEqual(shownError(Cause.fail(unmapped)).message, `${unmapped.message} An admin links you on the server: usher slack link U0ANN USER.`)
  })

  it("a gated grant points to the bot's own command, not the CLI's", () => {
    const shown = formatSlackError(new Core.GrantNeedsApproval({ role: "org-admin", scope: "org:acme" })).message
    assert.include(shown, "`role grant`")
    assert.notInclude(shown, "usher roles grant")
  })

  it("no hint where none helps; a defect is the generic message", () => {
    const missing = new Core.UserNotFound({ user: "ann@acme.test" })
    assert.deepStrictEqual(formatSlackError(missing), { _tag: "UserNotFound", message: missing.message })
    assert.strictEqual(shownError(Cause.die(new Error("boom")))._tag, "InternalError")
  })
})
