/**
 * Every key of the dashboard, as data: which command a key runs in which view, what it does,
 * and whether it changes the directory (those are disabled in a read-only session). The help
 * screen and the key hints are generated from this table; components never test keys themselves.
 */

/** The views of the dashboard (the `:` commands name them). */
export const viewNames = ["users", "detail", "groups", "roles", "orgs", "apps", "approvals", "audit", "outbox", "tokens", "whocan"] as const
export type ViewName = typeof viewNames[number]

/** Where a binding applies: everywhere, in every view with a cursor, or in one view. */
export type Context = "global" | "list" | ViewName

/** What a key can do. */
export type CommandId =
  | "quit" | "help" | "command" | "back" | "refresh"
  | "cursor.down" | "cursor.up" | "cursor.top" | "cursor.bottom" | "page.down" | "page.up"
  | "open" | "filter" | "mark" | "mark.clear" | "bulk"
  | "status.all" | "status.active" | "status.invited" | "status.provisioned" | "status.suspended"
  | "sort.name" | "sort.email" | "sort.phone" | "sort.status" | "sort.registered" | "sort.lastActive"
  | "user.invite" | "user.create" | "user.edit" | "user.suspend" | "user.reactivate" | "user.grant" | "user.revoke"
  | "user.group.add" | "user.group.remove" | "user.org.add" | "user.org.remove" | "user.password.reset"
  | "user.sessions.revoke" | "user.unlock" | "user.invite.resend" | "user.invite.cancel" | "user.delete"
  | "approval.approve" | "approval.deny" | "approval.cancel" | "approvals.pending" | "approvals.all"
  | "group.create" | "role.create" | "org.create" | "app.create" | "column.left" | "column.right"
  | "token.create" | "token.revoke"

/** One entry of the keymap. */
export interface Binding {
  readonly command: CommandId
  /** key names as `keyName` writes them: `j`, `G`, `down`, `ctrl+d`, `space`, `enter` … */
  readonly keys: ReadonlyArray<string>
  readonly description: string
  readonly contexts: ReadonlyArray<Context>
  /** changes the directory: refused in a read-only session */
  readonly mutating?: true
  /** a word or two for the status line's key hints (bindings without one are only in the help) */
  readonly hint?: string
  /** the views whose hints show it (default: every view it applies to) */
  readonly hintIn?: ReadonlyArray<ViewName>
}

const LISTS: ReadonlyArray<Context> = ["list"]
const USER: ReadonlyArray<Context> = ["users", "detail"]

