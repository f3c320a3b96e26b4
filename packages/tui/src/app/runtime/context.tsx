import * as Core from "@usher/core"
import { Effect, Fiber, Stream } from "effect"
import { useStdout } from "ink"
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react"
import type { ShownError } from "../../present/formatError.js"
import type { Dashboard, UseCase } from "./Dashboard.js"

/** What every screen reads: the bridge to core, the data revision, and whether colours are allowed. */
export interface DashboardContextValue {
  readonly dashboard: Dashboard
  /** bumped whenever anyone changed the directory (another process, or this dashboard) */
  readonly revision: number
  /** tells every live view to reload now (after this dashboard changed something) */
  readonly refresh: () => void
  /** false under NO_COLOR: only bold, dim and inverse are used */
  readonly colors: boolean
}

const DashboardContext = createContext<DashboardContextValue | null>(null)

/** Provides the dashboard to the screens and polls core's change marker, so other writers show up without a key press. */
export const DashboardProvider = ({ dashboard, colors, pollMs, children }: {
  readonly dashboard: Dashboard
  readonly colors: boolean
  readonly pollMs: number
  readonly children: ReactNode
}) => {
  const [revision, setRevision] = useState(0)
  const refresh = useCallback(() => setRevision((r) => r + 1), [])
  useEffect(() => {
    let last: string | undefined
    let busy = false
    let stopped = false
    const tick = async () => {
      if (busy) return
      busy = true
      const marker = await dashboard.runAsSystem(Core.Jobs.changeMarker.pipe(Core.Jobs.asSystem(dashboard.via)))
      busy = false
      if (stopped || !marker.ok) return
      if (last !== undefined && marker.value !== last) refresh()
      last = marker.value
    }
    void tick()
    const timer = setInterval(() => void tick(), pollMs)
    // on PostgreSQL a commit anywhere is signalled at once (LISTEN/NOTIFY): the signal is the news,
    // so it refreshes without asking the marker, whose write counters the server flushes up to a
    // second later (a change with no audit row, such as a mail marked sent, would wait for them);
    // the poll stays as a fallback
    const listening = dashboard.runtime.runFork(
      Stream.runForEach(Core.Jobs.changes, () => Effect.sync(() => {
        if (stopped) return
        refresh()
        void tick()
      })).pipe(Core.Jobs.asSystem(dashboard.via))
    )
    return () => {
      stopped = true
      clearInterval(timer)
      dashboard.runtime.runFork(Fiber.interrupt(listening))
    }
  }, [dashboard, pollMs, refresh])
  return <DashboardContext.Provider value={{ dashboard, revision, refresh, colors }}>{children}</DashboardContext.Provider>
}

/** The dashboard context (inside `DashboardProvider`). */
export const useDashboard = (): DashboardContextValue => {
  const value = useContext(DashboardContext)
  if (value === null) throw new Error("useDashboard outside DashboardProvider")
  return value
}

/** A query's latest answer: the last data it gave (kept while reloading or after an error), and its error. */
export interface QueryState<A> {
  readonly data: A | undefined
  readonly error: ShownError | undefined
  /** false until the first answer arrived */
  readonly settled: boolean
}

/**
 * Runs a read-only use case whenever its inputs change and, for live views, whenever the
 * directory changed; answers that arrive after a newer request are dropped.
 */
export const useQuery = <A,>(
  make: () => UseCase<A>,
  inputs: ReadonlyArray<unknown>,
  options: { readonly live?: boolean; readonly enabled?: boolean; readonly initial?: A | undefined } = {}
) => {
  const { dashboard, revision } = useDashboard()
  const [state, setState] = useState<QueryState<A>>({ data: options.initial, error: undefined, settled: options.initial !== undefined })
  // the inputs the data on screen answers (the first answer, or the initial data, answers the first inputs)
  const [answered, setAnswered] = useState<ReadonlyArray<unknown> | undefined>(options.initial !== undefined ? inputs : undefined)
  const generation = useRef(0)
  const live = options.live ?? true
  const enabled = options.enabled ?? true
  useEffect(() => {
    if (!enabled) return
    const current = ++generation.current
    const asked = inputs
    void dashboard.run(make()).then((outcome) => {
      if (current !== generation.current) return
      setState((before) => outcome.ok
        ? { data: outcome.value, error: undefined, settled: true }
        : { data: before.data, error: outcome.error, settled: true })
      if (outcome.ok) setAnswered(asked)
    })
  }, [...inputs, live ? revision : 0, enabled, dashboard])
  /** whether the data answers the inputs as they are now (false while a new filter's answer is on its way) */
  const current = answered !== undefined && answered.length === inputs.length && answered.every((v, i) => Object.is(v, inputs[i]))
  return { ...state, current }
}

/** The terminal's size, following `resize`. */
export const useTerminalSize = (): { readonly columns: number; readonly rows: number } => {
  const { stdout } = useStdout()
  const read = () => ({ columns: Math.max(40, stdout.columns || 80), rows: Math.max(12, stdout.rows || 24) })
  const [size, setSize] = useState(read)
  useEffect(() => {
    const onResize = () => setSize(read())
    stdout.on("resize", onResize)
    return () => {
      stdout.off("resize", onResize)
    }
  }, [stdout])
  return size
}

/** A colour prop, or none under NO_COLOR (spread it: `<Text {...paint(colors, "red")}>`). */
export const paint = (colors: boolean, color: string | undefined): { color?: string } =>
  colors && color !== undefined ? { color } : {}
