declare const __BUGBEACON_VERSION__: string | undefined;

/** The version of bugbeacon, written into every report. Set at build time from package.json. */
export const VERSION: string = typeof __BUGBEACON_VERSION__ === "string" ? __BUGBEACON_VERSION__ : "0.0.0-dev";
