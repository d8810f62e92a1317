/**
 * The rule book: one line per kind of secret whose format is known. Our own rules, written from the
 * formats the providers document and the public scanners (gitleaks, detect-secrets) list.
 *
 * Columns, separated by spaces:
 * 1. id;
 * 2. keywords, comma-separated, lower case: a keyword found (ignoring case) is where the rule looks;
 * 3. flags, `-` for none:
 *    `n`  the keyword names the value (`adafruit_key = …`): the value is read after the assignment
 *         that follows the keyword, within a short window; without `n` the keyword starts the value;
 *    `i`  the value's pattern ignores case;
 *    `bM-N` the keyword sits inside the value, which starts M to N characters before it;
 *    `eX` the value needs at least X bits of entropy per character;
 *    `wN` the value is usually N characters long: a shorter one cut by a line break goes on after it;
 *    `kN` the first N characters stay visible (a webhook's host and path);
 *    `p`  an id whose secret often follows it (`twilio(AC…, secret)`): a random-looking value right
 *         after it, on the same line, goes with it;
 * 4. the value's pattern: a regular expression with bounded repetition only, run anchored at one
 *    place, so each keyword costs a bounded amount of work.
 *
 * `docs/redaction.md` lists these rows (generated: `npm run docs:detectors`).
 */
