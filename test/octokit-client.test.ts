/**
 * The GitHub client's retries, against the fake GitHub over real HTTP: what GitHub refused is not asked
 * again; what failed on its side (5xx) is, with backoff; a create is never repeated blindly.
 */
import { describe, expect, it } from "vitest";
import { createOctokit } from "../src/backends/github/octokit-client.js";
import { useFakeGitHub } from "./support/fake-github/use.js";

const REPO = "octo/app";
const TOKEN = "ghp_retrytestretrytestretrytestretry12";
const fake = useFakeGitHub({ repos: [REPO], tokens: [{ token: TOKEN, login: "octocat" }] });
const client = () => createOctokit({ token: TOKEN, baseUrl: fake.url, timeoutMs: 5000, retryAfterBaseMs: 10 });
const calls = (path: string) => fake.requests.filter((r) => r.path === path).length;

describe("retries of the GitHub client", () => {
  it("asks once for what GitHub refused (404, 401), instead of three more times", async () => {
    const octokit = await client();
    await expect(octokit.rest.issues.get({ owner: "octo", repo: "app", issue_number: 999 })).rejects.toMatchObject({ status: 404 });
    expect(calls("/repos/octo/app/issues/999")).toBe(1);
    const wrong = await createOctokit({ token: "ghp_wrongwrongwrongwrongwrongwrong1234", baseUrl: fake.url, timeoutMs: 5000, retryAfterBaseMs: 10 });
    await expect(wrong.rest.issues.listForRepo({ owner: "octo", repo: "app" })).rejects.toMatchObject({ status: 401 });
    expect(calls("/repos/octo/app/issues")).toBe(1);
  });

  it("repeats a read that failed on GitHub's side (5xx) until it succeeds, and a create not at all", async () => {
    const octokit = await client();
    fake.faults.add({ status: 502, method: "GET", route: "/repos/{owner}/{repo}/issues", times: 2 });
    const { data } = await octokit.rest.issues.listForRepo({ owner: "octo", repo: "app" });
    expect(data).toEqual([]);
    expect(calls("/repos/octo/app/issues")).toBe(3);
    fake.faults.add({ status: 502, method: "POST", route: "/repos/{owner}/{repo}/issues", times: 1 });
    await expect(octokit.rest.issues.create({ owner: "octo", repo: "app", title: "once", request: { retries: 0 } })).rejects.toMatchObject({ status: 502 });
    expect(fake.requests.filter((r) => r.method === "POST")).toHaveLength(1);
  });
});
