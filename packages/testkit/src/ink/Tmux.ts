import { execFile } from "node:child_process"
import { promisify } from "node:util"

const run = promisify(execFile)

/** A program running in a real pseudo-terminal inside a private tmux server. */
export interface Terminal {
  /** the visible screen as text */
  readonly capture: () => Promise<string>
  /** tmux key names: `Enter`, `Escape`, `C-d`, `Down`, or single characters */
  readonly keys: (...keys: ReadonlyArray<string>) => Promise<void>
  /** types text literally */
  readonly type: (text: string) => Promise<void>
  /** polls the screen until the check holds; fails with the last screen */
  readonly waitFor: (check: string | RegExp | ((screen: string) => boolean), options?: { readonly timeout?: number; readonly what?: string }) => Promise<string>
  /** kills the session and its server */
  readonly kill: () => Promise<void>
}

/**
 * Starts a command in a detached tmux session of the given size on its own server socket
 * (`tmux -L`), so tests never touch anyone's tmux. The command runs through `sh -c`.
 */
export const startTerminal = async (command: string, options: {
  readonly columns: number
  readonly rows: number
  readonly env?: Readonly<Record<string, string>>
  readonly cwd?: string
}): Promise<Terminal> => {
  const socket = `usher-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
  const tmux = (...args: ReadonlyArray<string>) => run("tmux", ["-L", socket, ...args], { cwd: options.cwd ?? process.cwd() })
  const exports = Object.entries(options.env ?? {}).map(([k, v]) => `export ${k}='${v.replace(/'/g, "'\\''")}';`).join(" ")
  await tmux("-f", "/dev/null", "new-session", "-d", "-s", "test", "-x", String(options.columns), "-y", String(options.rows), `${exports} ${command}`)
  const capture = async () => (await tmux("capture-pane", "-p", "-t", "test")).stdout
  return {
    capture,
    keys: async (...keys) => {
      await tmux("send-keys", "-t", "test", ...keys)
    },
    type: async (text) => {
      await tmux("send-keys", "-t", "test", "-l", text)
    },
    waitFor: async (check, waitOptions = {}) => {
      const test = typeof check === "function" ? check : typeof check === "string" ? (s: string) => s.includes(check) : (s: string) => check.test(s)
      const deadline = Date.now() + (waitOptions.timeout ?? 20_000)
      let screen = ""
      for (;;) {
        screen = await capture()
        if (test(screen)) return screen
        if (Date.now() > deadline) throw new Error(`Timed out waiting for ${waitOptions.what ?? String(check)}; the terminal shows:\n${screen}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    kill: async () => {
      await tmux("kill-server").catch(() => undefined)
    }
  }
}
