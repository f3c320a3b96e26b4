import type { Key } from "ink"
import { describe, expect, it } from "vitest"
import { bindings, bindingsFor, conflicts, resolve, viewNames, type CommandId } from "../../src/app/keys/Keymap.js"
import { keyName } from "../../src/app/keys/keyName.js"

const key = (over: Partial<Key> = {}): Key => ({
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false, ...over
})

describe("keymap", () => {
  it("gives no key two meanings in one view", () => {
    expect(conflicts()).toEqual([])
  })

  it("binds every command somewhere, and a view's own binding wins over a global one", () => {
    const commands = new Set<CommandId>(bindings.map((b) => b.command))
    expect(commands.size).toBe(bindings.length)
    expect(resolve("users", "q")?.command).toBe("quit")
    expect(resolve("users", "s")?.command).toBe("user.suspend")
    expect(resolve("approvals", "a")?.command).toBe("approval.approve")
    expect(resolve("users", "a")?.command).toBe("user.grant")
    expect(resolve("groups", "s")).toBeUndefined()
    for (const view of viewNames) expect(resolve(view, "?")?.command).toBe("help")
  })

  it("marks every command that changes the directory as mutating (read-only sessions refuse them)", () => {
    const mutating = bindings.filter((b) => b.mutating === true).map((b) => b.command)
    for (const command of bindings.map((b) => b.command)) {
      const changes = command.startsWith("user.") || command.startsWith("approval.") || command.endsWith(".create") || command.endsWith(".revoke") || command === "bulk"
      expect(mutating.includes(command), command).toBe(changes)
    }
  })

  it("lists a view's own keys before the global ones in the help", () => {
    const users = bindingsFor("users").map((b) => b.command)
    expect(users.indexOf("user.suspend")).toBeLessThan(users.indexOf("quit"))
    expect(bindingsFor("audit").map((b) => b.command)).not.toContain("user.suspend")
  })

  it("names key presses the way the keymap writes them", () => {
    expect(keyName("j", key())).toBe("j")
    expect(keyName("G", key({ shift: true }))).toBe("G")
    expect(keyName("", key({ downArrow: true }))).toBe("down")
    expect(keyName("", key({ pageDown: true }))).toBe("pagedown")
    expect(keyName("\r", key({ return: true }))).toBe("enter")
    expect(keyName("", key({ escape: true, meta: true }))).toBe("escape")
    expect(keyName("d", key({ ctrl: true }))).toBe("ctrl+d")
    expect(keyName(" ", key())).toBe("space")
    expect(keyName("", key({ tab: true, shift: true }))).toBe("shift+tab")
    expect(keyName("pasted text", key())).toBeUndefined()
  })
})