export const DETECTOR_TABLE = String.raw`
1password-secret-key a3- e3.8 A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}
1password-service-account-token ops_ey - ops_eyJ[A-Za-z0-9+/]{50,2000}={0,3}
adafruit-api-key adafruit ni [a-z0-9_-]{32}
adobe-client-id adobe ni [a-f0-9]{32}
adobe-client-secret p8e- i p8e-[a-z0-9]{32}
age-secret-key age-secret-key-1 - AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}
airtable-api-key airtable ni [a-z0-9]{17}
airtable-personal-access-token pat - pat[A-Za-z0-9]{14}\.[a-f0-9]{64}
algolia-api-key algolia ni [a-z0-9]{32}
alibaba-access-key-id ltai p LTAI[A-Za-z0-9]{20}
alibaba-secret-key alibaba ni [a-z0-9]{30}
anthropic-api-key sk-ant- w108 sk-ant-(?:api|admin|sid)[0-9]{2}-[A-Za-z0-9_-]{20,200}
artifactory-api-key akc - AKC[a-zA-Z0-9]{10,100}
artifactory-password ap0,ap1,ap2,ap3,ap4,ap5,ap6,ap7,ap8,ap9,apa,apb,apc,apd,ape,apf - AP[0-9A-F][a-zA-Z0-9]{8,100}
artifactory-reference-token cmvmd - cmVmd[A-Za-z0-9]{59}
asana-client-id asana n [0-9]{16}
asana-client-secret asana ni [a-z0-9]{32}
atlassian-api-token atlassian,confluence,jira ni [a-z0-9]{20}[a-f0-9]{4}
atlassian-token atatt3 w192 ATATT3[A-Za-z0-9_=-]{40,300}
authress-access-key sc_,ext_,scauth_,authress_ i (?:sc|ext|scauth|authress)_[a-z0-9]{5,30}\.[a-z0-9]{4,6}\.acc[_-][a-z0-9-]{10,32}\.[a-z0-9+/_=-]{30,120}
aws-access-key-id akia,asia,agpa,aida,aroa,aipa,anpa,anva,abia,acca,a3t w20p (?:A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}
aws-bedrock-api-key absk,bedrock-api-key- - (?:ABSK[A-Za-z0-9+/]{100,300}={0,2}|bedrock-api-key-[A-Za-z0-9+/=]{20,2000})
aws-secret-access-key aws n [A-Za-z0-9/+]{40}
azure-ad-client-secret q~ b4-4 [a-zA-Z0-9_~.]{3}[0-9]Q~[a-zA-Z0-9_~.-]{31,34}
beamer-api-token beamer ni b_[a-z0-9=_-]{44}
bitbucket-client-id bitbucket ni [a-z0-9]{32}
bitbucket-client-secret bitbucket ni [a-z0-9=_-]{64}
bittrex-key bittrex ni [a-z0-9]{32}
cisco-meraki-api-key meraki ni [0-9a-f]{40}
clickhouse-cloud-secret 4b1d - 4b1d[A-Za-z0-9]{38}
clojars-api-token clojars_ i CLOJARS_[a-z0-9]{60}
cloudant-password cloudant ni [0-9a-f]{64}
cloudant-api-key cloudant n [a-z]{24}
cloudflare-api-key cloudflare ni [a-z0-9_-]{40}
cloudflare-global-api-key cloudflare ni [a-f0-9]{37}
cloudflare-origin-ca-key v1.0- - v1\.0-[a-f0-9]{24}-[a-f0-9]{146}
codecov-access-token codecov ni [a-z0-9]{32}
cohere-api-token cohere,co_api_key n [a-zA-Z0-9]{40}
coinbase-access-token coinbase ni [a-z0-9_-]{64}
confluent-access-token confluent ni [a-z0-9]{16}
confluent-secret-key confluent ni [a-z0-9]{64}
contentful-delivery-api-token contentful ni [a-z0-9=_-]{43}
databricks-api-token dapi - dapi[a-f0-9]{32}(?:-[0-9])?
datadog-access-token datadog ni [a-z0-9]{40}
defined-networking-api-token dnkey i dnkey-[a-z0-9=_-]{26}-[a-z0-9=_-]{52}
digitalocean-token dop_v1_,doo_v1_,dor_v1_ w71 do[opr]_v1_[a-f0-9]{40,64}
discord-api-token discord ni [a-f0-9]{64}
discord-client-id discord n [0-9]{18}
discord-client-secret discord ni [a-z0-9=_-]{32}
discord-bot-token mt,mz,mj,mg,mq,nd,nt,nj,nz,od,ot - (?:M[TzjgQ]|N[DTjz]|O[DT])[a-zA-Z0-9_-]{21,23}\.[a-zA-Z0-9_-]{6}\.[a-zA-Z0-9_-]{27,38}
discord-webhook discord.com/api/webhooks/,discordapp.com/api/webhooks/ k25 discord(?:app)?\.com/api/webhooks/[0-9]{5,30}/[A-Za-z0-9_-]{20,100}
docker-hub-token dckr_pat_,dckr_oat_ - dckr_(?:pat|oat)_[A-Za-z0-9_-]{20,80}
doppler-api-token dp.pt.,dp.st.,dp.sa.,dp.ct.,dp.scim.,dp.audit. i dp\.(?:pt|st|sa|ct|scim|audit)\.[a-z0-9._-]{40,60}
droneci-access-token droneci ni [a-z0-9]{32}
dropbox-api-token dropbox ni [a-z0-9]{15}
dropbox-long-lived-api-token dropbox ni [a-z0-9]{11}AAAAAAAAAA[a-z0-9_=-]{43}
dropbox-short-lived-api-token dropbox ni sl\.[a-z0-9=_-]{135,200}
duffel-api-token duffel_ i duffel_(?:test|live)_[a-z0-9_=-]{43}
dynatrace-api-token dt0c01. i dt0c01\.[a-z0-9]{24}\.[a-z0-9]{64}
easypost-api-token ezak,eztk i EZ[AT]K[a-z0-9]{54}
etsy-access-token etsy ni [a-z0-9]{24}
facebook-access-token | b15-16 [0-9]{15,16}(?:\||%7C)[0-9a-zA-Z_-]{27,40}
facebook-page-access-token eaam,eaac - EAA[MC][A-Za-z0-9]{100,400}
facebook-secret facebook ni [a-f0-9]{32}
fastly-api-token fastly ni [a-z0-9=_-]{32}
figma-token figd_ - figd_[A-Za-z0-9_-]{30,80}
finicity-api-token finicity ni [a-f0-9]{32}
finicity-client-secret finicity ni [a-z0-9]{20}
finnhub-access-token finnhub ni [a-z0-9]{20}
flickr-access-token flickr ni [a-z0-9]{32}
flutterwave-key flwseck_test-,flwpubk_test-,flwseck-,flwpubk- i FLW(?:SECK|PUBK)(?:_TEST)?-[a-h0-9]{12,32}(?:-X)?
flyio-access-token fo1_,fm1a_,fm1r_,fm2_ - (?:fo1_[A-Za-z0-9_-]{43}|fm1[ar]_[A-Za-z0-9+/]{100,2000}={0,3}|fm2_[A-Za-z0-9+/]{100,2000}={0,3})
frameio-api-token fio-u- i fio-u-[a-z0-9_=-]{64}
freemius-secret-key secret_key n sk_[A-Za-z0-9_+/=-]{29}
freshbooks-access-token freshbooks ni [a-z0-9]{64}
gcp-api-key aiza w39 AIza[A-Za-z0-9_-]{35}
gcp-oauth-token ya29. - ya29\.[A-Za-z0-9._-]{20,2000}
github-token ghp_,gho_,ghu_,ghs_,ghr_ w40 gh[pousr]_[A-Za-z0-9_]{20,255}
github-fine-grained-pat github_pat_ w93 github_pat_[A-Za-z0-9_]{20,255}
gitlab-token glpat-,gldt-,glptt-,glrt-,glcbt-,glft-,glimt-,glagent-,gloas-,glsoat-,glffct-,gldt-,glrtr-,glsa- - gl(?:pat|dt|ptt|rt|rtr|cbt|ft|imt|agent|oas|soat|ffct|sa)-[A-Za-z0-9_.-]{20,300}
gitlab-runner-registration-token gr1348941 - GR1348941[A-Za-z0-9_-]{20,60}
gitlab-session-cookie _gitlab_session= i _gitlab_session=[0-9a-z]{32}
gitter-access-token gitter ni [a-z0-9_-]{40}
gocardless-api-token gocardless ni live_[a-z0-9_=-]{40}
grafana-api-key eyjrijoi - eyJrIjoi[A-Za-z0-9]{70,400}={0,3}
grafana-cloud-api-token glc_ - glc_[A-Za-z0-9+/_]{32,400}={0,3}
grafana-service-account-token glsa_ - glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}
groq-api-key gsk_ - gsk_[A-Za-z0-9]{40,60}
harness-api-key pat.,sat. - (?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}
hashicorp-tf-api-token atlasv1 b15-15 [A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}
heroku-api-key heroku ni [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
heroku-api-key-v2 hrku- - HRKU-[A-Za-z0-9_-]{30,80}
hubspot-api-key hubspot ni [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
huggingface-token hf_,api_org_ w37 (?:hf|api_org)_[A-Za-z0-9]{30,40}
ibm-cloud-iam-key ibm ni [a-z0-9_-]{44}
ibm-cos-hmac-secret ibm,cos ni [a-f0-9]{48}
infracost-api-token ico- - ico-[A-Za-z0-9]{32}
intercom-api-key intercom ni [a-z0-9=_-]{60}
intra42-client-secret s-s4t2ud-,s-s4t2af- i s-s4t2(?:ud|af)-[a-f0-9]{64}
jfrog-api-key jfrog,artifactory,bintray,xray ni [a-z0-9]{73}
jfrog-identity-token jfrog,artifactory,bintray,xray ni [a-z0-9]{64}
jwt ey - ey[A-Za-z0-9]{10,1000}\.ey[A-Za-z0-9_/\\-]{10,8000}\.[A-Za-z0-9_/\\-]{0,2000}={0,2}
jwt-base64 zxlk - ZXlK[A-Za-z0-9+/_-]{40,8000}={0,2}
kraken-access-token kraken ni [a-z0-9/=_+-]{80,90}
kucoin-access-token kucoin ni [a-f0-9]{24}
kucoin-secret-key kucoin ni [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
launchdarkly-access-token launchdarkly ni [a-z0-9=_-]{40}
linear-api-key lin_api_ - lin_api_[A-Za-z0-9]{32,40}
linear-client-secret linear ni [a-f0-9]{32}
linkedin-client-id linkedin,linked_in,linked-in ni [a-z0-9]{14}
linkedin-client-secret linkedin,linked_in,linked-in ni [a-z0-9]{16}
lob-api-key live_,test_ - (?:live|test)_(?:pub_)?[a-f0-9]{31,35}
looker-client-id looker ni [a-z0-9]{20}
looker-client-secret looker ni [a-z0-9]{24}
mailchimp-api-key -us b32-32 [a-f0-9]{32}-us[0-9]{1,2}
mailgun-private-api-token key- - key-[a-f0-9]{32}
mailgun-pub-key pubkey- - pubkey-[a-f0-9]{32}
mailgun-signing-key mailgun ni [a-h0-9]{32}-[a-h0-9]{8}-[a-h0-9]{8}
mapbox-api-token pk.,sk.,tk. - [pst]k\.[A-Za-z0-9]{60,80}\.[A-Za-z0-9_-]{22}
mattermost-access-token mattermost ni [a-z0-9]{26}
maxmind-license-key _mmk b36-36 [A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk
messagebird-api-token messagebird,message-bird,message_bird ni [a-z0-9]{25}
messagebird-client-id messagebird,message-bird,message_bird ni [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
microsoft-teams-webhook .webhook.office.com/webhookb2/ k30 \.webhook\.office\.com/webhookb2/[A-Za-z0-9@/_-]{8,400}
netlify-access-token netlify ni [a-z0-9=_-]{40,46}
new-relic-key nrjs-,nrii-,nrak-,nral- i NR(?:JS|II|AK|AL)-[a-z0-9-]{19,40}
new-relic-user-api-id new-relic,newrelic,new_relic ni [a-z0-9]{64}
notion-token ntn_,secret_ - (?:ntn_[0-9]{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})
npm-access-token npm_ iw40 npm_[a-z0-9]{36}
nytimes-access-token nytimes,new-york-times,newyorktimes ni [a-z0-9=_-]{32}
octopus-deploy-api-key api- - API-[A-Z0-9]{26}
okta-access-token okta n 00[A-Za-z0-9_=-]{40}
openai-api-key sk- e3.5 sk-(?:(?:proj|svcacct|admin|None)-)?[A-Za-z0-9_-]{20,200}
openshift-user-token sha256~ - sha256~[A-Za-z0-9_-]{43}
perplexity-api-key pplx- - pplx-[A-Za-z0-9]{48}
plaid-api-token access-sandbox-,access-development-,access-production- - access-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
plaid-client-id plaid ni [a-z0-9]{24}
plaid-secret-key plaid ni [a-z0-9]{30}
planetscale-token pscale_tkn_,pscale_oauth_,pscale_pw_ i pscale_(?:tkn|oauth|pw)_[a-z0-9_=.-]{32,64}
postman-api-token pmak- i PMAK-[a-f0-9]{24}-[a-f0-9]{34}
prefect-api-token pnu_ - pnu_[A-Za-z0-9]{36}
privateai-api-token privateai,private_ai,private-ai ni [a-z0-9]{32}
pulumi-api-token pul- - pul-[a-f0-9]{40}
pypi-upload-token pypi-age - pypi-AgE[A-Za-z0-9_-]{50,1000}
rapidapi-access-token rapidapi ni [a-z0-9_-]{50}
readme-api-token rdme_ - rdme_[a-z0-9]{70}
rubygems-api-token rubygems_ - rubygems_[a-f0-9]{48}
scalingo-api-token tk-us- - tk-us-[A-Za-z0-9_-]{48}
sendbird-access-id sendbird ni [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
sendbird-access-token sendbird ni [a-f0-9]{40}
sendgrid-api-token sg. w69 SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}
sendinblue-api-token xkeysib-,xsmtpsib- - x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}
sentry-access-token sentry ni [a-f0-9]{64}
sentry-org-token sntrys_ - sntrys_eyJ[A-Za-z0-9+/=_]{40,1000}
sentry-user-token sntryu_ - sntryu_[a-f0-9]{64}
settlemint-token sm_aat_,sm_pat_,sm_sat_ - sm_[aps]at_[A-Za-z0-9]{16}
shippo-api-token shippo_ - shippo_(?:live|test)_[a-fA-F0-9]{40}
shopify-token shpat_,shpca_,shppa_,shpss_ - shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}
sidekiq-secret contribsys ni [a-f0-9]{8}:[a-f0-9]{8}
slack-token xoxb-,xoxa-,xoxp-,xoxo-,xoxs-,xoxr-,xoxe-,xoxe.,xapp- - (?:xox[abposr]-|xoxe[.-]|xapp-)[A-Za-z0-9.-]{8,300}
slack-webhook hooks.slack.com/ k25 hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{8,200}
snyk-api-token snyk ni [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
softlayer-api-key softlayer ni [a-z0-9]{64}
sonar-api-token sonar ni (?:squ_|sqp_|sqa_)?[a-z0-9=_-]{40}
sonar-token squ_,sqp_,sqa_ - sq[upa]_[a-f0-9]{40}
sourcegraph-access-token sgp_ - sgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40}
sourcegraph-key sourcegraph ni [a-f0-9]{40}
square-access-token sq0atp-,sq0csp-,eaaa - (?:EAAA|sq0atp-|sq0csp-)[A-Za-z0-9_-]{22,60}
squarespace-access-token squarespace ni [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
stripe-key sk_live_,sk_test_,sk_prod_,rk_live_,rk_test_,rk_prod_,pk_live_,pk_test_,pk_prod_,whsec_ - (?:[srp]k_(?:live|test|prod)|whsec)_[A-Za-z0-9]{10,247}
sumologic-access-id sumo n su[a-zA-Z0-9]{12}
sumologic-access-token sumo ni [a-z0-9]{64}
telegram-bot-token :aa b8-10 [0-9]{8,10}:AA[A-Za-z0-9_-]{33}
telegram-bot-api-token telegr ni [0-9]{5,16}:A[a-z0-9_-]{34}
travisci-access-token travis ni [a-z0-9]{22}
twilio-account-sid ac p AC[a-f0-9]{32}
twilio-api-key sk w34p SK[0-9a-fA-F]{32}
twitch-api-token twitch ni [a-z0-9]{30}
twitter-access-secret twitter ni [a-z0-9]{45}
twitter-access-token twitter n [0-9]{15,25}-[a-zA-Z0-9]{20,40}
twitter-api-key twitter ni [a-z0-9]{25}
twitter-api-secret twitter ni [a-z0-9]{50}
twitter-bearer-token aaaaaaaaaaaaaaaaaaaaaa - A{22}[A-Za-z0-9%]{80,100}
typeform-api-token tfp_ i tfp_[a-z0-9_.=-]{59}
vault-token hvs.,hvb.,hvr. - hv[sbr]\.[A-Za-z0-9_-]{24,300}
vault-legacy-token s. e3.5 s\.[A-Za-z0-9]{24}
vercel-token vcp_,vci_,vca_,vcr_,vck_ - vc[pirak]_[A-Za-z0-9]{20,80}
yandex-access-token t1. - t1\.[A-Za-z0-9_-]{10,200}={0,2}\.[A-Za-z0-9_-]{86}={0,2}
yandex-api-key aqvn - AQVN[A-Za-z0-9_-]{35,38}
yandex-aws-access-token yandex n YC[a-zA-Z0-9_-]{38}
zendesk-secret-key zendesk ni [a-z0-9]{40}
`;

