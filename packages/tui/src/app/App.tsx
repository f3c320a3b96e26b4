import type * as Core from "@usher/core"
import { Box, Text, useApp, useInput, useStdin, type Key } from "ink"
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react"
import { CommandLine, commandWords } from "./components/CommandLine.js"
import { Form } from "./components/Form.js"
import { Header } from "./components/Header.js"
import { fit } from "./components/layout.js"
import { Help, Menu, NoticeBox } from "./components/Overlays.js"
import { PromptLine } from "./components/PromptLine.js"
import { StatusLine, statusLines } from "./components/StatusLine.js"
import { resolve, type CommandId, type Focus, type ViewName } from "./keys/Keymap.js"
import { keyName } from "./keys/keyName.js"
import { keyPresses, KeyLayersContext, makeKeyLayers } from "./keys/layers.js"
import type { Dashboard } from "./runtime/Dashboard.js"
import { DashboardProvider, useDashboard, useTerminalSize } from "./runtime/context.js"
import { ApprovalsScreen, AuditScreen, OutboxScreen } from "./screens/Activity.js"
import { AppsScreen, GroupsScreen, OrgsScreen } from "./screens/Directory.js"
import { RolesScreen } from "./screens/Roles.js"
import { SetupScreen } from "./screens/Setup.js"
import { UserDetailScreen } from "./screens/UserDetail.js"
import { UsersScreen } from "./screens/Users.js"
import { TokensScreen } from "./screens/Tokens.js"
import { WhoCanScreen } from "./screens/WhoCan.js"
import { UiContext, type Modal, type Place, type Prompt, type Status, type UiActions, type UsersState } from "./state/ui.js"

/** How the dashboard starts. */
export interface AppProps {
  readonly dashboard: Dashboard
  /** the directory is empty: show the setup screen first */
  readonly needsSetup: boolean
  /** false under NO_COLOR */
  readonly colors: boolean
  /** how often to look for changes by other processes */
  readonly pollMs?: number
  /** answers read before the first frame, so it already shows them */
  readonly initial?: FirstScreen
}

/** What the first frame shows: the first window of users and the pending approvals. */
export interface FirstScreen {
  readonly users?: Core.UserPage
  readonly pending?: number
}

/** The whole dashboard: the core bridge, then the shell. */
export const App = ({ dashboard, needsSetup, colors, pollMs = 400, initial = {} }: AppProps) => (
  <DashboardProvider dashboard={dashboard} colors={colors} pollMs={pollMs}>
    <Shell needsSetup={needsSetup} initial={initial} />
  </DashboardProvider>
)

const initialUsers: UsersState = { filter: "", sort: { column: "name" }, cursor: 0, top: 0, marked: new Map() }

/**
 * The frame (header, view, prompt line, status line) and the one place keys are dispatched:
 * a key is looked up in the keymap for the current view; mutating commands are refused in a
 * read-only session; the view handles its commands, the shell the global ones.
 */
