/** The pages' bodies: pure functions from what core answered to escaped HTML. */
import type * as Core from "@usher/core"
import { html, type Html } from "../Html.js"
import type { Words } from "../http/errors.js"
import { csrfField, field, type Frame, layout, notice } from "./layout.js"

const PASSWORD_RULE = (min: number) => `At least ${min} characters; a few words you will remember are a good choice.`

/** The password and its confirmation, with a hidden username so password managers save the right account. */
const newPasswordFields = (username: string, min: number, names = { password: "password", confirm: "confirm" }) => html`
<input type="text" name="username" value="${username}" autocomplete="username" hidden>
${field({ name: names.password, label: "New password", type: "password", autocomplete: "new-password", hint: PASSWORD_RULE(min), minlength: min })}
${field({ name: names.confirm, label: "New password, again", type: "password", autocomplete: "new-password", minlength: min })}`

/** A sign-in method other than the password (the company's identity provider, once configured). */
export interface SignInProvider {
  readonly label: string
  /** where its button goes (a GET that starts the provider's flow) */
  readonly href: string
}

/** GET /signin. */
export const signInPage = (frame: Frame, options: {
  readonly email?: string
  readonly next: string
  readonly error?: Words
  readonly info?: string
  readonly providers: ReadonlyArray<SignInProvider>
}) =>
  layout(frame, "Sign in", html`
${options.error === undefined ? "" : notice("error", html`<strong>${options.error.title}.</strong> ${options.error.message}`)}
${options.info === undefined ? "" : notice("ok", options.info)}
<form method="post" action="/signin">
  ${csrfField(frame)}
  <input type="hidden" name="next" value="${options.next}">
  ${field({ name: "email", label: "E-mail", type: "email", autocomplete: "username", value: options.email ?? "", autofocus: options.email === undefined })}
  ${field({ name: "password", label: "Password", type: "password", autocomplete: "current-password", autofocus: options.email !== undefined })}
  <button type="submit">Sign in</button>
</form>
${options.providers.length === 0 ? "" : html`<section aria-label="Other ways to sign in">
  ${options.providers.map((p) => html`<p><a class="button" href="${p.href}">${p.label}</a></p>`)}
</section>`}`)

/** POST /signin with a temporary password: choose a new one before going on. */
export const forcedChangePage = (frame: Frame, options: {
  readonly email: string
  readonly password: string
  readonly next: string
  readonly min: number
  readonly error?: Words
}) =>
  layout(frame, "Choose a new password", html`
${options.error === undefined ? notice("info", "You signed in with a temporary password. Choose your own password to continue.") : notice("error", html`<strong>${options.error.title}.</strong> ${options.error.message}`)}
<form method="post" action="/signin">
  ${csrfField(frame)}
  <input type="hidden" name="next" value="${options.next}">
  <input type="hidden" name="email" value="${options.email}">
  <input type="hidden" name="password" value="${options.password}">
  ${newPasswordFields(options.email, options.min, { password: "newPassword", confirm: "confirm" })}
  <button type="submit">Set password and continue</button>
</form>`)

/** GET /invite/{token}: who invited you to what; names when missing; the password. */
export const invitePage = (frame: Frame, options: {
  readonly preview: Core.InvitationPreview
  readonly action: string
  readonly min: number
  readonly firstName?: string
  readonly lastName?: string
  readonly error?: Words
}) => {
  const p = options.preview
  const needsNames = p.firstName === "" || p.lastName === ""
  return layout(frame, `Join ${p.org.name}`, html`
${options.error === undefined ? "" : notice("error", html`<strong>${options.error.title}.</strong> ${options.error.message}`)}
<p>${p.inviter === null ? "An administrator" : html`<strong>${p.inviter.name}</strong> (${p.inviter.email})`} invited you to join <strong>${p.org.name}</strong>.</p>
<dl class="facts">
  <dt>Your account</dt><dd>${p.email}</dd>
  <dt>Organization</dt><dd>${p.org.name} (${p.org.slug})</dd>
  <dt>Roles</dt><dd>${p.roles.length === 0 ? "none yet" : p.roles.join(", ")}</dd>
  ${p.groups.length === 0 ? "" : html`<dt>Groups</dt><dd>${p.groups.join(", ")}</dd>`}
  <dt>Link valid until</dt><dd>${p.expiresAt.slice(0, 16).replace("T", " ")} UTC</dd>
</dl>
<form method="post" action="${options.action}">
  ${csrfField(frame)}
  ${needsNames ? html`
  ${field({ name: "firstName", label: "First name", autocomplete: "given-name", value: options.firstName ?? p.firstName })}
  ${field({ name: "lastName", label: "Last name", autocomplete: "family-name", value: options.lastName ?? p.lastName })}` : ""}
  ${newPasswordFields(p.email, options.min)}
  <button type="submit">Activate my account</button>
</form>`)
}

