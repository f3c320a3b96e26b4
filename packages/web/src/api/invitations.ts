/** `/api/v1/invitations`: the CLI's `users invite` and `invites list|resend|cancel`, one core use case each. */
import * as Core from "@usher/core"
import { Effect, Schema } from "effect"
import { optional, route, Text } from "./Route.js"
import * as S from "./Schemas.js"

const InvitationParam = Schema.Struct({ invitation: Text("the invitation's id, or the invited user's id or e-mail") })

/** The invitations operations. */
export const invitationRoutes = [
  route({
    method: "GET",
    path: "/api/v1/invitations",
    operationId: "listInvitations",
    summary: "Invitations with their status, inviter and expiry, newest first (invites list)",
    tag: "invitations",
    query: Schema.Struct({
      status: optional(Schema.Literal("pending", "expired", "accepted")),
      org: optional(Text("only this organization's (slug)"))
    }),
    responses: { 200: { description: "the invitations", schema: S.InvitationList } },
    errors: [404],
    handler: ({ query }) => Effect.map(Core.listInvitations(query), (invitations) => ({ status: 200, body: { invitations } }))
  }),
  route({
    method: "POST",
    path: "/api/v1/invitations",
    operationId: "inviteUser",
    summary: "Invite someone: an invited account and a single-use registration link, mailed or (link: true) answered (users invite)",
    tag: "invitations",
    body: S.InviteInput,
    responses: { 201: { description: "invited", schema: S.InvitationSent, headers: ["Location"] } },
    errors: [404, 409, 422],
    handler: ({ body }) =>
      Effect.map(Core.inviteUser(body), (sent) => ({ status: 201, body: sent, location: `/api/v1/users/${sent.invitation.userId}` }))
  }),
  route({
    method: "POST",
    path: "/api/v1/invitations/:invitation/resend",
    operationId: "resendInvitation",
    summary: "Send a pending or expired invitation again with a new link; the old one stops working (invites resend)",
    tag: "invitations",
    params: InvitationParam,
    body: Schema.Struct({ link: optional(Schema.Boolean.annotations({ description: "answer the new link instead of mailing it" })) }),
    bodyOptional: true,
    responses: { 200: { description: "sent again", schema: S.InvitationSent } },
    errors: [404],
    handler: ({ body, params }) => Effect.map(Core.resendInvitation(params.invitation, body), (sent) => ({ status: 200, body: sent }))
  }),
  route({
    method: "DELETE",
    path: "/api/v1/invitations/:invitation",
    operationId: "cancelInvitation",
    summary: "Cancel a pending invitation: the invited account leaves the directory (invites cancel)",
    tag: "invitations",
    params: InvitationParam,
    responses: { 200: { description: "canceled", schema: S.InvitationCanceled } },
    errors: [404, 409],
    handler: ({ params }) => Effect.map(Core.cancelInvitation(params.invitation), (canceled) => ({ status: 200, body: canceled }))
  })
]
