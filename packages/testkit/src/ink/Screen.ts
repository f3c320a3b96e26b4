import "./forceColor.js"
import { render } from "ink-testing-library"
import type { ReactElement } from "react"

/** Key presses as a terminal sends them. */
export const keys = {
  up: "\u001B[A",
  down: "\u001B[B",
  right: "\u001B[C",
  left: "\u001B[D",
  pageUp: "\u001B[5~",
  pageDown: "\u001B[6~",
  home: "\u001B[H",
  end: "\u001B[F",
  enter: "\r",
  escape: "\u001B",
  tab: "\t",
  shiftTab: "\u001B[Z",
  backspace: "\u007F",
  space: " ",
  /** ctrl plus a letter: `keys.ctrl("d")` */
  ctrl: (letter: string) => String.fromCharCode(letter.toLowerCase().charCodeAt(0) - 96)
} as const

/** A rendered Ink app driven by key presses, read frame by frame. */
export interface Screen {
  /** the latest frame, without colours */
  readonly frame: () => string
  /** the latest frame with its ANSI styles (to check inverse, colours) */
  readonly styledFrame: () => string
  /** how many frames were written so far */
  readonly frameCount: () => number
  /** sends key presses one at a time, each once the app listens for input */
  readonly press: (...presses: ReadonlyArray<string>) => Promise<void>
  /** types text one character at a time (as a person would, so as-you-type handlers see each one) */
  readonly type: (text: string) => Promise<void>
  /** waits until the latest frame satisfies the check, and returns it; fails with the last frame */
  readonly waitFor: (check: string | RegExp | ((frame: string) => boolean), options?: { readonly timeout?: number; readonly what?: string }) => Promise<string>
  /** resizes the terminal (the app sees `resize`) */
  readonly resize: (columns: number, rows: number) => void
  readonly unmount: () => void
}

const ANSI = /\u001B\[[0-9;?]*[A-Za-z]/g

/** Removes ANSI styles from a frame. */
export const plain = (frame: string): string => frame.replace(ANSI, "")

/** Lets React finish what a key started (its passive effects run on the next turns of the event loop). */
const settle = async () => {
  await new Promise<void>((resolve) => setImmediate(resolve))
  await new Promise<void>((resolve) => setTimeout(resolve, 0))
}

/**
 * Renders an Ink element on a fake terminal of the given size (ink-testing-library underneath)
 * and returns a driver. Keys are written only once a `useInput` listens: Ink drops earlier ones.
 */
export const renderScreen = (element: ReactElement, size: { readonly columns?: number; readonly rows?: number } = {}): Screen => {
  const instance = render(element)
  const stdout = instance.stdout as unknown as { columns: number; rows: number; emit: (event: string) => boolean }
  const setSize = (columns: number, rows: number) => {
    Object.defineProperty(stdout, "columns", { value: columns, configurable: true })
    Object.defineProperty(stdout, "rows", { value: rows, configurable: true })
    stdout.emit("resize")
  }
  setSize(size.columns ?? 100, size.rows ?? 30)
  const stdin = instance.stdin as unknown as { listenerCount: (event: string) => number; write: (data: string) => void }
  const frame = () => plain(instance.lastFrame() ?? "")

  const waitFor: Screen["waitFor"] = async (check, options = {}) => {
    const test = typeof check === "function" ? check : typeof check === "string" ? (f: string) => f.includes(check) : (f: string) => check.test(f)
    const deadline = Date.now() + (options.timeout ?? 10_000)
    for (;;) {
      const current = frame()
      if (test(current)) return current
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for ${options.what ?? String(check)}; the screen shows:\n${current}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }

  const press = async (...presses: ReadonlyArray<string>) => {
    for (const key of presses) {
      await waitFor(() => stdin.listenerCount("readable") > 0, { what: "the app to listen for keys" })
      stdin.write(key)
      await settle()
    }
  }

  return {
    frame,
    styledFrame: () => instance.lastFrame() ?? "",
    frameCount: () => instance.frames.length,
    press,
    type: (text) => press(...[...text]),
    waitFor,
    resize: setSize,
    unmount: () => {
      instance.unmount()
      instance.cleanup()
    }
  }
}
