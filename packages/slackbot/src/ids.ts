/** Every Slack `action_id`, `callback_id` and input id the bot uses, in one place. */
export const Ids = {
  approve: "usher_approve",
  deny: "usher_deny",
  withdraw: "usher_withdraw",
  extend: "usher_extend",
  inviteView: "usher_invite",
  approveView: "usher_approve_note",
  denyView: "usher_deny_reason",
  input: {
    email: "email",
    firstName: "first_name",
    lastName: "last_name",
    roles: "roles",
    groups: "groups",
    link: "link",
    reason: "reason",
    note: "note"
  }
} as const
