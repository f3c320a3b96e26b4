import { Schema } from "effect"
import { v7 as uuidv7 } from "uuid"

/** A user's id: a UUIDv7 string, so ids sort by creation time. */
export const UserId = Schema.String.pipe(Schema.brand("UserId"))
export type UserId = typeof UserId.Type

/** An organization's id. */
export const OrgId = Schema.String.pipe(Schema.brand("OrgId"))
export type OrgId = typeof OrgId.Type

/** An app's id. */
export const AppId = Schema.String.pipe(Schema.brand("AppId"))
export type AppId = typeof AppId.Type

/** A role's id. */
export const RoleId = Schema.String.pipe(Schema.brand("RoleId"))
export type RoleId = typeof RoleId.Type

/** A group's id. */
export const GroupId = Schema.String.pipe(Schema.brand("GroupId"))
export type GroupId = typeof GroupId.Type

/** A grant's id. */
export const GrantId = Schema.String.pipe(Schema.brand("GrantId"))
export type GrantId = typeof GrantId.Type

/** A session's id. */
export const SessionId = Schema.String.pipe(Schema.brand("SessionId"))
export type SessionId = typeof SessionId.Type

/** A fresh time-ordered id (UUIDv7). */
export const newId = <A extends string>(): A => uuidv7() as A

/** True when the text has the shape of an id (so a USER argument is not taken for an e-mail). */
export const looksLikeId = (text: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)
