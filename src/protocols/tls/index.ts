// TLS handshake facts read from the clear-text start of a connection.
export { clientHelloServerName } from './client-hello.ts';
