/** The mail of an account an import created (`--create`): choose your password. Pure. */
import type { Composed } from "../Domain/Mail.js"

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" })[c]!)

const day = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`

/** Who made an account for whom, where, and the link to choose its password. */
export interface AccountFacts {
  readonly creator: { readonly name: string; readonly email: string } | null
  readonly user: { readonly name: string; readonly email: string }
  readonly org: { readonly slug: string; readonly name: string }
  readonly link: string
  readonly expiresAt: string
}

/** "An account was made for you: choose your password" (the link is a password-reset link). */
export const accountMail = (facts: AccountFacts): Composed => {
  const who = facts.creator === null ? "An administrator" : `${facts.creator.name} (${facts.creator.email})`
  const greeting = `Hello ${facts.user.name || facts.user.email},`
  const made = `${who} created an account for you (${facts.user.email}) at ${facts.org.name} (${facts.org.slug}).`
  const action = "Choose your password to start using it:"
  const fine = `The link works once and expires on ${day(facts.expiresAt)}. If you did not expect this, tell your administrator.`
  return {
    subject: `Your account at ${facts.org.name}: choose your password`,
    text: [greeting, "", made, "", action, facts.link, "", fine, ""].join("\n"),
    html: [
      "<!doctype html>",
      "<html><body style=\"font-family: sans-serif; line-height: 1.5\">",
      ...[greeting, made, action].map((p) => `<p>${escape(p)}</p>`),
      `<p><a href="${escape(facts.link)}">Choose your password</a></p>`,
      `<p style="color: #666; font-size: 90%">${escape(facts.link)}</p>`,
      `<p>${escape(fine)}</p>`,
      "</body></html>"
    ].join("\n")
  }
}