/** A link that no longer works, with the button that asks for a new one. */
export const linkGonePage = (frame: Frame, options: { readonly words: Words; readonly newLinkAction?: string }) =>
  layout(frame, options.words.title, html`
<p>${options.words.message}</p>
${options.newLinkAction === undefined ? "" : html`<form method="post" action="${options.newLinkAction}">
  ${csrfField(frame)}
  <p>We can ask the person who invited you to send a new invitation.</p>
  <button type="submit">Ask for a new link</button>
</form>`}`)

/** After "ask for a new link": the same words whatever the link was. */
export const linkRequestedPage = (frame: Frame) =>
  layout(frame, "Request sent", html`
${notice("ok", "If this link belongs to an invitation that still stands, the person who sent it has been told that you need a new one. Watch your mailbox.")}
<p><a href="/signin">Go to sign-in</a></p>`)

/** GET /reset/{token}. */
export const resetPage = (frame: Frame, options: { readonly action: string; readonly min: number; readonly error?: Words }) =>
  layout(frame, "Choose a new password", html`
${options.error === undefined ? "" : notice("error", html`<strong>${options.error.title}.</strong> ${options.error.message}`)}
<p>After this, every session of your account is signed out, and you sign in with the new password.</p>
<form method="post" action="${options.action}">
  ${csrfField(frame)}
  ${newPasswordFields("", options.min)}
  <button type="submit">Set new password</button>
</form>`)

/** What the account page shows. */
export interface AccountView {
  readonly account: Core.MyAccount
  readonly sessions: ReadonlyArray<Core.Session>
  readonly currentSession: string
  /** the person's links to identity providers */
  readonly links: ReadonlyArray<{ readonly issuer: string; readonly email: string; readonly linkedAt: string; readonly lastUsedAt: string | null }>
  /** the provider's name for the "use … to sign in" button, when the provider is configured and this account is not linked to it */
  readonly linkButton?: string
  readonly min: number
  readonly info?: string
  readonly error?: Words
}

const when = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`

/** A short name for a browser from its User-Agent, for the sessions list (the whole string is long). */
const browserName = (userAgent: string): string => {
  const known = [["Edg/", "Edge"], ["Firefox/", "Firefox"], ["Chrome/", "Chrome"], ["Safari/", "Safari"], ["curl/", "curl"]] as const
  const found = known.find(([marker]) => userAgent.includes(marker))
  const os = /Windows|Mac OS X|Android|iPhone|iPad|Linux/.exec(userAgent)?.[0]?.replace("Mac OS X", "macOS")
  return found === undefined ? userAgent.slice(0, 60) : `${found[1]}${os === undefined ? "" : ` on ${os}`}`
}

/** GET /account: my profile, access, sessions, password. */
export const accountPage = (frame: Frame, view: AccountView) => {
  const { user, organizations, groups, grants } = view.account
  return layout(frame, "Your account", html`
${view.info === undefined ? "" : notice("ok", view.info)}
${view.error === undefined ? "" : notice("error", html`<strong>${view.error.title}.</strong> ${view.error.message}`)}
<p>Signed in as <strong>${user.email}</strong>.</p>
<h2 id="profile">Profile</h2>
<form method="post" action="/account/profile">
  ${csrfField(frame)}
  ${field({ name: "firstName", label: "First name", autocomplete: "given-name", value: user.firstName })}
  ${field({ name: "lastName", label: "Last name", autocomplete: "family-name", value: user.lastName })}
  ${field({ name: "phone", label: "Phone", type: "tel", autocomplete: "tel", value: user.phone ?? "", required: false, hint: "International format, like +41 44 668 18 00. Leave empty for none." })}
  <button type="submit">Save profile</button>
