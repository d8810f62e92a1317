// In-memory GitHub state for one fake server instance: repos, issues,
// comments, labels, users. Plus the renderers that turn stored records into
// the JSON shapes the REST API returns (complete enough to pass the spec's
// response schemas).

export interface StoredUser {
  login: string;
  id: number;
  type: "User" | "Bot";
}

export interface StoredLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export interface StoredComment {
  id: number;
  body: string;
  user: StoredUser;
  createdAt: string;
  updatedAt: string;
}

export interface StoredIssue {
  id: number;
  number: number;
  /** Deleted (or transferred away): gone from every list and lookup; its number is never reused. */
  deleted?: boolean;
  title: string;
  body: string | null;
  state: "open" | "closed";
  stateReason: "completed" | "not_planned" | "reopened" | "duplicate" | null;
  /** Label names, in the order they were applied. */
  labels: string[];
  assignees: string[];
  user: StoredUser;
  comments: StoredComment[];
  /** Reactions on the issue itself (one per user and content, as on GitHub). */
  reactions: StoredReaction[];
  locked: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  closedBy: StoredUser | null;
}

export interface StoredReaction {
  id: number;
  content: "+1" | "-1" | "laugh" | "confused" | "heart" | "hooray" | "rocket" | "eyes";
  user: StoredUser;
  createdAt: string;
}

export interface RepoState {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  createdAt: string;
  issues: StoredIssue[];
  labels: Map<string, StoredLabel>;
}

export interface StoredInstallation {
  id: number;
  account: string;
  repositories?: string[];
}

/** GitHub timestamps have second precision: `2024-01-01T00:00:00Z`. */
export function githubTime(ms: number = Date.now()): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

const DEFAULT_LABEL_COLOR = "ededed";

export class FakeState {
  readonly repos = new Map<string, RepoState>();
  private nextId = 1000;
  private readonly users = new Map<string, StoredUser>();

  constructor(
    private readonly repoNames: readonly string[],
    readonly webBase: string = "https://github.com",
  ) {
    this.reset();
  }

  reset(): void {
    this.repos.clear();
    this.users.clear();
    this.nextId = 1000;
    for (const fullName of this.repoNames) {
      const [owner, name] = fullName.split("/");
      if (!owner || !name) throw new Error(`repo must be "owner/name", got ${JSON.stringify(fullName)}`);
      this.repos.set(fullName.toLowerCase(), {
        id: this.id(),
        owner,
        name,
        fullName,
        createdAt: githubTime(Date.UTC(2020, 0, 1)),
        issues: [],
        labels: new Map(),
      });
    }
  }

  id(): number {
    return this.nextId++;
  }

  repo(owner: string, name: string): RepoState | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  user(login: string, type: "User" | "Bot" = "User"): StoredUser {
    let u = this.users.get(login.toLowerCase());
    if (!u) {
      u = { login, id: this.id(), type };
      this.users.set(login.toLowerCase(), u);
    }
    return u;
  }

  /** Finds a label case-insensitively, or creates it as GitHub does for users with push access. */
  ensureLabel(repo: RepoState, name: string): StoredLabel {
    const existing = repo.labels.get(name.toLowerCase());
    if (existing) return existing;
    const label: StoredLabel = { id: this.id(), name, color: DEFAULT_LABEL_COLOR, description: null, default: false };
    repo.labels.set(name.toLowerCase(), label);
    return label;
  }

  createIssue(
    repo: RepoState,
    input: {
      title: string;
      body?: string | null;
      labels?: string[];
      assignees?: string[];
      state?: "open" | "closed";
      stateReason?: StoredIssue["stateReason"];
      user: StoredUser;
      now?: number;
    },
  ): StoredIssue {
    const now = githubTime(input.now);
    const labels = (input.labels ?? []).map((l) => this.ensureLabel(repo, l).name);
    const closed = input.state === "closed";
    const issue: StoredIssue = {
      id: this.id(),
      number: repo.issues.length + 1,
      title: input.title,
      body: input.body ?? null,
      state: closed ? "closed" : "open",
      stateReason: closed ? (input.stateReason ?? "completed") : null,
      labels: [...new Set(labels)],
      assignees: [...new Set(input.assignees ?? [])],
      user: input.user,
      comments: [],
      reactions: [],
      locked: false,
      createdAt: now,
      updatedAt: now,
      closedAt: closed ? now : null,
      closedBy: closed ? input.user : null,
    };
    repo.issues.push(issue);
    return issue;
  }

