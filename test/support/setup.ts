import { afterAll, afterEach } from "vitest";
import { quiesce } from "./cleanup.js";
import { removeTempDirs } from "./temp.js";

// Every test file: stop what a test left running, and remove the temp folders once the file is done.
afterEach(() => quiesce());
afterAll(() => removeTempDirs());