/** The keymap (k9s and lazygit conventions: vi keys, `/` filter, `:` views, `?` help, shift+letter sorts). */
export const bindings: ReadonlyArray<Binding> = [
  { command: "quit", keys: ["q", "ctrl+c"], description: "quit", contexts: ["global"], hint: "quit" },
  { command: "help", keys: ["?"], description: "help: every key", contexts: ["global"], hint: "help" },
  { command: "command", keys: [":"], description: "go to a view (:users, :approvals ...)", contexts: ["global"], hint: "views" },
  { command: "back", keys: ["escape"], description: "back / clear the filter", contexts: ["global"], hint: "back" },
  { command: "refresh", keys: ["ctrl+r"], description: "reload now", contexts: ["global"] },
  { command: "cursor.down", keys: ["j", "down"], description: "down", contexts: LISTS },
  { command: "cursor.up", keys: ["k", "up"], description: "up", contexts: LISTS },
  { command: "cursor.top", keys: ["g", "home"], description: "first row", contexts: LISTS },
  { command: "cursor.bottom", keys: ["G", "end"], description: "last row", contexts: LISTS },
  { command: "page.down", keys: ["pagedown", "ctrl+f"], description: "page down", contexts: LISTS },
  { command: "page.up", keys: ["pageup", "ctrl+b"], description: "page up", contexts: LISTS },
  { command: "open", keys: ["enter"], description: "open", contexts: ["users", "groups", "orgs", "audit", "outbox", "approvals", "whocan"], hint: "open" },
  { command: "filter", keys: ["/"], description: "filter as you type (status: org: group: role:)", contexts: ["users", "audit"], hint: "filter" },
  { command: "mark", keys: ["space"], description: "mark / unmark the row, then move down", contexts: ["users"] },
  { command: "mark.clear", keys: ["u"], description: "unmark all", contexts: ["users"] },
  { command: "bulk", keys: ["b"], description: "bulk action on the marked rows", contexts: ["users"], mutating: true, hint: "bulk" },
  { command: "status.all", keys: ["0"], description: "all statuses", contexts: ["users"] },
  { command: "status.active", keys: ["1"], description: "active only", contexts: ["users"] },
  { command: "status.invited", keys: ["2"], description: "invited only", contexts: ["users"] },
  { command: "status.provisioned", keys: ["3"], description: "provisioned only", contexts: ["users"] },
  { command: "status.suspended", keys: ["4"], description: "suspended only", contexts: ["users"] },
  { command: "sort.name", keys: ["N"], description: "sort by name (again: reverse)", contexts: ["users"] },
  { command: "sort.email", keys: ["E"], description: "sort by e-mail", contexts: ["users"] },
  { command: "sort.phone", keys: ["P"], description: "sort by phone", contexts: ["users"] },
  { command: "sort.status", keys: ["S"], description: "sort by status", contexts: ["users"] },
  { command: "sort.registered", keys: ["R"], description: "sort by registration date", contexts: ["users"] },
  { command: "sort.lastActive", keys: ["L"], description: "sort by last activity", contexts: ["users"] },
  { command: "user.invite", keys: ["i"], description: "invite someone (mail or shareable link)", contexts: USER, mutating: true, hint: "invite", hintIn: ["users"] },
  { command: "user.create", keys: ["n"], description: "new user with a temporary password", contexts: USER, mutating: true, hint: "new", hintIn: ["users"] },
  { command: "user.edit", keys: ["e"], description: "edit profile", contexts: USER, mutating: true, hint: "edit" },
  { command: "user.suspend", keys: ["s"], description: "suspend (with a reason)", contexts: USER, mutating: true, hint: "suspend" },
  { command: "user.reactivate", keys: ["r"], description: "reactivate (with a reason)", contexts: USER, mutating: true, hint: "reactivate" },
  { command: "user.grant", keys: ["a"], description: "grant a role", contexts: USER, mutating: true, hint: "grant" },
  { command: "user.revoke", keys: ["x"], description: "revoke a role", contexts: USER, mutating: true, hint: "revoke" },
  { command: "user.group.add", keys: ["+"], description: "add to a group", contexts: USER, mutating: true, hint: "group" },
  { command: "user.group.remove", keys: ["-"], description: "remove from a group", contexts: USER, mutating: true, hint: "group" },
  { command: "user.org.add", keys: [">"], description: "add to an organization", contexts: USER, mutating: true, hint: "org" },
  { command: "user.org.remove", keys: ["<"], description: "remove from an organization", contexts: USER, mutating: true, hint: "org" },
  { command: "user.password.reset", keys: ["p"], description: "mail a password reset link", contexts: USER, mutating: true, hint: "reset password" },
  { command: "user.sessions.revoke", keys: ["o"], description: "sign out everywhere (revoke sessions)", contexts: USER, mutating: true, hint: "sign out" },
  { command: "user.unlock", keys: ["l"], description: "unlock sign-in", contexts: USER, mutating: true, hint: "unlock" },
  { command: "user.invite.resend", keys: ["m"], description: "resend the invitation", contexts: USER, mutating: true, hint: "resend invite" },
  { command: "user.invite.cancel", keys: ["c"], description: "cancel the invitation", contexts: USER, mutating: true, hint: "cancel invite" },
  { command: "user.delete", keys: ["ctrl+d"], description: "request deletion (type the e-mail; needs approval)", contexts: USER, mutating: true, hint: "delete" },
  { command: "approval.approve", keys: ["a"], description: "approve (with a note)", contexts: ["approvals"], mutating: true, hint: "approve" },
  { command: "approval.deny", keys: ["d"], description: "deny (with a reason)", contexts: ["approvals"], mutating: true, hint: "deny" },
  { command: "approval.cancel", keys: ["c"], description: "withdraw your own request", contexts: ["approvals"], mutating: true, hint: "withdraw" },
  { command: "approvals.pending", keys: ["1"], description: "pending requests only", contexts: ["approvals"], hint: "pending" },
  { command: "approvals.all", keys: ["0"], description: "every request", contexts: ["approvals"], hint: "all" },
  { command: "column.left", keys: ["h", "left"], description: "previous role (column)", contexts: ["roles"], hint: "role" },
  { command: "column.right", keys: ["l", "right"], description: "next role (column)", contexts: ["roles"], hint: "role" },
  { command: "group.create", keys: ["n"], description: "new group", contexts: ["groups"], mutating: true, hint: "new" },
  { command: "role.create", keys: ["n"], description: "new custom role", contexts: ["roles"], mutating: true, hint: "new" },
  { command: "org.create", keys: ["n"], description: "new organization", contexts: ["orgs"], mutating: true, hint: "new" },
  { command: "app.create", keys: ["n"], description: "new app", contexts: ["apps"], mutating: true, hint: "new" },
  { command: "token.create", keys: ["n"], description: "new API token (shown once)", contexts: ["tokens"], mutating: true, hint: "new" },
  { command: "token.revoke", keys: ["x"], description: "revoke the API token", contexts: ["tokens"], mutating: true, hint: "revoke" }
]

