/**
 * Every key of the dashboard, as data: which command a key runs in which view, what it does,
 * and whether it changes the directory (those are disabled in a read-only session). The help
 * screen and the key hints are generated from this table; components never test keys themselves.
 */

/** The views of the dashboard (the `:` commands name them). */
export const viewNames = ["users", "detail", "groups", "roles", "orgs", "apps", "approvals", "audit", "outbox"] as const
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

/** One entry of the keymap. */
export interface Binding {
  readonly command: CommandId
  /** key names as `keyName` writes them: `j`, `G`, `down`, `ctrl+d`, `space`, `enter` … */
  readonly keys: ReadonlyArray<string>
  readonly description: string
  readonly contexts: ReadonlyArray<Context>
  /** changes the directory: refused in a read-only session */
  readonly mutating?: true
}

const LISTS: ReadonlyArray<Context> = ["list"]
const USER: ReadonlyArray<Context> = ["users", "detail"]

/** The keymap (k9s and lazygit conventions: vi keys, `/` filter, `:` views, `?` help, shift+letter sorts). */
export const bindings: ReadonlyArray<Binding> = [
  { command: "quit", keys: ["q", "ctrl+c"], description: "quit", contexts: ["global"] },
  { command: "help", keys: ["?"], description: "help: every key", contexts: ["global"] },
  { command: "command", keys: [":"], description: "go to a view (:users, :approvals ...)", contexts: ["global"] },
  { command: "back", keys: ["escape"], description: "back / clear the filter", contexts: ["global"] },
  { command: "refresh", keys: ["ctrl+r"], description: "reload now", contexts: ["global"] },
  { command: "cursor.down", keys: ["j", "down"], description: "down", contexts: LISTS },
  { command: "cursor.up", keys: ["k", "up"], description: "up", contexts: LISTS },
  { command: "cursor.top", keys: ["g", "home"], description: "first row", contexts: LISTS },
  { command: "cursor.bottom", keys: ["G", "end"], description: "last row", contexts: LISTS },
  { command: "page.down", keys: ["pagedown", "ctrl+f"], description: "page down", contexts: LISTS },
  { command: "page.up", keys: ["pageup", "ctrl+b"], description: "page up", contexts: LISTS },
  { command: "open", keys: ["enter"], description: "open", contexts: ["users", "groups", "orgs", "audit", "outbox", "approvals"] },
  { command: "filter", keys: ["/"], description: "filter as you type (status: org: group: role:)", contexts: ["users", "audit"] },
  { command: "mark", keys: ["space"], description: "mark / unmark the row", contexts: ["users"] },
  { command: "mark.clear", keys: ["u"], description: "unmark all", contexts: ["users"] },
  { command: "bulk", keys: ["b"], description: "bulk action on the marked rows", contexts: ["users"], mutating: true },
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
  { command: "user.invite", keys: ["i"], description: "invite someone (mail or shareable link)", contexts: USER, mutating: true },
  { command: "user.create", keys: ["n"], description: "new user with a temporary password", contexts: USER, mutating: true },
  { command: "user.edit", keys: ["e"], description: "edit profile", contexts: USER, mutating: true },
  { command: "user.suspend", keys: ["s"], description: "suspend (with a reason)", contexts: USER, mutating: true },
  { command: "user.reactivate", keys: ["r"], description: "reactivate (with a reason)", contexts: USER, mutating: true },
  { command: "user.grant", keys: ["a"], description: "grant a role", contexts: USER, mutating: true },
  { command: "user.revoke", keys: ["x"], description: "revoke a role", contexts: USER, mutating: true },
  { command: "user.group.add", keys: ["+"], description: "add to a group", contexts: USER, mutating: true },
  { command: "user.group.remove", keys: ["-"], description: "remove from a group", contexts: USER, mutating: true },
  { command: "user.org.add", keys: [">"], description: "add to an organization", contexts: USER, mutating: true },
  { command: "user.org.remove", keys: ["<"], description: "remove from an organization", contexts: USER, mutating: true },
  { command: "user.password.reset", keys: ["p"], description: "mail a password reset link", contexts: USER, mutating: true },
  { command: "user.sessions.revoke", keys: ["o"], description: "sign out everywhere (revoke sessions)", contexts: USER, mutating: true },
  { command: "user.unlock", keys: ["l"], description: "unlock sign-in", contexts: USER, mutating: true },
  { command: "user.invite.resend", keys: ["m"], description: "resend the invitation", contexts: USER, mutating: true },
  { command: "user.invite.cancel", keys: ["c"], description: "cancel the invitation", contexts: USER, mutating: true },
  { command: "user.delete", keys: ["ctrl+d"], description: "request deletion (type the e-mail; needs approval)", contexts: USER, mutating: true },
  { command: "approval.approve", keys: ["a"], description: "approve (with a note)", contexts: ["approvals"], mutating: true },
  { command: "approval.deny", keys: ["d"], description: "deny (with a reason)", contexts: ["approvals"], mutating: true },
  { command: "approval.cancel", keys: ["c"], description: "withdraw your own request", contexts: ["approvals"], mutating: true },
  { command: "approvals.pending", keys: ["1"], description: "pending requests only", contexts: ["approvals"] },
  { command: "approvals.all", keys: ["0"], description: "every request", contexts: ["approvals"] },
  { command: "column.left", keys: ["h", "left"], description: "previous permission column", contexts: ["roles"] },
  { command: "column.right", keys: ["l", "right"], description: "next permission column", contexts: ["roles"] },
  { command: "group.create", keys: ["n"], description: "new group", contexts: ["groups"], mutating: true },
  { command: "role.create", keys: ["n"], description: "new custom role", contexts: ["roles"], mutating: true },
  { command: "org.create", keys: ["n"], description: "new organization", contexts: ["orgs"], mutating: true },
  { command: "app.create", keys: ["n"], description: "new app", contexts: ["apps"], mutating: true }
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
