import type { types } from "@slack/bolt"
import * as Core from "@usher/core"
import { Ids } from "../ids.js"
import { targetBlocks, type TargetDetail } from "./approvals.js"
import { clip, context, escape, section } from "./mrkdwn.js"

type ModalView = types.ModalView

const input = (
  id: string,
  label: string,
  maxLength: number,
  options: { readonly optional?: boolean; readonly hint?: string; readonly placeholder?: string; readonly multiline?: boolean } = {}
): types.InputBlock => ({
  type: "input",
  block_id: id,
  optional: options.optional ?? false,
  label: { type: "plain_text", text: label },
  ...(options.hint === undefined ? {} : { hint: { type: "plain_text", text: options.hint } }),
  element: {
    type: "plain_text_input",
    action_id: id,
    multiline: options.multiline ?? false,
    max_length: maxLength,
    ...(options.placeholder === undefined ? {} : { placeholder: { type: "plain_text", text: options.placeholder } })
  }
})

/** The modal `/usher invite` opens when given no arguments; `metadata` comes back on submission. */
export const inviteModal = (metadata: string): ModalView => ({
  type: "modal",
  callback_id: Ids.inviteView,
  private_metadata: metadata,
  title: { type: "plain_text", text: "Invite someone" },
  submit: { type: "plain_text", text: "Invite" },
  close: { type: "plain_text", text: "Cancel" },
  blocks: [
    input(Ids.input.email, "E-mail", Core.Input.MaxLength.email, { placeholder: "name@example.com" }),
    input(Ids.input.firstName, "First name", Core.Input.MaxLength.name, { optional: true }),
    input(Ids.input.lastName, "Last name", Core.Input.MaxLength.name, { optional: true }),
    input(Ids.input.roles, "Roles", Core.Input.MaxLength.text, { optional: true, placeholder: "user-manager approver@org:acme", hint: "ROLE or ROLE@SCOPE, separated by spaces; all with the same scope." }),
    input(Ids.input.groups, "Groups", Core.Input.MaxLength.text, { optional: true, placeholder: "ops acme/dev", hint: "Group names, separated by spaces." }),
    {
      type: "input",
      block_id: Ids.input.link,
      optional: true,
      label: { type: "plain_text", text: "Delivery" },
      element: {
        type: "checkboxes",
        action_id: Ids.input.link,
        options: [{ text: { type: "plain_text", text: "Give me a link to share instead of mailing it" }, value: "link" }]
      }
    }
  ]
})

/** The request a decision modal is about: what it does, who asked and why, and the account as it is now. */
const aboutRequest = (request: Core.ApprovalRequest, targets: ReadonlyArray<TargetDetail>): Array<types.KnownBlock> => [
  section(`*${escape(request.summary)}*\nRequested by ${escape(request.requestedBy)}: _${escape(clip(request.reason, 500))}_`),
  ...targetBlocks(targets)
]

/** The modal an Approve click opens: an optional note, recorded with the decision; submitting approves (and carries it out). */
export const approveModal = (request: Core.ApprovalRequest, metadata: string, targets: ReadonlyArray<TargetDetail> = []): ModalView => ({
  type: "modal",
  callback_id: Ids.approveView,
  private_metadata: metadata,
  title: { type: "plain_text", text: "Approve request" },
  submit: { type: "plain_text", text: "Approve" },
  close: { type: "plain_text", text: "Cancel" },
  blocks: [
    ...aboutRequest(request, targets),
    context("Approving carries it out at once; it cannot be undone."),
    input(Ids.input.note, "Note (optional)", Core.Input.MaxLength.reason, { optional: true, multiline: true, hint: "Recorded with your decision in the audit log; the requester sees it." })
  ]
})

/** The modal a Deny click opens: the reason is required, as core requires it. */
export const denyModal = (request: Core.ApprovalRequest, metadata: string, targets: ReadonlyArray<TargetDetail> = []): ModalView => ({
  type: "modal",
  callback_id: Ids.denyView,
  private_metadata: metadata,
  title: { type: "plain_text", text: "Deny request" },
  submit: { type: "plain_text", text: "Deny" },
  close: { type: "plain_text", text: "Cancel" },
  blocks: [
    ...aboutRequest(request, targets),
    input(Ids.input.reason, "Why deny it?", Core.Input.MaxLength.reason, { multiline: true, hint: "The requester sees this." })
  ]
})

/**
 * The modal opened at once on a click or command that will show a form (a `trigger_id` lives
 * three seconds): it says the form is on its way, and is replaced (`views.update`) by the form,
 * or by why there is none, once who is asking and what they may do are known.
 */
export const loadingModal = (title: string): ModalView => ({
  type: "modal",
  title: { type: "plain_text", text: clip(title, 24) },
  close: { type: "plain_text", text: "Cancel" },
  blocks: [section(":hourglass_flowing_sand: One moment…")]
})

/** A modal that only tells something (a refusal in place of a form), with a Close button. */
export const noticeModal = (title: string, reply: { readonly blocks: ReadonlyArray<types.KnownBlock> }): ModalView => ({
  type: "modal",
  title: { type: "plain_text", text: clip(title, 24) },
  close: { type: "plain_text", text: "Close" },
  blocks: [...reply.blocks]
})
