// Public surface of the control plane (`cleartap serve`): start the server, bootstrap the first admin.
export { bootstrapAdmin, DEFAULT_HOST, DEFAULT_PORT, serverStateDir, startServer } from './server.ts';
export type { ControlPlane, ServerOptions } from './server.ts';
export type { RegisteredRoute } from './openapi/openapi-document.ts';
export type { Access, Role } from './auth/roles.ts';
export { ACCESS_LEVELS, ROLES } from './auth/roles.ts';
export { API_ERRORS } from './api-error.ts';
export type { ApiErrorCode } from './api-error.ts';
export type { ScryptParams } from './auth/passwords.ts';
export type { OidcSettings } from './auth/oidc-relying-party.ts';
