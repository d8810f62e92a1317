/**
 * The crash handler against plain Node, every combination of the matrix in test/support/crash-matrix.ts
 * (4 ways of installing x app listener or not x the exception and 5 rejection modes), and the token cases.
 */
import { crashMatrix } from "../support/crash-matrix.js";

crashMatrix("full");
