import { afterAll, afterEach } from "vitest";
import { quiesce } from "./cleanup.js";
import { removeTempDirs } from "./temp.js";

// Helpers that read process.env (and the children that inherit it) look a lost answer up after 1 s, not
// the 10 s users get: longer than any slow answer the tests inject (see TEST_SETTLE_MS).
process.env.BUGBEACON_SETTLE_MS ??= "1000";

// Every test file: stop what a test left running, and remove the temp folders once the file is done.
afterEach(() => quiesce());
afterAll(() => removeTempDirs());
