/**
 * The crash handler against plain Node, with real child processes (test/support/crash-matrix.ts): a
 * covering subset of the installs x app listener x crash kinds matrix, and the token cases. Every
 * combination runs in the stress suite (test/stress/crash-matrix.stress.test.ts).
 */
import { crashMatrix } from "./support/crash-matrix.js";

crashMatrix("covering");
