import { describe, expect, it } from "vitest";
import { InvalidRepoError } from "../src/errors.js";
import { parseRepo } from "../src/backends/github/repo.js";

describe("parseRepo", () => {
  it.each(["octo/app", "a/b", "octo-org/my.app_v2", "A1-b2/x", `${"a".repeat(39)}/${"b".repeat(100)}`])("accepts %s", (repo) => {
    const [owner, name] = repo.split("/");
    expect(parseRepo(repo)).toEqual({ owner, name });
  });

  it.each([
    "../x", "a/b/c", "owner/", "/name", "owner", "", "own er/app", "owner/ap p", "-owner/app", "owner-/app",
    "own--er/app", "owner/.", "owner/..", `${"a".repeat(40)}/x`, `a/${"b".repeat(101)}`, "owner/app\n", "o/a#b",
  ])("rejects %j with an error naming it", (repo) => {
    expect(() => parseRepo(repo)).toThrow(InvalidRepoError);
    expect(() => parseRepo(repo)).toThrow(`Invalid repo: ${JSON.stringify(repo.length > 80 ? `${repo.slice(0, 77)}...` : repo)}`);
  });

  it("rejects non-strings", () => {
    expect(() => parseRepo(42)).toThrow("Invalid repo: 42. Expected a GitHub repository");
    expect(() => parseRepo(undefined)).toThrow(InvalidRepoError);
  });
});
