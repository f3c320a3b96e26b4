import type { Key } from "ink"
import { createContext, useContext, useLayoutEffect, useRef } from "react"

/** Something that takes key presses: a dialog, a prompt, the view. */
export type KeyHandler = (input: string, key: Key) => void

/** One key taker: its handler, and for a form whether something typed in it would be lost. */
export interface KeyLayer {
  readonly handle: KeyHandler
  readonly unsaved: (() => boolean) | undefined
}

/** The stack of key takers; the newest gets every key. */
export interface KeyLayers {
  readonly push: (layer: { readonly current: KeyLayer }) => () => void
}

/** Where dialogs and prompts take the keys from the view. */
export const KeyLayersContext = createContext<KeyLayers | null>(null)

/**
 * Takes every key press while the component is shown. Registered in a layout effect, so it is
 * in place before the next key is read: a key typed right after `/` goes to the prompt, never
 * to the view, and is never lost. `unsaved` (a form) says whether quitting now would lose what
 * was typed: ctrl+c then asks first.
 */
export const useKeys = (handler: KeyHandler, unsaved?: () => boolean) => {
  const layers = useContext(KeyLayersContext)
  if (layers === null) throw new Error("useKeys outside the dashboard shell")
  const latest = useRef<KeyLayer>({ handle: handler, unsaved })
  latest.current = { handle: handler, unsaved }
  useLayoutEffect(() => layers.push(latest), [layers])
}

/** A key stack: `top` is the newest layer's handler (undefined when only the view listens). */
export const makeKeyLayers = () => {
  const stack: Array<{ readonly current: KeyLayer }> = []
  return {
    layers: {
      push: (layer) => {
        stack.push(layer)
        return () => {
          const at = stack.lastIndexOf(layer)
          if (at >= 0) stack.splice(at, 1)
        }
      }
    } satisfies KeyLayers,
    top: (): KeyHandler | undefined => stack[stack.length - 1]?.current.handle,
    /** whether a layer holds typed input that quitting would lose */
    unsaved: (): boolean => stack.some((layer) => layer.current.unsaved?.() === true)
  }
}

const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false
}

/** Escape as Ink reports it alone. */
const ESCAPE: Key = { ...NO_KEY, escape: true, meta: true }

/**
 * The key presses in one chunk of input. Over SSH several key presses often arrive together
 * (`jj`, `ada` then enter, `/` then ctrl+u), which Ink hands over as one input: plain and
 * control characters are split into one press each (`\r` is enter, DEL backspace, tab tab,
 * ctrl+letter as Ink reports it alone); escape sequences come one per chunk. `raw` is the input
 * as Ink received it, before it took a leading esc off.
 */
export const keyPresses = (input: string, key: Key, raw = ""): ReadonlyArray<readonly [string, Key]> => {
  // esc and the key typed right after it can arrive together (`ESC /`, `ESC k`), which Ink reads as
  // alt+key or drops the esc of: the dashboard binds no alt keys, so it is both presses — esc
  // closes the dialog, then the key acts
  if (ESCAPED_KEY.test(raw)) return [["", ESCAPE], pressOf(raw.slice(1))]
  return input.length > 1 && !key.ctrl && !key.meta && !key.escape && !input.includes("\u001b") ? splitKeys(input) : [[input, key]]
}

/** Ink's raw input for esc followed by one plain key (not the start of an escape sequence). */
const ESCAPED_KEY = /^\u001b[^\u001b[O\u0000-\u001f\u007f]$/u

/** One key press per character, each as Ink reports that key on its own. */
export const splitKeys = (input: string): ReadonlyArray<readonly [string, Key]> => [...input].map(pressOf)

const pressOf = (c: string): readonly [string, Key] => {
  const code = c.charCodeAt(0)
  if (c === "\r" || c === "\n") return [c, { ...NO_KEY, return: true }]
  if (c === "\t") return [c, { ...NO_KEY, tab: true }]
  if (c === "\b") return [c, { ...NO_KEY, backspace: true }]
  if (c === "\u007f") return [c, { ...NO_KEY, delete: true }]
  // ctrl+a … ctrl+z arrive as the codes 1 … 26: Ink names them by their letter, with ctrl
  if (code >= 1 && code <= 26) return [String.fromCharCode(code + 96), { ...NO_KEY, ctrl: true }]
  return [c, { ...NO_KEY, shift: /^[A-Z]$/.test(c) }]
}
