/**
 * SCIM 2.0 (RFC 7643 / 7644) for the company's identity provider: Users and Groups of the API
 * token's organization, filters translated to SQL, PATCH applied by scim-patch and read back
 * through core's Schema. The server's routes call these and render what they return.
 */
export { GROUP_ATTRIBUTES, InvalidScimFilter, parseScimFilter, USER_ATTRIBUTES } from "./Scim/Filter.js"
export { scimCreateGroup, scimDeleteGroup, scimGetGroup, scimListGroups, scimPatchGroup, scimReplaceGroup } from "./Scim/Groups.js"
export { booleanOf, ScimInvalidValue, ScimUserNameTaken } from "./Scim/Input.js"
export { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, type ScimGroup, type ScimUser, USER_SCHEMA } from "./Scim/Resources.js"
export {
  DEFAULT_SCIM_PAGE, MAX_SCIM_PAGE, scimCreateUser, type ScimDeletion, scimDeleteUser, scimGetUser, type ScimListQuery, scimListUsers, type ScimPage, scimPatchUser,
  scimReplaceUser
} from "./Scim/Users.js"
