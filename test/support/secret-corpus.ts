/**
 * A fresh corpus of realistic secrets for every run: random values with the right prefixes, lengths and
 * character sets, each put in a line the way it really turns up in logs, errors and configs. `value` is
 * the part that must never leave (the random part and its prefix; not the kept text around it).
 */
import { randomBytes, randomInt } from "node:crypto";

export interface Secret {
  kind: string;
  value: string;
  /** A line that carries it. */
  line: string;
  /** The value is in the line only in an encoded form (base64 of it). */
  encoded?: true;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_DIGIT = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX = "0123456789abcdef";
const URLSAFE = `${ALNUM}-_`;

export function pick(chars: string, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += chars[randomInt(chars.length)];
  return s;
}

const b64 = (bytes: number) => randomBytes(bytes).toString("base64");
const b64url = (bytes: number) => randomBytes(bytes).toString("base64url");
/** A password people pick: letters, digits and a few symbols (never only one kind). */
const password = () => `${pick(LETTERS, 6)}${pick("0123456789", 3)}${pick("!#%*+-_", 1)}${pick(ALNUM, 6)}`;

function pem(label: string, crlf: boolean): { body: string; block: string } {
  const eol = crlf ? "\r\n" : "\n";
  const lines = Array.from({ length: 6 }, () => b64(48));
  const body = `MII${lines.join(eol)}`;
  return { body, block: `-----BEGIN ${label}-----${eol}${body}${eol}-----END ${label}-----` };
}

export function generateCorpus(): Secret[] {
  const s: Secret[] = [];
  const add = (kind: string, value: string, line: string, encoded?: true) => s.push({ kind, value, line, ...(encoded ? { encoded } : {}) });

  const ghp = `ghp_${pick(ALNUM, 36)}`;
  add("GitHub classic token", ghp, `git push failed: remote rejected token ${ghp}`);
  const pat = `github_pat_${pick(ALNUM, 22)}_${pick(ALNUM, 59)}`;
  add("GitHub fine-grained token", pat, `GITHUB_TOKEN=${pat}`);
  const npm = `npm_${pick(ALNUM, 36)}`;
  add("npm token", npm, `publish with NPM_TOKEN ${npm} failed`);
  const akia = `AKIA${pick(UPPER_DIGIT, 16)}`;
  add("AWS access key id", akia, `aws_access_key_id = ${akia}`);
  const awsSecret = pick(`${ALNUM}+/`, 40);
  add("AWS secret access key", awsSecret, `aws_secret_access_key = ${awsSecret}`);
  const xoxb = `xoxb-${pick("0123456789", 12)}-${pick("0123456789", 13)}-${pick(ALNUM, 24)}`;
  add("Slack bot token", xoxb, `slack: posting with ${xoxb}`);
  const xapp = `xapp-1-A${pick(UPPER_DIGIT, 10)}-${pick("0123456789", 13)}-${pick(HEX, 64)}`;
  add("Slack app token", xapp, `SLACK_APP_TOKEN: "${xapp}"`);
  const hook = `T${pick(UPPER_DIGIT, 8)}/B${pick(UPPER_DIGIT, 10)}/${pick(ALNUM, 24)}`;
  add("Slack webhook", hook, `notify https://hooks.slack.com/services/${hook} returned 404`);
  const stripe = `sk_live_${pick(ALNUM, 24)}`;
  add("Stripe key", stripe, `Stripe error for key ${stripe}: card declined`);
  const sendgrid = `SG.${pick(URLSAFE, 22)}.${pick(URLSAFE, 43)}`;
  add("SendGrid key", sendgrid, `mail: sendgrid.setApiKey('${sendgrid}')`);
  const twilioSid = `SK${pick(HEX, 32)}`;
  const twilioSecret = pick(ALNUM, 32);
  add("Twilio key SID", twilioSid, `twilio client key ${twilioSid} secret ${twilioSecret}`);
  add("Twilio key secret", twilioSecret, `TWILIO_API_SECRET=${twilioSecret}`);
  const openai = `sk-proj-${pick(URLSAFE, 74)}T3BlbkFJ${pick(URLSAFE, 74)}`;
  add("OpenAI project key", openai, `OpenAI 401: Incorrect API key provided: ${openai}`);
  const openaiLegacy = `sk-${pick(ALNUM, 20)}T3BlbkFJ${pick(ALNUM, 20)}`;
  add("OpenAI legacy key", openaiLegacy, `{"openai": {"apiKey": "${openaiLegacy}"}}`);
  const anthropic = `sk-ant-api03-${pick(URLSAFE, 93)}AA`;
  add("Anthropic key", anthropic, `x-api-key: ${anthropic}`);
  const hf = `hf_${pick(LETTERS, 34)}`;
  add("Hugging Face token", hf, `from_pretrained(token=${hf})`);
  const glpat = `glpat-${pick(URLSAFE, 20)}`;
  add("GitLab token", glpat, `remote: HTTP Basic: Access denied for ${glpat}`);
  const jwt = `eyJhbGciOiJIUzI1NiJ9.${b64url(60)}.${b64url(32)}`;
  add("JSON Web Token", jwt, `session jwt expired: ${jwt}`);
  const google = `AIza${pick(URLSAFE, 35)}`;
  add("Google API key", google, `maps?key=${google}&q=x`);

  const accountKey = b64(64);
  add("Azure storage account key", accountKey, `DefaultEndpointsProtocol=https;AccountName=acct${pick(HEX, 4)};AccountKey=${accountKey};EndpointSuffix=core.windows.net`);
  const sig = b64(32);
  add("Azure SAS signature", sig, `GET https://acct.blob.core.windows.net/c/b.bin?sv=2022-11-02&se=2030-01-01&sr=b&sp=r&sig=${encodeURIComponent(sig)} 403`);
  const amz = pick(HEX, 64);
  add("AWS presigned URL signature", amz, `https://bucket.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=${amz}`);

  const pgPass = password();
  add("password in a postgres URL", pgPass, `connect postgres://app:${pgPass}@db.internal:5432/prod failed`);
  const redisPass = password();
  add("password in a URL with an empty user", redisPass, `redis://:${redisPass}@cache.internal:6379/0 ECONNREFUSED`);
  const atPass = `${pick(LETTERS, 5)}@${pick(ALNUM, 8)}`;
  add("password with @ in a URL", atPass, `amqp://worker:${atPass}@mq.internal:5672 closed`);
  const encPass = password();
  add("credential URL-encoded in a query value", encPass, `redirect to /login?next=${encodeURIComponent(`https://svc:${encPass}@internal.host/x`)}`);
  const encToken = pick(ALNUM, 24);
  add("assignment URL-encoded in a query value", encToken, `GET /cb?state=${encodeURIComponent(`access_token=${encToken}&x=1`)}`);
  const dbPass = password();
  add("env-file line", dbPass, `DB_PASS=${dbPass}`);
  const exportPass = password();
  add("quoted env-file line", exportPass, `export SMTP_PASSWORD="${exportPass}"`);
  const jsonPass = password();
  add("JSON password", jsonPass, `{"user":"svc","password":"${jsonPass}"}`);
  const yamlSecret = pick(ALNUM, 28);
  add("YAML client secret", yamlSecret, `client_secret: ${yamlSecret}`);
  const bearer = b64url(30);
  add("Authorization header", bearer, `curl -H "Authorization: Bearer ${bearer}" https://api.internal/x`);
  const basic = Buffer.from(`deploy:${password()}`).toString("base64");
  add("Basic credentials", basic, `Authorization: Basic ${basic}`);
  const cookieSid = pick(ALNUM, 32);
  add("cookie header", cookieSid, `Cookie: theme=dark; connect.sid=s%3A${cookieSid}`);
  const dockerPass = password();
  const dockerAuth = Buffer.from(`robot:${dockerPass}`).toString("base64");
  add("docker auth (base64)", dockerAuth, `docker config: {"auths":{"registry.internal":{"auth":"${dockerAuth}"}}}`);
  add("docker auth password", dockerPass, `loaded blob ${dockerAuth} from ~/.docker`, true);
  const blobPass = password();
  const blob = Buffer.from(`DATABASE_URL=mysql://root:${blobPass}@db/x\nMODE=prod\n`).toString("base64");
  add("base64 config with a credential", blob, `config payload ${blob}`);
  const split = `ghp_${pick(ALNUM, 36)}`;
  add("token split across a line break", split, `auth failed for ${split.slice(0, 21)}\n${split.slice(21)} (wrapped)`);
  const nearWord = pick(ALNUM, 40);
  add("high-entropy token after a sensitive word", nearWord, `the deploy token is ${nearWord} (rotated weekly)`);

  const rsa = pem("RSA PRIVATE KEY", false);
  add("PEM RSA key (LF)", rsa.body, `key file:\n${rsa.block}`);
  const ec = pem("EC PRIVATE KEY", true);
  add("PEM EC key (CRLF)", ec.body, `key file:\r\n${ec.block}`);
  const ossh = pem("OPENSSH PRIVATE KEY", false);
  add("PEM OpenSSH key", ossh.body, ossh.block);
  const pkcs8 = pem("ENCRYPTED PRIVATE KEY", true);
  add("PEM encrypted key", pkcs8.body, pkcs8.block);

  const winUser = `${pick(LETTERS, 5)} ${pick(LETTERS, 7)}`;
  add("Windows user folder with a space", winUser, `    at load (C:\\Users\\${winUser}\\proj\\server.js:10:5)`);
  return s;
}

/** Values passed on the command line (`--flag value`): every report carries the command line. */
export function generateArgvSecrets(): Array<{ flag: string; value: string }> {
  return [
    { flag: "--db-password", value: password() },
    { flag: "--api-key", value: pick(ALNUM, 32) },
    { flag: "--token", value: pick(ALNUM, 40) },
  ];
}

/** Every form a leaked value could take in output: itself, URL-encoded, and each 12-character window. */
export function leakForms(value: string): string[] {
  const forms = new Set([value, encodeURIComponent(value)]);
  const plain = value.replace(/\r?\n/g, "");
  for (const line of value.split(/\r?\n/)) {
    for (let i = 0; i + 12 <= line.length; i++) forms.add(line.slice(i, i + 12));
  }
  if (plain.length < 12) forms.add(plain);
  return [...forms];
}

/** The forms of `secrets` found in `output`, as `kind: form`. */
export function findLeaks(output: string, secrets: ReadonlyArray<{ kind: string; value: string }>): string[] {
  const found: string[] = [];
  for (const { kind, value } of secrets) {
    for (const form of leakForms(value)) if (output.includes(form)) found.push(`${kind}: ${JSON.stringify(form)}`);
  }
  return found;
}

/** `value` itself when shorter than `n`, else every `n`-character window of each of its lines. */
export function fragmentsOf(value: string, n: number): string[] {
  const out = new Set<string>();
  for (const line of value.split(/\r?\n/)) {
    if (line.length < n) {
      if (line.length > 0) out.add(line);
      continue;
    }
    for (let i = 0; i + n <= line.length; i++) out.add(line.slice(i, i + n));
  }
  return [...out];
}
