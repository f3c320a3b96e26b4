import * as Core from "@usher/core"
import { describe, expect, it } from "vitest"
import { BadRequest, Defect, statusOf, TooManyRequests, wordsOf } from "../src/http/errors.js"
import { localPath } from "../src/http/request.js"
import { html } from "../src/Html.js"

describe("the template helper", () => {
  it("escapes every interpolation, in text and in attributes, and inserts only nested templates as they are", () => {
    const name = `<script>alert("x")</script>' onfocus='x\``
    const out = html`<p title="${name}">${name}</p>${html`<b>${"&"}</b>`}${[1, null, undefined, false, "<i>"]}`.markup
    expect(out).toBe(
      "<p title=\"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onfocus=&#39;x&#96;\">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onfocus=&#39;x&#96;</p><b>&amp;</b>1&lt;i&gt;"
    )
  })
})

describe("errors to HTTP", () => {
  it("gives core's errors their status and the web's their own; a defect is a 500 with generic words", () => {
    expect(statusOf(new Core.SignInFailed())).toBe(401)
    expect(statusOf(new Core.InvitationInvalid())).toBe(Core.httpStatusOf(new Core.InvitationInvalid()))
    expect(statusOf(new Core.PasswordRejected({ reason: "short" }))).toBe(422)
    expect(statusOf(new Core.SessionInvalid())).toBe(401)
    expect(statusOf(new TooManyRequests({ retryAfterSeconds: 90 }))).toBe(429)
    expect(statusOf(new BadRequest({ reason: "x" }))).toBe(400)
    expect(statusOf(new Defect())).toBe(500)
    expect(wordsOf(new Defect()).message).toContain("details were logged")
    expect(wordsOf(new TooManyRequests({ retryAfterSeconds: 90 })).message).toContain("2 minute")
  })
})

describe("where sign-in may send you", () => {
  it("only to a local path", () => {
    expect(["/account", "/account?x=1", "//evil.test/", "https://evil.test/", "/\\evil.test", "javascript:alert(1)", "", undefined, "/a\nb"].map(localPath))
      .toEqual(["/account", "/account?x=1", "/account", "/account", "/account", "/account", "/account", "/account", "/account"])
  })
})
