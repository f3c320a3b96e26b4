import { Cause } from "effect"
import { appendFileSync, mkdirSync } from "node:fs"
import { join } from "node:path"

/** Where the dashboard writes a defect it showed as "Details were logged": a full-screen app cannot print it. */
export type DefectLog = (cause: Cause.Cause<unknown>) => void

/** The file a local dashboard logs its defects to, in the data directory. */
export const DEFECT_LOG_FILE = "dashboard-errors.log"

const entry = (cause: Cause.Cause<unknown>) => `${new Date().toISOString()} ${Cause.pretty(cause)}\n`

/**
 * Appends each defect, with its whole cause, to `<dataDir>/dashboard-errors.log` (readable by its
 * owner only). Without a data directory (an in-memory database) it goes to standard error, which
 * the terminal shows once the dashboard has left the alternate screen.
 */
export const defectLog = (dataDir: string | null, stderr: (text: string) => void = (text) => process.stderr.write(text)): DefectLog =>
  (cause) => {
    const text = entry(cause)
    if (dataDir === null) return stderr(text)
    try {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 })
      appendFileSync(join(dataDir, DEFECT_LOG_FILE), text, { mode: 0o600 })
    } catch {
      stderr(text)
    }
  }
