import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { invitationMail, resetMail } from "../../src/Domain/Mail.js"

const facts = {
  inviter: { name: "Ada Admin", email: "admin@acme.test" },
  invitee: { name: "Grace Hopper", email: "grace@acme.test" },
  org: { slug: "acme", name: "Acme Corp" },
  roles: ["user-manager@org:acme"],
  groups: ["acme/ops"],
  link: "https://usher.example/invite/TOKEN",
  expiresAt: "2025-06-22T12:00:00.000Z"
}

describe("Mail texts", () => {
  it("an invitation names who invited whom to what, with the link and its expiry, in text and HTML", () => {
    const mail = invitationMail(facts)
    assert.strictEqual(mail.subject, "Ada Admin invited you to Acme Corp")
    for (const body of [mail.text, mail.html]) {
      for (const part of ["Ada Admin", "admin@acme.test", "grace@acme.test", "Acme Corp", "user-manager@org:acme", "acme/ops", facts.link, "2025-06-22 12:00 UTC"]) {
        assert.include(body, part)
      }
    }
    assert.include(mail.text, "Hello Grace Hopper,")
    assert.include(mail.html, `<a href="${facts.link}">`)
  })

  it("without an inviter or access it still reads; a reset mail names the user and the requester", () => {
    const plain = invitationMail({ ...facts, inviter: null, roles: [], groups: [], invitee: { name: "", email: "x@acme.test" } })
    assert.include(plain.text, "Hello x@acme.test,")
    assert.include(plain.text, "An administrator invited you (x@acme.test) to join Acme Corp (acme).")
    const reset = resetMail({ requester: facts.inviter, user: facts.invitee, link: "https://u/reset/T", expiresAt: facts.expiresAt })
    assert.strictEqual(reset.subject, "Reset your password")
    assert.include(reset.text, "Ada Admin (admin@acme.test) started a password reset for your account grace@acme.test.")
  })

  it("property: names and organizations are escaped in HTML, whatever they contain", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (name, org) => {
        const mail = invitationMail({ ...facts, invitee: { name, email: "g@acme.test" }, org: { slug: "acme", name: org } })
        const withoutMarkup = mail.html.replace(/<\/?(!doctype html|html|body[^>]*|p[^>]*|a|a href="[^"]*")>/g, "")
        assert.notInclude(withoutMarkup, "<")
        assert.notInclude(withoutMarkup, ">")
      }),
      { numRuns: 1_000 }
    )
  })
})
