import * as Core from "@usher/core"
import { Cause } from "effect"
import { describe, expect, it } from "vitest"
import { UsageError } from "../../src/cli/Command.js"
import { formatDashboardCause, formatDashboardError } from "../../src/present/dashboardError.js"
import { formatCause, formatError } from "../../src/present/formatError.js"

describe("each front-end's formatter: core's message, then its own hint", () => {
  it("the CLI adds the command that helps; core's message names none", () => {
    const gated = new Core.GrantNeedsApproval({ role: "org-admin", scope: "org:acme" })
    expect(gated.message).not.toContain("usher")
    expect(formatError(gated)).toEqual({
      _tag: "GrantNeedsApproval",
      message: `${gated.message} Use usher roles grant org-admin --user USER --scope org:acme --reason TEXT.`
    })
    expect(formatError(new Core.NotInitialized()).message).toBe("This directory is empty: nobody has set it up yet. Run `usher init --admin EMAIL` first.")
    expect(formatError(new Core.ActorUnknown({ reason: "Several provider admins exist: say who you are.", unnamed: "several-admins" })).message)
      .toBe("Several provider admins exist: say who you are. Use --as EMAIL (or USHER_ACTOR).")
    expect(formatError(new Core.SlackUserUnmapped({ slackUserId: "U0ANN", email: null })).message).toContain("usher slack link U0ANN USER")
  })

  it("an error that needs no hint reads as core wrote it; the CLI's own errors too", () => {
    const missing = new Core.UserNotFound({ user: "ann@acme.test" })
    expect(formatError(missing)).toEqual({ _tag: "UserNotFound", message: missing.message })
    expect(formatError(new UsageError({ message: "missing argument" }))).toEqual({ _tag: "UsageError", message: "missing argument" })
  })

  it("the dashboard points to its own screens, never to a CLI command", () => {
    const gated = new Core.GrantNeedsApproval({ role: "org-admin", scope: "org:acme", group: "acme/leads" })
    const shown = formatDashboardError(gated).message
    expect(shown.startsWith(gated.message)).toBe(true)
    expect(shown).not.toContain("usher roles")
    expect(formatDashboardError(new Core.ApprovalAlreadyPending({ id: "a1", summary: "Delete x", requestedBy: "b" })).message).toContain(":approvals")
  })

  it("a defect is the generic message in both; any other tagged failure keeps its own words", () => {
    for (const format of [formatCause, formatDashboardCause]) {
      expect(format(Cause.die(new Error("boom")))).toEqual({ _tag: "InternalError", message: "Something went wrong inside usher; nothing was changed. Details were logged." })
      expect(format(Cause.fail({ _tag: "ConfigError", message: "Expected USHER_PG_POOL to be a number" })).message).toBe("Expected USHER_PG_POOL to be a number")
      expect(format(Cause.interrupt(0 as never))._tag).toBe("Interrupted")
    }
  })
})
