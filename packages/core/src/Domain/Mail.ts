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

/** A mail of usher's one shape: greeting and paragraphs, the link (as a button and in full), the fine print. */
const compose = (subject: string, paragraphs: ReadonlyArray<string>, action: string, link: { readonly href: string; readonly label: string }, fine: string): Composed => ({
  subject,
  text: [paragraphs[0], "", ...paragraphs.slice(1).flatMap((p) => [p, ""]), action, link.href, "", fine, ""].join("\n"),
  html: [
    "<!doctype html>",
    "<html><body style=\"font-family: sans-serif; line-height: 1.5\">",
    ...[...paragraphs, action].map((p) => `<p>${escape(p)}</p>`),
    `<p><a href="${escape(link.href)}">${escape(link.label)}</a></p>`,
    `<p style="color: #666; font-size: 90%">${escape(link.href)}</p>`,
    `<p>${escape(fine)}</p>`,
    "</body></html>"
  ].join("\n")
})

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
  return compose(
    `${facts.inviter?.name ?? "An administrator"} invited you to ${facts.org.name}`,
    [greeting, invited],
    "Choose your password to activate your account:",
    { href: facts.link, label: "Activate your account" },
    `The link works once and expires on ${day(facts.expiresAt)}. If you did not expect this invitation, ignore this mail.`
  )
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
  return compose(
    "Reset your password",
    [greeting, asked],
    "Choose a new password here; you will be signed out everywhere else:",
    { href: facts.link, label: "Choose a new password" },
    `The link works once and expires on ${day(facts.expiresAt)}. If you did not expect this, tell your administrator.`
  )
}

/** Who made an account for whom, where, and the link to choose its password (an import's `--create`). */
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
  return compose(
    `Your account at ${facts.org.name}: choose your password`,
    [`Hello ${facts.user.name || facts.user.email},`, `${who} created an account for you (${facts.user.email}) at ${facts.org.name} (${facts.org.slug}).`],
    "Choose your password to start using it:",
    { href: facts.link, label: "Choose your password" },
    `The link works once and expires on ${day(facts.expiresAt)}. If you did not expect this, tell your administrator.`
  )
}

/** Who changed whose e-mail from what to what. */
export interface EmailChangeFacts {
  readonly changer: { readonly name: string; readonly email: string } | null
  readonly user: { readonly name: string }
  readonly from: string
  readonly to: string
  readonly at: string
}

/**
 * The notice to an account's old address that its e-mail changed: the e-mail is a credential
 * (resets and Slack go by it), so its owner hears of a change they did not make.
 */
export const emailChangedMail = (facts: EmailChangeFacts): Composed => {
  const who = facts.changer === null ? "An administrator" : `${facts.changer.name} (${facts.changer.email})`
  const paragraphs = [
    `Hello ${facts.user.name || facts.from},`,
    `${who} changed the e-mail of your account from ${facts.from} to ${facts.to} on ${day(facts.at)}.`,
    "Mail for the account, password resets included, now goes to the new address. If you did not expect this, tell your administrator at once."
  ]
  return {
    subject: "The e-mail of your account was changed",
    text: [paragraphs[0], "", paragraphs[1], "", paragraphs[2], ""].join("\n"),
    html: ["<!doctype html>", "<html><body style=\"font-family: sans-serif; line-height: 1.5\">", ...paragraphs.map((p) => `<p>${escape(p)}</p>`), "</body></html>"].join("\n")
  }
}

/** The secret part of a sign-up or reset link, which only the mail's recipient may hold. */
const LINK_TOKEN = /(\/(?:invite|reset)\/)[A-Za-z0-9_-]{16,}/g

/** What stands in a link for its token wherever the mail is kept or shown. */
export const WITHHELD = "[link withheld]"

/** A mail's text as it is kept and as an admin may read it: its links' tokens cut out. */
export const redactLinks = (text: string): string => text.replace(LINK_TOKEN, `$1${WITHHELD}`)

/** A mail of paragraphs only, no link: a notice of something that happened. */
const notice = (subject: string, paragraphs: ReadonlyArray<string>): Composed => ({
  subject,
  text: paragraphs.flatMap((p) => [p, ""]).join("\n"),
  html: ["<!doctype html>", "<html><body style=\"font-family: sans-serif; line-height: 1.5\">", ...paragraphs.map((p) => `<p>${escape(p)}</p>`), "</body></html>"].join("\n")
})

/** The notice that an account's password was changed through a reset link. */
export const passwordChangedMail = (facts: { readonly user: { readonly name: string; readonly email: string }; readonly at: string }): Composed =>
  notice("Your password was changed", [
    `Hello ${facts.user.name || facts.user.email},`,
    `The password of your account ${facts.user.email} was changed on ${day(facts.at)} through a password-reset link, and every session of the account was signed out.`,
    "If you did not do this, tell your administrator at once."
  ])

/** The inviter's notice that an invitee found their link no longer working and asked for a new one. */
export const invitationLinkRequestMail = (facts: {
  readonly inviter: { readonly name: string }
  readonly invitee: { readonly name: string; readonly email: string }
  readonly org: { readonly slug: string; readonly name: string }
}): Composed =>
  notice(`${facts.invitee.name || facts.invitee.email} asks for a new invitation link`, [
    `Hello ${facts.inviter.name},`,
    `${facts.invitee.name ? `${facts.invitee.name} (${facts.invitee.email})` : facts.invitee.email} opened an invitation link to ${facts.org.name} (${facts.org.slug}) that no longer works (expired, used or replaced) and asked for a new one.`,
    "If the invitation should still stand, resend it; otherwise cancel it."
  ])

/** The one notice to an account nobody used for a while: when it was last used, and when it will be suspended (if it will). */
export const dormantNoticeMail = (facts: {
  readonly user: { readonly name: string; readonly email: string }
  readonly inactiveSince: string
  readonly suspendsAt: string | null
  readonly org: { readonly name: string } | null
}): Composed =>
  notice(`Your account ${facts.org === null ? "" : `at ${facts.org.name} `}has not been used for a while`, [
    `Hello ${facts.user.name || facts.user.email},`,
    `Your account ${facts.user.email} has not been used since ${day(facts.inactiveSince)}.`,
    facts.suspendsAt === null
      ? "If you still need it, sign in; if you no longer do, tell your administrator so it can be closed."
      : `Unless it is used before ${day(facts.suspendsAt)}, it will be suspended then (nothing is deleted; an administrator can reactivate it). If you still need it, sign in before that date.`
  ])