/** The views that have a cursor (the `list` context). */
const listViews: ReadonlySet<ViewName> = new Set(viewNames)

const applies = (binding: Binding, view: ViewName): boolean =>
  binding.contexts.some((c) => c === "global" || c === view || (c === "list" && listViews.has(view)))

const index = new Map<string, Binding>()
for (const view of viewNames) {
  for (const binding of bindings) {
    if (!applies(binding, view)) continue
    for (const key of binding.keys) {
      const slot = `${view} ${key}`
      const taken = index.get(slot)
      // a view's own binding wins over a global one; two of the same rank would be a keymap bug
      if (taken === undefined || (taken.contexts.includes("global") && !binding.contexts.includes("global"))) index.set(slot, binding)
    }
  }
}

/** The binding a key has in a view, if any. */
export const resolve = (view: ViewName, key: string): Binding | undefined => index.get(`${view} ${key}`)

/** The bindings of a view, global ones last, as the help screen lists them. */
export const bindingsFor = (view: ViewName): ReadonlyArray<Binding> => {
  const own = bindings.filter((b) => applies(b, view) && !b.contexts.includes("global"))
  return [...own, ...bindings.filter((b) => b.contexts.includes("global"))]
}

/** Two bindings that claim one key in one view (the keymap test keeps this empty). */
export const conflicts = (): ReadonlyArray<string> =>
  viewNames.flatMap((view) => {
    const seen = new Map<string, CommandId>()
    const out: Array<string> = []
    for (const binding of bindings.filter((b) => applies(b, view) && !b.contexts.includes("global"))) {
      for (const key of binding.keys) {
        const before = seen.get(key)
        if (before !== undefined && before !== binding.command) out.push(`${view}: ${key} is ${before} and ${binding.command}`)
        seen.set(key, binding.command)
      }
    }
    return out
  })

/** Whether a command is a key-driven user action (the dashboard needs a user under the cursor). */
export const isUserAction = (command: CommandId): boolean => command.startsWith("user.")