export interface Detector {
  id: string;
  keywords: readonly string[];
  /** The keyword names the value instead of starting it. */
  near: boolean;
  /** The value's pattern, sticky (`y`), case-insensitive when the row says so. */
  pattern: RegExp;
  entropy: number;
  /** How far before the keyword the value starts: at least `backMin`, at most `back`. */
  backMin: number;
  back: number;
  /** The pattern's first character when it is a literal one (a quick test before running it). */
  first: number;
  /** Usual length (for values wrapped onto the next line); 0 when unknown. */
  wrap: number;
  /** Characters kept visible at the start of the value. */
  keep: number;
  /** A random-looking value right after it is its secret. */
  pair: boolean;
}

export function parseDetectors(table: string = DETECTOR_TABLE): Detector[] {
  const list: Detector[] = [];
  for (const line of table.split("\n")) {
    const [id, keywords, flags, source] = line.trim().split(/ +/);
    if (id === undefined || source === undefined || keywords === undefined || flags === undefined) continue;
    const num = (letter: string) => Number(new RegExp(`${letter}([0-9.]+)`).exec(flags)?.[1] ?? 0);
    list.push({
      id,
      keywords: keywords === "|" ? ["|", "%7c"] : keywords.split(","),
      near: flags.includes("n"),
      pattern: new RegExp(source, flags.includes("i") ? "iy" : "y"),
      entropy: num("e"),
      backMin: num("b"),
      back: Number(/b[0-9]+-([0-9]+)/.exec(flags)?.[1] ?? num("b")),
      first: /^[A-Za-z0-9]/.test(source) && !flags.includes("i") ? source.charCodeAt(0) : -1,
      wrap: num("w"),
      keep: num("k"),
      pair: /p(?![0-9.])/.test(flags),
    });
  }
  return list;
}
