import type { Command } from "./Command.js"
import { accessCommands } from "./commands/access.js"
import { approvalCommands } from "./commands/approvals.js"
import { auditCommands } from "./commands/audit.js"
import { importCommands } from "./commands/import.js"
import { slackCommands } from "./commands/slack.js"
import { invitationCommands } from "./commands/invites.js"
import { keyCommands } from "./commands/keys.js"
import { policyCommands } from "./commands/policies.js"
import { tokenCommands } from "./commands/tokens.js"
import { userCommands } from "./commands/users.js"

/** Every `usher` subcommand, in the order help lists them. */
export const commands: ReadonlyArray<Command> = [
  ...userCommands,
  ...invitationCommands,
  ...approvalCommands,
  ...accessCommands,
  ...importCommands,
  ...slackCommands,
  ...keyCommands,
  ...tokenCommands,
  ...auditCommands,
  ...policyCommands
]