/** How a key is written on screen: `esc`, `space`, `ctrl+d`, `j` … */
export const shownKey = (key: string): string => key === "escape" ? "esc" : key

/** A view's key hints in two parts: what fits goes first from `lead`; `tail` (back, quit) is always shown. */
export interface Hints {
  readonly lead: ReadonlyArray<string>
  readonly tail: ReadonlyArray<string>
}

const joinHints = (list: ReadonlyArray<Binding>): ReadonlyArray<string> => {
  const out: Array<{ keys: Array<string>; hint: string }> = []
  for (const b of list) {
    const same = out.find((h) => h.hint === b.hint)
    if (same !== undefined) same.keys.push(shownKey(b.keys[0]!))
    else out.push({ keys: [shownKey(b.keys[0]!)], hint: b.hint! })
  }
  return out.map((h) => `${h.keys.join("/")} ${h.hint}`)
}

/**
 * The key hints of a view, most useful first: help and the views, then the view's own keys in
 * table order, then back and quit. Bindings that share a hint are shown as one (`h/l column`); a
 * read-only session leaves out what it would refuse, and `unavailable` what cannot apply to the
 * row under the cursor (the view says which).
 */
export const hintGroups = (view: ViewName, readonly: boolean, unavailable: ReadonlySet<CommandId> = new Set()): Hints => {
  const hinted = (b: Binding) =>
    b.hint !== undefined && (b.hintIn === undefined || b.hintIn.includes(view)) && !(readonly && b.mutating === true) && !unavailable.has(b.command)
  const first = bindings.filter((b) => hinted(b) && (b.command === "help" || b.command === "command"))
  const own = bindingsFor(view).filter((b) => hinted(b) && !b.contexts.includes("global"))
  const last = (["back", "quit"] as const).flatMap((command) =>
    bindings.filter((b) => hinted(b) && b.command === command && (command !== "back" || view !== "users")))
  return { lead: joinHints([...first, ...own]), tail: joinHints(last) }
}

/** `hintGroups` as one list. */
export const hintsFor = (view: ViewName, readonly: boolean, unavailable?: ReadonlySet<CommandId>): ReadonlyArray<string> => {
  const { lead, tail } = hintGroups(view, readonly, unavailable)
  return [...lead, ...tail]
}

/** What has the keys when it is not the view: a dialog, the filter prompt, command mode, the setup form. */
export type Focus = "form" | "confirm" | "menu" | "notice" | "help" | "prompt" | "command" | "setup"

/** The keys of dialogs and prompts (they take every key while open), for their hints and the help. */
export const focusKeys: Readonly<Record<Focus, ReadonlyArray<readonly [keys: string, description: string]>>> = {
  form: [["enter", "next / submit"], ["tab/shift+tab", "fields"], ["esc", "cancel"], ["ctrl+s", "save"], ["left/right", "choose"], ["ctrl+u", "clear"],
    ["ctrl+c", "quit (asks first when something was typed)"]],
  confirm: [["enter", "confirm"], ["esc", "close (nothing done)"]],
  setup: [["enter", "next field / set up"], ["tab/shift+tab", "fields"], ["ctrl+u", "clear"], ["ctrl+c", "quit"], ["ctrl+s", "set up"]],
  menu: [["j/k", "move"], ["enter", "choose"], ["esc", "cancel"]],
  notice: [["enter", "close"], ["j/k", "scroll"]],
  help: [["j/k", "scroll"], ["esc", "close"]],
  prompt: [["enter", "keep the filter"], ["esc", "restore it"], ["ctrl+u", "clear"], ["ctrl+w", "delete a word"]],
  command: [["tab", "complete"], ["enter", "go"], ["esc", "leave"]]
}

/** The hints while a dialog or prompt has the keys. */
export const focusHints = (focus: Focus): ReadonlyArray<string> => focusKeys[focus].map(([keys, description]) => `${keys} ${description}`)

