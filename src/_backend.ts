/**
 * What the build makes `dist/backend.js` / `.cjs` from (tsup.config.ts): the API of `bugbeacon/backend`
 * (./backend.ts, whose declarations are the subpath's types) and, under a name no code can spell as an
 * identifier, the port's modules with identity (./_port.ts), which the report path and the adapters import
 * from this file so that there is one copy of each. Not an API.
 */
import {
  DeliveryFailure,
  HttpStatusError,
  LEGACY_BACKEND,
  REGRESSION_ROOM,
  classifyRest,
  defineBackend,
  makeBackend,
  markdownMessages,
  versionsOf,
} from "./_port.js";

export * from "./backend.js";

/** The port's modules as a plain object (see ./_root.ts); the build checks it names exactly what ./_port.ts exports. */
const port = {
  DeliveryFailure,
  HttpStatusError,
  LEGACY_BACKEND,
  REGRESSION_ROOM,
  classifyRest,
  defineBackend,
  makeBackend,
  markdownMessages,
  versionsOf,
};
export { port as "bugbeacon:port" };
