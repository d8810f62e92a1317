/**
 * The backend port's modules with identity, which `bugbeacon/backend` carries to the other files of the
 * package (as the root entry carries ./_shared.ts): `DeliveryFailure` and `HttpStatusError` must be the
 * classes an app's own backend throws for the pipeline to recognise them, whichever file loads it.
 * Not an entry point of the package.
 */
export * from "./delivery/backend.js";
export * from "./backends/rest-errors.js";
