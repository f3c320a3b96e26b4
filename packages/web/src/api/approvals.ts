/** The four-eyes queue and the audit log: the CLI's `approvals …` and `audit list|verify`. */
import * as Core from "@usher/core"
import { Effect, Schema } from "effect"
import { optional, route, Text, WholeNumber } from "./Route.js"
import * as S from "./Schemas.js"

const ApprovalParam = Schema.Struct({ approval: Text("the request's id") })

/** The approvals and audit operations. */
export const approvalRoutes = [
  route({
    method: "GET",
    path: "/api/v1/approvals",
    operationId: "listApprovals",
    summary: "Approval requests the token's owner can decide or asked for (all of them with audit.read at provider), newest first (approvals list)",
    tag: "approvals",
    query: Schema.Struct({ status: optional(Core.ApprovalStatus), limit: optional(WholeNumber(1, 10_000, "at most this many (default 200)")) }),
    responses: { 200: { description: "the requests", schema: S.ApprovalList } },
    errors: [],
    handler: ({ query }) => Effect.map(Core.listApprovals(query), (approvals) => ({ status: 200, body: { approvals } }))
  }),
  route({
    method: "GET",
    path: "/api/v1/approvals/:approval",
    operationId: "getApproval",
    summary: "One approval request (approvals show)",
    tag: "approvals",
    params: ApprovalParam,
    responses: { 200: { description: "the request", schema: S.ApprovalRequest, headers: ["ETag"] } },
    errors: [404],
    handler: ({ params }) => Effect.map(Core.showApproval(params.approval), (approval) => ({ status: 200, body: approval, version: approval.version }))
  }),
  route({
    method: "POST",
    path: "/api/v1/approvals/:approval/approve",
    operationId: "approveRequest",
    summary: "Approve someone else's request; its action is carried out at once (approvals approve)",
    description: "`executed: false` means the action could no longer be carried out: nothing of it was applied and the request is now failed, with the reason in `approval.error`.",
    tag: "approvals",
    params: ApprovalParam,
    body: Schema.Struct({ note: optional(Text("a note for the audit log")) }),
    bodyOptional: true,
    responses: { 200: { description: "decided", schema: S.Decision } },
    errors: [404, 409],
    handler: ({ body, params }) => Effect.map(Core.approveRequest(params.approval, body), (decision) => ({ status: 200, body: decision }))
  }),
  route({
    method: "POST",
    path: "/api/v1/approvals/:approval/deny",
    operationId: "denyRequest",
    summary: "Deny someone else's request, with a reason; nothing of it happens (approvals deny)",
    tag: "approvals",
    params: ApprovalParam,
    body: Schema.Struct({ reason: optional(Text("why (required)")) }),
    responses: { 200: { description: "denied", schema: S.ApprovalRequest } },
    errors: [404, 409],
    handler: ({ body, params }) => Effect.map(Core.denyRequest(params.approval, body), (approval) => ({ status: 200, body: approval }))
  }),
  route({
    method: "POST",
    path: "/api/v1/approvals/:approval/cancel",
    operationId: "cancelRequest",
    summary: "Withdraw a pending request the token's owner made (approvals cancel)",
    tag: "approvals",
    params: ApprovalParam,
    responses: { 200: { description: "withdrawn", schema: S.ApprovalRequest } },
    errors: [404, 409],
    handler: ({ params }) => Effect.map(Core.cancelRequest(params.approval), (approval) => ({ status: 200, body: approval }))
  }),
  route({
    method: "GET",
    path: "/api/v1/audit",
    operationId: "listAudit",
    summary: "Recent audit events the token's owner may read, newest first (audit list)",
    tag: "audit",
    query: Schema.Struct({
      user: optional(Text("only events whose actor or target is this user (id or e-mail)")),
      limit: optional(WholeNumber(1, 10_000, "at most this many (default 50)")),
      afterSeq: optional(WholeNumber(0, Number.MAX_SAFE_INTEGER, "only events after this sequence number (a live tail)"))
    }),
    responses: { 200: { description: "the events", schema: S.AuditList } },
    errors: [404],
    handler: ({ query }) =>
      Effect.gen(function*() {
        const { user, ...rest } = query
        // as `audit list --user` does: the reference resolved to the account's id (and read access to it checked) first
        const userId = user === undefined ? {} : { userId: (yield* Core.showUser(user)).user.id }
        const events = yield* Core.listAudit({ ...rest, ...userId })
        return { status: 200 as const, body: { events } }
      })
  }),
  route({
    method: "GET",
    path: "/api/v1/audit/verify",
    operationId: "verifyAudit",
    summary: "Check the hash chain, the signed checkpoints and that the log explains the tables (audit verify)",
    tag: "audit",
    responses: { 200: { description: "the verification; ok false lists the problems", schema: S.AuditVerification } },
    errors: [],
    handler: () => Effect.map(Core.verifyAudit, (verification) => ({ status: 200, body: verification }))
  })
]