</form>
<h2 id="access">Organizations, groups and roles</h2>
<p>Only an administrator can change these.</p>
<dl class="facts">
  <dt>Organizations</dt><dd>${organizations.length === 0 ? "none" : organizations.map((o) => `${o.name} (${o.slug})`).join(", ")}</dd>
  <dt>Groups</dt><dd>${groups.length === 0 ? "none" : groups.map((g) => `${g.org}/${g.name}`).join(", ")}</dd>
</dl>
${grants.length === 0 ? html`<p>You hold no roles.</p>` : html`<ul class="items" aria-label="Your roles">
  ${grants.map((g) => html`<li><strong>${g.role}</strong> at <code>${g.scope}</code><span class="hint">${g.why}${g.expiresAt === null ? "" : `, until ${when(g.expiresAt)}`}</span></li>`)}
</ul>`}
<h2 id="sessions">Sessions</h2>
<ul class="items sessions" aria-label="Your sessions">
  ${view.sessions.map((s) => html`<li>
    <div><strong>${s.id === view.currentSession ? "This browser" : s.userAgent === null ? "Another browser" : browserName(s.userAgent)}</strong>${s.ip === null ? "" : `, from ${s.ip}`}
    <span class="hint">Signed in ${when(s.createdAt)}, last used ${when(s.lastSeenAt)}</span></div>
    ${s.id === view.currentSession ? "" : html`<form method="post" action="/account/sessions/end">
      ${csrfField(frame)}<input type="hidden" name="session" value="${s.id}">
      <button type="submit" class="secondary">Sign out this one</button></form>`}
  </li>`)}
</ul>
${view.sessions.length > 1 ? html`<form method="post" action="/account/sessions/end-others">${csrfField(frame)}<button type="submit" class="secondary">Sign out everywhere else</button></form>` : ""}
${view.links.length === 0 && view.linkButton === undefined ? "" : html`<h2 id="identity">Company sign-in</h2>
${view.links.length === 0 ? html`<p>Your account is not linked to a company account.</p>` : html`<ul class="items" aria-label="Your company sign-ins">
  ${view.links.map((l) => html`<li><strong>${l.email}</strong> at <code>${l.issuer}</code><span class="hint">Linked ${when(l.linkedAt)}${l.lastUsedAt === null ? "" : `, last used ${when(l.lastUsedAt)}`}</span></li>`)}
</ul>`}
${view.linkButton === undefined ? "" : html`<form method="post" action="/account/link-idp">${csrfField(frame)}<button type="submit" class="secondary">Use ${view.linkButton} to sign in</button>
  <span class="hint">You will sign in at your company's identity provider once; afterwards that signs you in here.</span></form>`}`}
<h2 id="password">${view.account.hasPassword ? "Change password" : "Password"}</h2>
${!view.account.hasPassword ? html`<p>You have no password here: you sign in through your company's identity provider. If you need one, ask an administrator to send you a link to choose it.</p>` : html`<form method="post" action="/account/password">
  ${csrfField(frame)}
  <input type="text" name="username" value="${user.email}" autocomplete="username" hidden>
  ${field({ name: "currentPassword", label: "Current password", type: "password", autocomplete: "current-password" })}
  ${field({ name: "password", label: "New password", type: "password", autocomplete: "new-password", hint: PASSWORD_RULE(view.min), minlength: view.min })}
  ${field({ name: "confirm", label: "New password, again", type: "password", autocomplete: "new-password", minlength: view.min })}
  <button type="submit">Change password</button>
  <span class="hint">Every other session is signed out.</span>
</form>`}
<h2 id="signout">Sign out</h2>
<form method="post" action="/signout">${csrfField(frame)}<button type="submit">Sign out</button></form>`)
}

/** Any other page an error ends on. */
export const errorPage = (frame: Frame, words: Words): Html =>
  layout(frame, words.title, html`<p>${words.message}</p><p><a href="/signin">Go to sign-in</a></p>`)
