import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process"
import { readFileSync, readdirSync } from "node:fs"

const END_OF_FRAME = "\u001B[?2026l"
const ANSI = /\u001B\[[0-9;?]*[A-Za-z]|\u001B[()][0-9A-Za-z]/g

/** One frame the program drew: when it was complete, and its text without styles. */
export interface Frame {
  readonly at: number
  readonly text: string
  readonly styled: string
}

/**
 * A program in a real pseudo-terminal (util-linux `script`), its output cut into frames. Ink
 * wraps every frame in synchronized-output marks (`ESC[?2026h` … `ESC[?2026l`) on a terminal,
 * so the end mark says exactly when a frame was completely written.
 */
export class PtyProgram {
  /** every program started, so a failed run leaves none behind */
  static readonly running = new Set<PtyProgram>()
  readonly started = performance.now()
  readonly frames: Array<Frame> = []
  private readonly child: ChildProcessWithoutNullStreams
  private buffer = ""
  private waiters: Array<() => void> = []
  readonly exited: Promise<number | null>

  constructor(command: string, size: { readonly columns: number; readonly rows: number }, env: NodeJS.ProcessEnv) {
    this.child = spawn("script", ["-qfec", `stty rows ${size.rows} cols ${size.columns}; exec ${command}`, "/dev/null"], {
      env: { ...env, TERM: "xterm-256color" }
    })
    this.child.stdout.setEncoding("utf8")
    this.child.stdout.on("data", (chunk: string) => {
      this.buffer += chunk
      let end = this.buffer.indexOf(END_OF_FRAME)
      while (end >= 0) {
        const styled = this.buffer.slice(0, end)
        this.buffer = this.buffer.slice(end + END_OF_FRAME.length)
        this.frames.push({ at: performance.now(), text: styled.replace(ANSI, ""), styled })
        end = this.buffer.indexOf(END_OF_FRAME)
      }
      const waiting = this.waiters
      this.waiters = []
      for (const wake of waiting) wake()
    })
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)))
    PtyProgram.running.add(this)
    void this.exited.then(() => PtyProgram.running.delete(this))
  }

  /** Sends bytes as typed (one key press). */
  press(keys: string): number {
    const at = performance.now()
    this.child.stdin.write(keys)
    return at
  }

  /** The first frame after `from` (an index into `frames`) that satisfies the check. */
  async frameAfter(from: number, check: (frame: Frame) => boolean, timeout = 10_000): Promise<Frame> {
    const deadline = performance.now() + timeout
    for (let seen = from; ;) {
      for (; seen < this.frames.length; seen++) {
        const frame = this.frames[seen]!
        if (check(frame)) return frame
      }
      if (performance.now() > deadline) throw new Error(`no such frame within ${timeout} ms; the last was:\n${this.frames.at(-1)?.text ?? "(none)"}`)
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve)
        setTimeout(resolve, 50)
      })
    }
  }

  /** Waits until no frame came for `ms`. */
  async quiet(ms = 40): Promise<void> {
    for (;;) {
      const count = this.frames.length
      await new Promise((resolve) => setTimeout(resolve, ms))
      if (this.frames.length === count) return
    }
  }

  /** The resident set size of the program (the process `script` runs), in MB: now and at its peak. */
  memory(): { readonly rss: number; readonly peak: number } {
    const children = readdirSync(`/proc/${this.child.pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${this.child.pid}/task/${task}/children`, "utf8").trim().split(/\s+/).filter((p) => p !== "")
    )
    const status = readFileSync(`/proc/${children[0]}/status`, "utf8")
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
    return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 }
  }

  /** Ends the program and `script` around it. */
  kill(): void {
    try {
      for (const task of readdirSync(`/proc/${this.child.pid}/task`)) {
        for (const pid of readFileSync(`/proc/${this.child.pid}/task/${task}/children`, "utf8").trim().split(/\s+/)) {
          if (pid !== "") process.kill(Number(pid), "SIGKILL")
        }
      }
      this.child.kill("SIGKILL")
    } catch {
      // already gone
    }
  }
}

/** p50, p95 and the maximum of some durations. */
export const percentiles = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN
  return { p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? NaN, n: sorted.length }
}
