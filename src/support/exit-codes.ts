/**
 * Exit codes of the `bugbeacon` CLI, in one place (README "Exit codes").
 *
 * - 0: done (also: an issue without a report, left alone).
 * - 1: failed, and running again will fail the same way until someone fixes what the message names
 *   (bad flags, a bad event or config, a token without the needed permission, an issue that was deleted).
 * - 75 (EX_TEMPFAIL from sysexits.h): failed for a reason that should pass on its own (GitHub answered 5xx or
 *   timed out after the retries, git could not push or fetch). Nothing was done twice: re-run the job.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_TEMPFAIL = 75;
