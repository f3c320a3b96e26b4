import type * as Core from "@usher/core"
import { createContext, useContext, useLayoutEffect, useRef } from "react"
import type { CommandId, ViewName } from "../keys/Keymap.js"

/** A field of a form: free text, or one of a few choices (left/right cycles). */
export interface FieldSpec {
  readonly name: string
  readonly label: string
  readonly initial?: string
  readonly hint?: string
  readonly choices?: ReadonlyArray<string>
  /** shown masked (never used for passwords: admins never type them; kept for confirmations) */
  readonly secret?: boolean
  /** the name core gives this value in its errors, when it is not `name` (the grant's `Until` is core's `expires`) */
  readonly coreName?: string
}

/**
 * How a submitted form ended: done (with a message, maybe a notice to show once, and `leave` when
 * what the view showed is gone, so it goes back), or refused (the form stays open).
 */
export type Submitted =
  | { readonly ok: true; readonly message: string; readonly notice?: Notice; readonly leave?: true }
  | {
    readonly ok: false
    readonly error: string
    /** the field core found malformed, with what is wrong: the form names it by its label */
    readonly field?: { readonly name: string; readonly reason: string }
  }

/** A form or confirmation dialog: fields (none for a plain confirmation), and what submitting does. */
export interface FormSpec {
  readonly title: string
  readonly lines?: ReadonlyArray<string>
  readonly fields: ReadonlyArray<FieldSpec>
  readonly submitLabel: string
  /** refuse before calling core (only for typed confirmations, never for rules) */
  readonly check?: (values: Readonly<Record<string, string>>) => string | undefined
  readonly submit: (values: Readonly<Record<string, string>>) => Promise<Submitted>
}

/** Text shown once until dismissed (a temporary password, a shareable link, per-row results). */
export interface Notice {
  readonly title: string
  readonly lines: ReadonlyArray<string>
  /** what the admin copies (a link, a password): on a line of its own, outside the border, never cut */
  readonly copy?: string
}

/** A short list to pick from. */
export interface MenuSpec {
  readonly title: string
  readonly items: ReadonlyArray<{ readonly label: string; readonly run: () => void }>
}

/** What covers the view: a form, a notice, a menu, or the help. */
export type Modal =
  | { readonly kind: "form"; readonly form: FormSpec }
  | { readonly kind: "notice"; readonly notice: Notice }
  | { readonly kind: "menu"; readonly menu: MenuSpec }
  | { readonly kind: "help" }

/** Where the dashboard is: a view, and for the detail view whose. */
export type Place =
  | { readonly view: Exclude<ViewName, "detail" | "whocan"> }
  /** who holds a permission at a scope (`:whocan PERMISSION [SCOPE]`) */
  | { readonly view: "whocan"; readonly permission: string; readonly scope: string | undefined }
  | { readonly view: "detail"; readonly user: Core.User }
  /** the users view opened from another view (a group's members): going back restores the list as it was */
  | { readonly view: "users"; readonly restore: UsersState }

/** The status line's message. */
export interface Status {
  readonly text: string
  readonly tone: "info" | "error"
}

/** The users view's state, kept while the detail view is open. */
export interface UsersState {
  readonly filter: string
  readonly sort: Core.UserSort
  readonly cursor: number
  readonly top: number
  /** marked rows: id → e-mail */
  readonly marked: ReadonlyMap<string, string>
}

/** What screens may do to the shell. */
export interface UiActions {
  readonly say: (text: string, tone?: Status["tone"]) => void
  readonly open: (modal: Modal) => void
  readonly close: () => void
  readonly go: (place: Place) => void
  readonly back: () => void
  /** the users view with a filter, from another view (an organization's or a group's members) */
  readonly showUsers: (filter: string) => void
  /** lets the active screen handle the keymap's commands (return false: not handled) */
  readonly setHandler: (handler: ((command: CommandId) => boolean) | undefined) => void
  /** the active screen's commands that cannot apply to the row under its cursor: the hints leave them out */
  readonly setUnavailable: (commands: ReadonlySet<CommandId>) => void
  /**
   * Keys wait until `work` is done (a check with core before a form opens), then go where they
   * belong: letters typed right after the key that asked go to the form it opens, not to the view.
   */
  readonly hold: (work: Promise<unknown>) => void
  /** asks the shell to start typing in the prompt line (filter) */
  readonly setPrompt: (prompt: Prompt | undefined) => void
}

/** The bottom prompt line while typing a filter. */
export interface Prompt {
  readonly label: string
  readonly value: string
  readonly onChange: (value: string) => void
  readonly onDone: (accepted: boolean) => void
}

/** The shell's actions, for screens and dialogs. */
export const UiContext = createContext<UiActions | null>(null)

/** The shell's actions. */
export const useUi = (): UiActions => {
  const value = useContext(UiContext)
  if (value === null) throw new Error("useUi outside the dashboard shell")
  return value
}

const NONE: ReadonlySet<CommandId> = new Set()

/**
 * Registers the active screen's command handler for as long as it is shown, and which of its
 * commands cannot apply to the row drawn under the cursor (left out of the key hints; the handler
 * itself refuses them with the reason, for the row under the cursor as of the key).
 */
export const useCommands = (handler: (command: CommandId) => boolean, unavailable: ReadonlySet<CommandId> = NONE) => {
  const ui = useUi()
  const latest = useRef(handler)
  latest.current = handler
  useLayoutEffect(() => {
    ui.setHandler((command) => latest.current(command))
    return () => ui.setHandler(undefined)
  }, [ui])
  const shown = [...unavailable].sort().join(" ")
  useLayoutEffect(() => {
    ui.setUnavailable(shown === "" ? NONE : new Set(shown.split(" ") as Array<CommandId>))
  }, [ui, shown])
  useLayoutEffect(() => () => ui.setUnavailable(NONE), [ui])
}