  issue(repo: RepoState, number: number): StoredIssue | undefined {
    const issue = repo.issues[number - 1];
    return issue?.deleted === true ? undefined : issue;
  }

  // ------------------------------------------------------------ renderers

  renderUser(u: StoredUser, apiBase: string): Record<string, unknown> {
    // Bot logins like `app[bot]` need escaping to stay valid URIs.
    const login = encodeURIComponent(u.login);
    const url = `${apiBase}/users/${login}`;
    return {
      login: u.login,
      id: u.id,
      node_id: nodeId("U", u.id),
      avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
      gravatar_id: "",
      url,
      html_url:
        u.type === "Bot" ? `${this.webBase}/apps/${encodeURIComponent(u.login.replace(/\[bot\]$/, ""))}` : `${this.webBase}/${login}`,
      followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`,
      gists_url: `${url}/gists{/gist_id}`,
      starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`,
      organizations_url: `${url}/orgs`,
      repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`,
      received_events_url: `${url}/received_events`,
      type: u.type,
      user_view_type: "public",
      site_admin: false,
    };
  }

  renderLabel(repo: RepoState, l: StoredLabel, apiBase: string): Record<string, unknown> {
    return {
      id: l.id,
      node_id: nodeId("LA", l.id),
      url: `${apiBase}/repos/${repo.fullName}/labels/${encodeURIComponent(l.name)}`,
      name: l.name,
      color: l.color,
      description: l.description,
      default: l.default,
    };
  }

  renderIssue(repo: RepoState, i: StoredIssue, apiBase: string): Record<string, unknown> {
    const repoUrl = `${apiBase}/repos/${repo.fullName}`;
    const url = `${repoUrl}/issues/${i.number}`;
    const assignees = i.assignees.map((login) => this.renderUser(this.user(login), apiBase));
    return {
      id: i.id,
      node_id: nodeId("I_kw", i.id),
      url,
      repository_url: repoUrl,
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: `${this.webBase}/${repo.fullName}/issues/${i.number}`,
      number: i.number,
      state: i.state,
      state_reason: i.stateReason,
      title: i.title,
      body: i.body,
      user: this.renderUser(i.user, apiBase),
      labels: i.labels.map((name) => this.renderLabel(repo, this.ensureLabel(repo, name), apiBase)),
      assignee: assignees[0] ?? null,
      assignees,
      milestone: null,
      locked: i.locked,
      active_lock_reason: null,
      comments: i.comments.length,
      closed_at: i.closedAt,
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      closed_by: i.closedBy ? this.renderUser(i.closedBy, apiBase) : null,
      author_association: "OWNER",
      timeline_url: `${url}/timeline`,
      performed_via_github_app: null,
      reactions: {
        url: `${url}/reactions`,
        total_count: i.reactions.length,
        "+1": i.reactions.filter((r) => r.content === "+1").length,
        "-1": i.reactions.filter((r) => r.content === "-1").length,
        laugh: i.reactions.filter((r) => r.content === "laugh").length,
        hooray: i.reactions.filter((r) => r.content === "hooray").length,
        confused: i.reactions.filter((r) => r.content === "confused").length,
        heart: i.reactions.filter((r) => r.content === "heart").length,
        rocket: i.reactions.filter((r) => r.content === "rocket").length,
        eyes: i.reactions.filter((r) => r.content === "eyes").length,
      },
    };
  }

  renderComment(repo: RepoState, issue: StoredIssue, c: StoredComment, apiBase: string): Record<string, unknown> {
    return {
      id: c.id,
      node_id: nodeId("IC_kw", c.id),
      url: `${apiBase}/repos/${repo.fullName}/issues/comments/${c.id}`,
      html_url: `${this.webBase}/${repo.fullName}/issues/${issue.number}#issuecomment-${c.id}`,
      body: c.body,
      user: this.renderUser(c.user, apiBase),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      issue_url: `${apiBase}/repos/${repo.fullName}/issues/${issue.number}`,
      author_association: "OWNER",
      performed_via_github_app: null,
      reactions: {
        url: `${apiBase}/repos/${repo.fullName}/issues/comments/${c.id}/reactions`,
        total_count: 0,
        "+1": 0,
        "-1": 0,
        laugh: 0,
        hooray: 0,
        confused: 0,
        heart: 0,
        rocket: 0,
        eyes: 0,
      },
    };
  }