const Shell = ({ needsSetup, initial }: { readonly needsSetup: boolean; readonly initial: FirstScreen }) => {
  const { exit } = useApp()
  const { dashboard, refresh } = useDashboard()
  const { columns, rows } = useTerminalSize()
  const [setup, setSetup] = useState(needsSetup)
  const [stack, setStackState] = useState<ReadonlyArray<Place>>([{ view: "users" }])
  const [modal, setModalState] = useState<Modal | undefined>(undefined)
  const [status, setStatus] = useState<Status | undefined>(undefined)
  const [prompt, setPromptState] = useState<Prompt | undefined>(undefined)
  const [commandMode, setCommandModeState] = useState(false)
  const keyLayers = useMemo(makeKeyLayers, [])
  const [users, setUsers] = useState<UsersState>(initialUsers)
  const handler = useRef<((command: CommandId) => boolean) | undefined>(undefined)
  const [unavailable, setUnavailable] = useState<ReadonlySet<CommandId>>(new Set())
  // ctrl+c with something typed in a form asks first; the next key answers
  const askingToQuit = useRef(false)
  const place = stack[stack.length - 1]!
  const view: ViewName = place.view

  // Keys that arrive while the shell changes what takes them (a prompt opening, a dialog
  // closing) wait until that change is on screen, then go where they belong, in order.
  const settling = useRef(false)
  const waiting = useRef<Array<readonly [string, Key]>>([])
  const onKey = useRef<(input: string, key: Key) => void>(() => undefined)
  const drain = useCallback(() => {
    while (!settling.current && waiting.current.length > 0) {
      const [input, key] = waiting.current.shift()!
      onKey.current(input, key)
    }
  }, [])
  // Keys wait while the screen changes, until the commit that shows the change: its layout effect
  // (below) lets them through. The tick makes sure such a commit comes even when the change turns
  // out to be none (`esc` on the first view), so no wait depends on how busy the machine is.
  const [, setTick] = useState(0)
  const settle = useCallback(() => {
    settling.current = true
    setTick((t) => t + 1)
  }, [])
  // work that keys wait for (`ui.hold`): while any runs, they queue
  const holding = useRef(0)
  const setStack = useCallback((next: (s: ReadonlyArray<Place>) => ReadonlyArray<Place>) => {
    settle()
    setStackState(next)
  }, [settle])
  const setModal = useCallback((next: Modal | undefined) => {
    settle()
    setModalState(next)
  }, [settle])
  const setPrompt = useCallback((next: Prompt | undefined) => {
    settle()
    setPromptState(next)
  }, [settle])
  const setCommandMode = useCallback((on: boolean) => {
    settle()
    setCommandModeState(on)
  }, [settle])

  const quit = useCallback(() => exit(), [exit])
  const ui = useMemo<UiActions>(() => ({
    say: (text, tone = "info") => setStatus({ text, tone }),
    open: (next) => setModal(next),
    close: () => setModal(undefined),
    go: (next) => setStack((s) => [...s, next]),
    back: () =>
      setStack((s) => {
        if (s.length <= 1) return s
        const left = s[s.length - 1]!
        if ("restore" in left) setUsers(left.restore)
        return s.slice(0, -1)
      }),
    showUsers: (filter) =>
      setUsers((u) => {
        setStack((s) => [...s, { view: "users", restore: u }])
        return { ...u, filter, cursor: 0, top: 0, marked: new Map() }
      }),
    setHandler: (h) => {
      handler.current = h
    },
    setUnavailable,
    hold: (work) => {
      holding.current++
      settling.current = true
      void work.finally(() => {
        holding.current--
        settle()
      })
    },
    setPrompt: (p) => setPrompt(p)
  }), [setModal, setPrompt, setStack, settle])

  const runGlobal = (command: CommandId) => {
    switch (command) {
      case "quit": return quit()
      case "help": return setModal({ kind: "help" })
      case "command": return setCommandMode(true)
      case "back": return ui.back()
      case "refresh": return refresh()
      default: return undefined
    }
  }

  const dispatch = (name: string) => {
    const binding = resolve(view, name)
    if (binding === undefined) return
    if (binding.mutating === true && dashboard.readonly) {
      return setStatus({ text: `Read-only session: "${binding.description}" is disabled.`, tone: "error" })
    }
    if (handler.current?.(binding.command) === true) return
    runGlobal(binding.command)
  }

  // One listener for the whole app: a dialog or prompt on top takes the keys (see `useKeys`),
  // otherwise the keymap decides for the view.
  onKey.current = (input, key) => {
    const name = keyName(input, key)
    if (askingToQuit.current) {
      askingToQuit.current = false
      if (name === "ctrl+c" || name === "y") return quit()
      return setStatus(undefined)
    }
    if (name === "ctrl+c") {
      if (!keyLayers.unsaved()) return quit()
      askingToQuit.current = true
      return setStatus({ text: "Quit and lose what you typed in the form? ctrl+c or y quits; any other key goes back to the form.", tone: "error" })
    }
    const top = keyLayers.top()
    if (top !== undefined) return top(input, key)
    if (setup) return
    if (name === undefined) return
    setStatus(undefined)
    dispatch(name)
  }
  useLayoutEffect(() => {
    settling.current = holding.current > 0
    drain()
  })
  // Ink's input as it arrived (before useInput's parsing drops a leading esc), noted before the
  // useInput below sees it: this listener is subscribed first, and Ink emits to both in order
  const { internal_eventEmitter: inputEvents } = useStdin()
  const raw = useRef("")
  useEffect(() => {
    const note = (input: string) => void (raw.current = input)
    inputEvents.on("input", note)
    return () => void inputEvents.removeListener("input", note)
  }, [inputEvents])
  useInput(useCallback((input: string, key: Key) => {
    void dashboard.noteKey()?.then(refresh)
    waiting.current.push(...keyPresses(input, key, raw.current))
    drain()
  }, [drain, dashboard, refresh]))

  const onCommand = (line: string | undefined) => {
    setCommandMode(false)
    if (line === undefined) return
    const [word = "", ...args] = line.split(" ")
    const known = (commandWords as ReadonlyArray<string>).includes(word)
    if (!known) return setStatus({ text: `No view "${word}": try ${commandWords.join(", ")}.`, tone: "error" })
    if (word === "quit") return quit()
    if (word === "help") return setModal({ kind: "help" })
    if (word === "whocan") {
      if (args.length === 0 || args.length > 2) return setStatus({ text: "Say which permission, and where: :whocan PERMISSION [SCOPE], e.g. :whocan users.delete org:acme", tone: "error" })
      return setStack(() => [{ view: "users" }, { view: "whocan", permission: args[0]!, scope: args[1] }])
    }
    setStack(() => word === "users" ? [{ view: "users" }] : [{ view: "users" }, { view: word as Exclude<ViewName, "detail" | "whocan"> }])
  }

  // a long message at the bottom takes lines from the view, so the frame keeps its height
  const bodyHeight = Math.max(4, rows - 3 - statusLines(status, columns).length)
  const modalWidth = Math.min(columns, 84)
  const closeModal = () => setModal(undefined)
  const renderModal = (m: Modal) => {
    switch (m.kind) {
      case "form":
        return (
          <Form
            form={m.form}
            width={modalWidth}
            onClose={(outcome) => {
              setModal(outcome?.notice === undefined ? undefined : { kind: "notice", notice: outcome.notice })
              if (outcome !== undefined) {
                // the user the detail view showed is gone (invitation cancelled): back to the list
                if (outcome.leave === true && view === "detail") ui.back()
                setStatus({ text: outcome.message, tone: "info" })
                refresh()
              }
            }}
          />
        )
      case "notice":
        return <NoticeBox notice={m.notice} width={modalWidth} screenWidth={columns} height={bodyHeight} onClose={closeModal} />
      case "menu":
        return <Menu menu={m.menu} width={modalWidth} onClose={closeModal} />
      case "help":
        return <Help view={view} width={modalWidth} height={bodyHeight} onClose={closeModal} />
    }
  }

  // the users read before the first frame seed the first users view only, never a later one
  const firstUsers = useRef(initial.users)
  const screen = () => {
    const size = { width: columns, height: bodyHeight }
    switch (place.view) {
      case "users": {
        const seed = firstUsers.current
        firstUsers.current = undefined
        return <UsersScreen {...size} state={users} update={setUsers} drilled={"restore" in place} initial={seed} />
      }
      case "detail": return <UserDetailScreen {...size} user={place.user} key={place.user.id} />
      case "groups": return <GroupsScreen {...size} />
      case "roles": return <RolesScreen {...size} />
      case "orgs": return <OrgsScreen {...size} />
      case "apps": return <AppsScreen {...size} />
      case "approvals": return <ApprovalsScreen {...size} />
      case "audit": return <AuditScreen {...size} />
      case "outbox": return <OutboxScreen {...size} />
      case "tokens": return <TokensScreen {...size} />
      case "whocan": return <WhoCanScreen {...size} permission={place.permission} scope={place.scope} key={`${place.permission} ${place.scope ?? ""}`} />
    }
  }

  // the hints follow what has the keys
  const focus: Focus | undefined = commandMode ? "command" : prompt !== undefined ? "prompt" : setup ? (dashboard.readonly ? undefined : "setup")
    : modal?.kind === "form" && modal.form.fields.length === 0 ? "confirm" : modal?.kind
  const body = setup
    ? dashboard.readonly
      ? <Text>{fit("This directory is empty, and a read-only session cannot set it up. Press ctrl+c to leave.", columns)}</Text>
      : (
        <SetupScreen
          width={columns}
          height={bodyHeight}
          onDone={(acting) => {
            dashboard.actAs(acting)
            settle()
            setSetup(false)
            setStatus({ text: `Directory set up; you act as ${acting.email}. Press i to invite someone.`, tone: "info" })
            refresh()
          }}
        />
      )
    : (
      <>
        <Box display={modal === undefined ? "flex" : "none"} flexDirection="column">{screen()}</Box>
        {modal !== undefined ? renderModal(modal) : null}
      </>
    )

  return (
    <KeyLayersContext.Provider value={keyLayers.layers}>
      <UiContext.Provider value={ui}>
        <Box flexDirection="column" width={columns} height={rows - 1}>
          <Header width={columns} initialPending={initial.pending} />
          <Box flexDirection="column" height={bodyHeight}>{body}</Box>
          <Box height={1}>
            {commandMode
              ? <CommandLine width={columns} onDone={onCommand} />
              : prompt !== undefined
              ? <PromptLine prompt={prompt} />
              : <Text dimColor>{fit(dashboard.readonly ? " read-only: changes are disabled" : " ", columns)}</Text>}
          </Box>
          <StatusLine status={status} view={view} focus={focus} width={columns} unavailable={unavailable} />
        </Box>
      </UiContext.Provider>
    </KeyLayersContext.Provider>
  )
}
