/** The words of usher's mails: pure functions from facts to subject, plain text and HTML. */

/** A composed mail body. */
export interface Composed {
  readonly subject: string
  readonly text: string
  readonly html: string
}

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" })[c]!)

const day = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`

const html = (paragraphs: ReadonlyArray<string>, link: { readonly href: string; readonly label: string }) =>
  [
    "<!doctype html>",
    "<html><body style=\"font-family: sans-serif; line-height: 1.5\">",
    ...paragraphs.map((p) => `<p>${escape(p)}</p>`),
    `<p><a href="${escape(link.href)}">${escape(link.label)}</a></p>`,
    `<p style="color: #666; font-size: 90%">${escape(link.href)}</p>`,
    "</body></html>"
  ].join("\n")

/** Who invited whom to what. */
export interface InvitationFacts {
  readonly inviter: { readonly name: string; readonly email: string } | null
  readonly invitee: { readonly name: string; readonly email: string }
  readonly org: { readonly slug: string; readonly name: string }
  readonly roles: ReadonlyArray<string>
  readonly groups: ReadonlyArray<string>
  readonly link: string
  readonly expiresAt: string
}

/** The invitation mail: names the inviter, the invitee, the organization and the access waiting for them. */
export const invitationMail = (facts: InvitationFacts): Composed => {
  const who = facts.inviter === null ? "An administrator" : `${facts.inviter.name} (${facts.inviter.email})`
  const greeting = `Hello ${facts.invitee.name || facts.invitee.email},`
  const access = [
    facts.roles.length > 0 ? `the roles ${facts.roles.join(", ")}` : undefined,
    facts.groups.length > 0 ? `the groups ${facts.groups.join(", ")}` : undefined
  ].filter((x) => x !== undefined)
  const invited = `${who} invited you (${facts.invitee.email}) to join ${facts.org.name} (${facts.org.slug})${
    access.length > 0 ? ` with ${access.join(" and ")}` : ""
  }.`
  const action = "Choose your password to activate your account:"
  const fine = `The link works once and expires on ${day(facts.expiresAt)}. If you did not expect this invitation, ignore this mail.`
  return {
    subject: `${facts.inviter?.name ?? "An administrator"} invited you to ${facts.org.name}`,
    text: [greeting, "", invited, "", action, facts.link, "", fine, ""].join("\n"),
    html: html([greeting, invited, action], { href: facts.link, label: "Activate your account" }).replace(
      "</body>",
      `<p>${escape(fine)}</p>\n</body>`
    )
  }
}

/** A password reset someone asked for on the user's behalf. */
export interface ResetFacts {
  readonly requester: { readonly name: string; readonly email: string } | null
  readonly user: { readonly name: string; readonly email: string }
  readonly link: string
  readonly expiresAt: string
}

/** The password-reset mail. */
export const resetMail = (facts: ResetFacts): Composed => {
  const who = facts.requester === null ? "An administrator" : `${facts.requester.name} (${facts.requester.email})`
  const greeting = `Hello ${facts.user.name || facts.user.email},`
  const asked = `${who} started a password reset for your account ${facts.user.email}.`
  const action = "Choose a new password here; you will be signed out everywhere else:"
  const fine = `The link works once and expires on ${day(facts.expiresAt)}. If you did not expect this, tell your administrator.`
  return {
    subject: "Reset your password",
    text: [greeting, "", asked, "", action, facts.link, "", fine, ""].join("\n"),
    html: html([greeting, asked, action], { href: facts.link, label: "Choose a new password" }).replace(
      "</body>",
      `<p>${escape(fine)}</p>\n</body>`
    )
  }
}