  renderRepo(repo: RepoState, apiBase: string): Record<string, unknown> {
    const url = `${apiBase}/repos/${repo.fullName}`;
    const html = `${this.webBase}/${repo.fullName}`;
    const openIssues = repo.issues.filter((i) => i.state === "open").length;
    const owner = this.renderUser(this.user(repo.owner), apiBase);
    return {
      id: repo.id,
      node_id: nodeId("R_kg", repo.id),
      name: repo.name,
      full_name: repo.fullName,
      owner,
      private: false,
      html_url: html,
      description: null,
      fork: false,
      url,
      archive_url: `${url}/{archive_format}{/ref}`,
      assignees_url: `${url}/assignees{/user}`,
      blobs_url: `${url}/git/blobs{/sha}`,
      branches_url: `${url}/branches{/branch}`,
      collaborators_url: `${url}/collaborators{/collaborator}`,
      comments_url: `${url}/comments{/number}`,
      commits_url: `${url}/commits{/sha}`,
      compare_url: `${url}/compare/{base}...{head}`,
      contents_url: `${url}/contents/{+path}`,
      contributors_url: `${url}/contributors`,
      deployments_url: `${url}/deployments`,
      downloads_url: `${url}/downloads`,
      events_url: `${url}/events`,
      forks_url: `${url}/forks`,
      git_commits_url: `${url}/git/commits{/sha}`,
      git_refs_url: `${url}/git/refs{/sha}`,
      git_tags_url: `${url}/git/tags{/sha}`,
      git_url: `git://github.com/${repo.fullName}.git`,
      issue_comment_url: `${url}/issues/comments{/number}`,
      issue_events_url: `${url}/issues/events{/number}`,
      issues_url: `${url}/issues{/number}`,
      keys_url: `${url}/keys{/key_id}`,
      labels_url: `${url}/labels{/name}`,
      languages_url: `${url}/languages`,
      merges_url: `${url}/merges`,
      milestones_url: `${url}/milestones{/number}`,
      notifications_url: `${url}/notifications{?since,all,participating}`,
      pulls_url: `${url}/pulls{/number}`,
      releases_url: `${url}/releases{/id}`,
      ssh_url: `git@github.com:${repo.fullName}.git`,
      stargazers_url: `${url}/stargazers`,
      statuses_url: `${url}/statuses/{sha}`,
      subscribers_url: `${url}/subscribers`,
      subscription_url: `${url}/subscription`,
      tags_url: `${url}/tags`,
      teams_url: `${url}/teams`,
      trees_url: `${url}/git/trees{/sha}`,
      clone_url: `${html}.git`,
      mirror_url: null,
      hooks_url: `${url}/hooks`,
      svn_url: html,
      homepage: null,
      language: "TypeScript",
      forks_count: 0,
      forks: 0,
      stargazers_count: 0,
      watchers_count: 0,
      watchers: 0,
      size: 1,
      default_branch: "main",
      open_issues_count: openIssues,
      open_issues: openIssues,
      is_template: false,
      topics: [],
      has_issues: true,
      has_projects: true,
      has_wiki: true,
      has_pages: false,
      has_downloads: true,
      has_discussions: false,
      archived: false,
      disabled: false,
      visibility: "public",
      pushed_at: repo.createdAt,
      created_at: repo.createdAt,
      updated_at: repo.createdAt,
      permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
      allow_forking: true,
      web_commit_signoff_required: false,
      license: null,
      network_count: 0,
      subscribers_count: 1,
    };
  }
}

function nodeId(prefix: string, id: number): string {
  return `${prefix}${Buffer.from(`fake:${id}`).toString("base64url")}`;
}
