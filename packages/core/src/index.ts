/** usher's core: every rule of the directory, behind use cases that front-ends call. */
export * as Lifecycle from "./Domain/Lifecycle.js"
export * as Permissions from "./Domain/Permissions.js"
export * as PermissionIndex from "./Domain/PermissionIndex.js"
export * as Scope from "./Domain/Scope.js"
export * as AuditLog from "./Domain/Audit.js"
export * from "./Domain/Errors.js"
export * from "./Domain/Ids.js"
export * from "./Domain/User.js"
export { Actor, loadSubject, providerAdmins, resolveActorId } from "./Actor.js"
export { listAudit, verifyAudit, type AuditQuery, type AuditVerification } from "./Audit.js"
export { as, asUser, CoreLive, makeCoreRuntime, resolveLocation, type CoreServices } from "./Core.js"
export { Database, DatabaseUrlInvalid, layerSqlite, locationFromEnv, parseUrl, type DatabaseLocation } from "./Database.js"
export { directoryInfo, init, loadDirectoryGraph, why, type InitInput, type WhyAnswer } from "./Directory.js"
export { addGroupMembers, createGroup, deleteGroup, groupMembers, listGroups, removeGroupMembers, type Group } from "./Groups.js"
export { addOrgMembers, createApp, createOrg, listApps, listOrgs, removeOrgMembers, type App, type Organization } from "./Orgs.js"
export { hashPassword, verifyPassword } from "./Passwords.js"
export { createRole, grantRole, listRoles, revokeRole, showRole, type CreateRoleInput, type GrantInput, type PrincipalRef, type RevokeInput, type Role } from "./Roles.js"
export { seedUsers } from "./Seed.js"
export {
  createUser, listUsers, normalizeSearch, reactivateUser, showUser, suspendUser, updateUser,
  type CreateUserInput, type UpdateOptions, type UserDetail, type UserQuery
} from "./Users.js"
