// Local Slack Web API for CARE bot's end-to-end tests.
//
// Usage: node tests/e2e/slack_emulator.mjs SEED.json
//
// Starts the `emulate` Slack emulator on a free loopback port and, in front of it, a small
// recording and fault-injecting proxy (node:http only) on another free loopback port. Prints one
// line `READY {json}` on stdout, then runs until stdin closes or SIGTERM/SIGINT arrives.
//
// Seed file (our own small format, translated here into emulate's seed):
//   { "team": {"name", "domain"},
//     "bot": {"name", "bot_name", "token", "harness_token", "bot_id", "bot_user_id", "app_id"},
//     "users": [{"name", "real_name", "title", "email"}],
//     "channels": [{"name", "is_private", "purpose", "members": [user names]}],
//     "usergroups": {"S...": [user names or ids]} }
// The bot is made a member of every seeded channel; with `members` given, the channel holds
// exactly those users and the bot.
//
// Proxy routes:
//   /api/<method>         forwarded to the emulator and recorded (a GET is forwarded as a form
//                         POST: the emulator routes POST only; unknown methods get unknown_method)
//   /api/usergroups.users.list   answered here from the usergroups map
//   /api/apps.connections.open   answered here (xapp- tokens only) with the Socket Mode URL set
//                         by POST /__control/socket_mode {"url": "ws://127.0.0.1:PORT/..."}
//   Enterprise Grid org-wide install, set by POST /__control/enterprise
//                         {"id": "E...", "name": "...", "workspaces": [{"id": "T...", "name"}]}
//                         ({} ends it): auth.test for the bot's tokens names the organisation
//                         (enterprise_id, is_enterprise_install: true), auth.teams.list lists
//                         the workspaces, and usergroups.users.list needs one of their team_ids,
//                         as Slack does for an org-wide token.
//   POST /__hooks/...     stands in for response_url; recorded as method "response_url"
//   /__control/...        calls, reset_calls, faults, clear_faults, usergroups, socket_mode,
//                         reset, info, ratelimit ({method, per_second} per channel, like
//                         Slack's 1 post/s)
// A fault with `delay` (seconds) holds the call that long before forwarding it (a slow Slack).
import http from "node:http";
import net from "node:net";
import { readFileSync } from "node:fs";
import { createEmulator } from "emulate";

const HOST = "127.0.0.1";
const ADMIN_USER_ID = "U000000001"; // emulate always seeds this admin user
const ADMIN_TOKEN = "xoxp-care-e2e-admin";
// emulate answers 403 after 5,000 calls per token per hour; rotate to equivalent alias tokens.
const ALIAS_EVERY = 4000;
const ALIAS_COUNT = 10;
const JSON_PARAMS = ["blocks", "attachments", "view", "metadata"];

const DEFAULT_BOT = {
  name: "CARE bot",
  bot_name: "care-bot",
  token: "xoxb-care-e2e-bot",
  harness_token: "xoxb-care-e2e-harness",
  bot_id: "B0CAREBOT",
  bot_user_id: "U0CAREBOT",
  app_id: "A0CAREBOT",
};

function log(...args) {
  process.stderr.write(`[slack_emulator] ${args.join(" ")}\n`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function aliasTokens(token) {
  const out = [];
  for (let i = 1; i < ALIAS_COUNT; i += 1) out.push(`${token}-r${i}`);
  return out;
}

function botTokenRecords(bot) {
  const base = [bot.token, bot.harness_token];
  const all = base.flatMap((token) => [token, ...aliasTokens(token)]);
  return all.map((token) => ({
    token,
    type: "bot",
    user: bot.bot_user_id,
    bot_id: bot.bot_id,
    bot_user_id: bot.bot_user_id,
    app_id: bot.app_id,
  }));
}

function emulateSeed(seed, bot) {
  const users = (seed.users ?? []).map((u) => ({
    name: u.name,
    real_name: u.real_name ?? u.name,
    profile: {
      email: u.email ?? `${u.name}@care-test.invalid`,
      title: u.title ?? "",
      display_name: u.name,
      real_name: u.real_name ?? u.name,
    },
  }));
  const channels = (seed.channels ?? []).map((c) => ({
    name: c.name,
    is_private: Boolean(c.is_private),
    purpose: c.purpose ?? "",
  }));
  const app = {
    client_id: `${bot.app_id}.client`,
    client_secret: "care-e2e-client-secret",
    name: bot.name,
    app_id: bot.app_id,
    bot_id: bot.bot_id,
    bot_user_id: bot.bot_user_id,
    bot_name: bot.bot_name,
    scopes: ["chat:write", "im:write", "users:read", "usergroups:read", "channels:read", "groups:read"],
  };
  const tokens = [...botTokenRecords(bot), { token: ADMIN_TOKEN, type: "user", user: ADMIN_USER_ID }];
  return { slack: { team: seed.team, users, channels, oauth_apps: [app], tokens } };
}

function httpPost(url, headers, body = "") {
  return new Promise((resolve, reject) => {
    const options = { method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) } };
    const req = http.request(url, options, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () =>
        resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function slackCall(baseUrl, token, method, params) {
  const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
  const res = await httpPost(`${baseUrl}/api/${method}`, headers, JSON.stringify(params));
  const body = JSON.parse(res.text);
  if (!body.ok) throw new Error(`${method} ${JSON.stringify(params)} failed: ${JSON.stringify(body)}`);
  return body;
}

async function listAll(baseUrl, token, method, key, params) {
  const body = await slackCall(baseUrl, token, method, { limit: 1000, ...params });
  return body[key];
}

async function setMembership(baseUrl, channel, wanted, botUserId) {
  const call = (method, params) => slackCall(baseUrl, ADMIN_TOKEN, method, params);
  await call("conversations.invite", { channel: channel.id, users: botUserId });
  const keep = new Set([...(wanted ?? []), botUserId, ADMIN_USER_ID]);
  const members = (await call("conversations.members", { channel: channel.id })).members;
  if (wanted) {
    for (const member of members.filter((m) => !keep.has(m))) {
      await call("conversations.kick", { channel: channel.id, user: member });
    }
    if (!wanted.includes(ADMIN_USER_ID)) await call("conversations.leave", { channel: channel.id });
  }
}

async function arrangeChannels(baseUrl, seed, users, bot) {
  const all = await listAll(baseUrl, ADMIN_TOKEN, "conversations.list", "channels", {
    types: "public_channel,private_channel",
  });
  for (const spec of seed.channels ?? []) {
    const channel = all.find((c) => c.name === spec.name);
    if (!channel) throw new Error(`seeded channel ${spec.name} not found`);
    const wanted = spec.members ? spec.members.map((name) => users[name] ?? name) : undefined;
    await setMembership(baseUrl, channel, wanted, bot.bot_user_id);
  }
  const visible = await listAll(baseUrl, bot.token, "conversations.list", "channels", {
    types: "public_channel,private_channel",
  });
  return Object.fromEntries(visible.map((c) => [c.name, c.id]));
}

function resolveUsergroups(groups, users) {
  const out = new Map();
  for (const [id, members] of Object.entries(groups ?? {})) {
    out.set(id, members.map((name) => users[name] ?? name));
  }
  return out;
}

// ---------------------------------------------------------------- proxy state

class ProxyState {
  constructor(bot) {
    this.bot = bot;
    this.calls = [];
    this.seq = 0;
    this.faults = [];
    this.usergroups = new Map();
    this.tokenUse = new Map();
    this.ratelimits = new Map(); // method -> {per_second, last: Map(channel -> ms)}
    this.socketModeUrl = undefined;
    this.socketModeTickets = 0;
    this.enterprise = undefined;
  }

  // Returns seconds to wait when `method` to `channel` is over its per-channel limit.
  overLimit(method, channel, client) {
    const limit = this.ratelimits.get(method);
    if (!limit || client === "harness") return 0;
    const now = Date.now();
    const key = channel ?? "";
    const last = limit.last.get(key);
    const gap = 1000 / limit.per_second;
    if (last !== undefined && now - last < gap) return Math.max(1, Math.ceil((gap - (now - last)) / 1000));
    limit.last.set(key, now);
    return 0;
  }

  clientOf(token) {
    const base = token?.replace(/-r\d+$/, "");
    if (base === this.bot.harness_token) return "harness";
    if (base === this.bot.token) return "bot";
    return token ? "other" : "anonymous";
  }

  // Returns the token to forward, rotating through alias tokens for the known ones.
  forwardToken(token) {
    if (token !== this.bot.token && token !== this.bot.harness_token) return token;
    const used = (this.tokenUse.get(token) ?? 0) + 1;
    this.tokenUse.set(token, used);
    const slot = Math.min(Math.floor(used / ALIAS_EVERY), ALIAS_COUNT - 1);
    return slot === 0 ? token : `${token}-r${slot}`;
  }

  record(entry) {
    this.seq += 1;
    const call = { seq: this.seq, time: Date.now() / 1000, ...entry };
    this.calls.push(call);
    return call;
  }

  takeFault(method, client) {
    if (client === "harness") return undefined;
    const fault = this.faults.find((f) => f.remaining > 0 && (f.method === method || f.method === "*"));
    if (!fault) return undefined;
    fault.remaining -= 1;
    return fault;
  }

  query(url) {
    const method = url.searchParams.get("method");
    const client = url.searchParams.get("client");
    const since = Number(url.searchParams.get("since") ?? 0);
    return this.calls.filter(
      (c) => (!method || c.method === method) && (!client || c.client === client) && c.seq > since,
    );
  }
}

// ---------------------------------------------------------------- HTTP helpers

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function decodeJsonParams(params) {
  for (const key of JSON_PARAMS) {
    if (typeof params[key] !== "string") continue;
    try {
      params[key] = JSON.parse(params[key]);
    } catch {
      // keep the raw string; the emulator will judge it
    }
  }
  return params;
}

function parseParams(contentType, raw, url) {
  const params = Object.fromEntries(url.searchParams.entries());
  if (!raw) return params;
  if (contentType.includes("application/json")) {
    try {
      return { ...params, ...JSON.parse(raw) };
    } catch {
      return { ...params, _unparsed_body: raw };
    }
  }
  return decodeJsonParams({ ...params, ...Object.fromEntries(new URLSearchParams(raw)) });
}

function bearer(req) {
  const header = req.headers.authorization ?? "";
  const token = header.replace(/^Bearer\s+/i, "").trim();
  return token || undefined;
}

function tryJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------- API route

function faultReply(fault) {
  const headers = {};
  if (fault.status === 429) headers["retry-after"] = String(fault.retry_after ?? 1);
  const error = fault.error ?? (fault.status === 429 ? "ratelimited" : "internal_error");
  return { status: fault.status, headers, body: { ok: false, error } };
}

function usergroupReply(state, params, token) {
  if (!token) return { status: 200, headers: {}, body: { ok: false, error: "not_authed" } };
  const users = state.usergroups.get(params.usergroup);
  if (!users) return { status: 200, headers: {}, body: { ok: false, error: "no_such_subteam" } };
  return { status: 200, headers: {}, body: { ok: true, users } };
}

function teamsListReply(state, token) {
  if (!token) return { status: 200, headers: {}, body: { ok: false, error: "not_authed" } };
  const teams = (state.enterprise?.workspaces ?? []).map((t) => ({ id: t.id, name: t.name ?? t.id }));
  return { status: 200, headers: {}, body: { ok: true, teams, response_metadata: { next_cursor: "" } } };
}

function orgUsergroupReply(state, params, token) {
  const known = (state.enterprise.workspaces ?? []).map((t) => t.id);
  if (!params.team_id) return { status: 200, headers: {}, body: { ok: false, error: "missing_argument" } };
  if (!known.includes(params.team_id)) return { status: 200, headers: {}, body: { ok: false, error: "team_not_found" } };
  return usergroupReply(state, params, token);
}

async function orgAuthTest(emulatorUrl, state, req, raw, url, token) {
  const reply = await forward(emulatorUrl, state, req, "auth.test", raw, url, token);
  if (reply.body?.ok) {
    const org = state.enterprise;
    reply.body = { ...reply.body, team: org.name, team_id: org.id, enterprise_id: org.id,
      is_enterprise_install: true, app_id: state.bot.app_id };
  }
  return reply;
}

function socketModeReply(state, token) {
  if (!token) return { status: 200, headers: {}, body: { ok: false, error: "not_authed" } };
  if (!token.startsWith("xapp-")) {
    return { status: 200, headers: {}, body: { ok: false, error: "not_allowed_token_type" } };
  }
  if (!state.socketModeUrl) return { status: 200, headers: {}, body: { ok: false, error: "unknown_method" } };
  state.socketModeTickets += 1;
  const url = `${state.socketModeUrl}?ticket=${state.socketModeTickets}`;
  return { status: 200, headers: {}, body: { ok: true, url } };
}

async function forward(emulatorUrl, state, req, method, raw, url, token) {
  const asForm = req.method === "GET" || (!raw && [...url.searchParams.keys()].length > 0);
  const form = "application/x-www-form-urlencoded";
  const headers = { "content-type": asForm ? form : (req.headers["content-type"] ?? form) };
  if (token) headers.authorization = `Bearer ${state.forwardToken(token)}`;
  const body = asForm ? url.searchParams.toString() : raw;
  const res = await httpPost(`${emulatorUrl}/api/${method}`, headers, body);
  if (res.status === 404) {
    return { status: 200, headers: {}, body: { ok: false, error: "unknown_method" } };
  }
  const extra = {};
  if (res.headers["retry-after"]) extra["retry-after"] = res.headers["retry-after"];
  return { status: res.status, headers: extra, body: tryJson(res.text) };
}

async function handleApi(ctx, req, res, url) {
  const { state, emulatorUrl } = ctx;
  const method = url.pathname.slice("/api/".length);
  const raw = await readBody(req);
  const params = parseParams(req.headers["content-type"] ?? "", raw, url);
  const token = bearer(req) ?? (typeof params.token === "string" ? params.token : undefined);
  delete params.token;
  const client = state.clientOf(token);
  // The bot's calls on a connection opened before the last reset belong to an earlier test's
  // bot (killed mid-request): they take no faults and are not recorded.
  const generation = req.socket.careGeneration ?? 0;
  const stale = () => client === "bot" && (state.generation ?? 0) !== generation;
  let fault = stale() ? undefined : state.takeFault(method, client);
  let reply;
  if (fault && fault.delay) {
    await new Promise((resolve) => setTimeout(resolve, fault.delay * 1000));
    if (!fault.error && fault.status === 200) fault = undefined; // slow, then answered normally
  }
  const wait = fault ? 0 : state.overLimit(method, params.channel, client);
  if (wait) reply = { status: 429, headers: { "retry-after": String(wait) }, body: { ok: false, error: "ratelimited" } };
  else if (fault && fault.after_forwarding) {
    // Slack did the work, but its answer is lost: forward, then fail.
    await forward(emulatorUrl, state, req, method, raw, url, token);
    reply = faultReply(fault);
  } else if (fault) reply = faultReply(fault);
  else if (method === "usergroups.users.list" && state.enterprise) reply = orgUsergroupReply(state, params, token);
  else if (method === "usergroups.users.list") reply = usergroupReply(state, params, token);
  else if (method === "auth.teams.list" && state.enterprise) reply = teamsListReply(state, token);
  else if (method === "auth.test" && state.enterprise && client !== "other") {
    reply = await orgAuthTest(emulatorUrl, state, req, raw, url, token);
  }
  else if (method === "apps.connections.open") reply = socketModeReply(state, token);
  else reply = await forward(emulatorUrl, state, req, method, raw, url, token);
  if (!stale()) state.record({
    method,
    params,
    http_status: reply.status,
    response: reply.body,
    client,
    faulted: Boolean(fault),
    http_method: req.method,
  });
  sendJson(res, reply.status, reply.body, reply.headers);
}

async function handleHook(ctx, req, res, url) {
  const raw = await readBody(req);
  const parsed = tryJson(raw);
  const params = typeof parsed === "object" && parsed !== null ? parsed : { _unparsed_body: raw };
  const fault = ctx.state.takeFault("response_url", "bot"); // a dead response_url, on request
  const status = fault ? (fault.status === 200 ? 404 : fault.status) : 200;
  const body = fault ? { ok: false, error: fault.error ?? "expired_url" } : { ok: true };
  ctx.state.record({
    method: "response_url",
    params,
    path: url.pathname,
    http_status: status,
    response: body,
    client: "bot",
    faulted: Boolean(fault),
    http_method: req.method,
  });
  sendJson(res, status, body);
}

// ---------------------------------------------------------------- control routes

function addFault(state, spec) {
  if (!spec.method) throw new Error("fault needs a method");
  const status = Number(spec.status ?? 200);
  if (status === 200 && !spec.error && !spec.delay) throw new Error("a status-200 fault needs an error or a delay");
  const fault = {
    method: spec.method,
    status,
    remaining: Number(spec.count ?? 1),
    retry_after: spec.retry_after ?? 1,
    error: spec.error ?? undefined,
    after_forwarding: Boolean(spec.after_forwarding),
    delay: Number(spec.delay ?? 0),
  };
  state.faults.push(fault);
  return fault;
}

function setUsergroups(state, body) {
  for (const [id, users] of Object.entries(body)) {
    if (users === null) state.usergroups.delete(id);
    else state.usergroups.set(id, users);
  }
  return Object.fromEntries(state.usergroups);
}

function resetState(ctx) {
  // A call that arrived before this reset (from the previous test's bot, killed mid-request)
  // neither takes the next test's faults nor lands in its recorded calls.
  ctx.state.generation = (ctx.state.generation ?? 0) + 1;
  ctx.state.calls = [];
  ctx.state.faults = [];
  ctx.state.usergroups = new Map(ctx.seedUsergroups);
  ctx.state.ratelimits = new Map();
  ctx.state.socketModeUrl = undefined;
  ctx.state.enterprise = undefined;
}

async function handleControl(ctx, req, res, url) {
  const { state } = ctx;
  const action = url.pathname.slice("/__control/".length);
  const body = req.method === "POST" ? tryJson((await readBody(req)) || "{}") : {};
  const key = `${req.method} ${action}`;
  if (key === "GET calls") return sendJson(res, 200, { ok: true, calls: state.query(url), last_seq: state.seq });
  if (key === "POST reset_calls") {
    state.calls = [];
    return sendJson(res, 200, { ok: true, last_seq: state.seq });
  }
  if (key === "POST faults") return sendJson(res, 200, { ok: true, fault: addFault(state, body) });
  if (key === "GET faults") return sendJson(res, 200, { ok: true, faults: state.faults });
  if (key === "POST clear_faults") {
    state.faults = [];
    return sendJson(res, 200, { ok: true });
  }
  if (key === "POST ratelimit") {
    if (body.per_second) state.ratelimits.set(body.method, { per_second: Number(body.per_second), last: new Map() });
    else state.ratelimits.delete(body.method);
    return sendJson(res, 200, { ok: true });
  }
  if (key === "POST usergroups") return sendJson(res, 200, { ok: true, usergroups: setUsergroups(state, body) });
  if (key === "POST socket_mode") {
    state.socketModeUrl = body.url || undefined;
    return sendJson(res, 200, { ok: true, url: state.socketModeUrl ?? null });
  }
  if (key === "POST enterprise") {
    state.enterprise = body.id ? { id: body.id, name: body.name ?? body.id, workspaces: body.workspaces ?? [] } : undefined;
    return sendJson(res, 200, { ok: true, enterprise: state.enterprise ?? null });
  }
  if (key === "POST reset") {
    resetState(ctx);
    return sendJson(res, 200, { ok: true, last_seq: state.seq });
  }
  if (key === "GET info") return sendJson(res, 200, { ok: true, ...ctx.info });
  return sendJson(res, 404, { ok: false, error: `unknown control ${key}` });
}

function proxyHandler(ctx) {
  return async (req, res) => {
    const url = new URL(req.url, `http://${HOST}`);
    try {
      if (url.pathname.startsWith("/api/")) return await handleApi(ctx, req, res, url);
      if (url.pathname.startsWith("/__control/")) return await handleControl(ctx, req, res, url);
      if (url.pathname.startsWith("/__hooks/")) return await handleHook(ctx, req, res, url);
      return sendJson(res, 404, { ok: false, error: "not_found" });
    } catch (error) {
      log("proxy error:", error?.stack ?? error);
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: `proxy_error: ${error?.message ?? error}` });
    }
  };
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, HOST, () => {
      server.off("error", reject);
      resolve(server.address().port);
    });
  });
}

// ---------------------------------------------------------------- main

async function startEmulator(seed, bot) {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    try {
      const emulator = await createEmulator({
        service: "slack",
        port,
        hostname: HOST,
        baseUrl: `http://${HOST}:${port}`,
        seed: emulateSeed(seed, bot),
      });
      return { emulator, url: `http://${HOST}:${port}` };
    } catch (error) {
      if (error?.code !== "EADDRINUSE" || attempt >= 5) throw error;
    }
  }
}

function onShutdown(stop) {
  let stopping = false;
  const once = () => {
    if (stopping) return;
    stopping = true;
    stop().finally(() => process.exit(0));
  };
  process.on("SIGTERM", once);
  process.on("SIGINT", once);
  process.stdin.on("end", once);
  process.stdin.on("close", once);
  process.stdin.resume();
}

async function main() {
  const seedPath = process.argv[2];
  if (!seedPath) throw new Error("usage: node slack_emulator.mjs SEED.json");
  const seed = JSON.parse(readFileSync(seedPath, "utf8"));
  const bot = { ...DEFAULT_BOT, ...(seed.bot ?? {}) };
  const { emulator, url: emulatorUrl } = await startEmulator(seed, bot);
  const members = await listAll(emulatorUrl, ADMIN_TOKEN, "users.list", "members", {});
  const users = Object.fromEntries(members.map((u) => [u.name, u.id]));
  const channels = await arrangeChannels(emulatorUrl, seed, users, bot);
  const seedUsergroups = resolveUsergroups(seed.usergroups, users);
  const state = new ProxyState(bot);
  state.usergroups = new Map(seedUsergroups);
  const ctx = { state, emulatorUrl, seedUsergroups, info: {} };
  const server = http.createServer(proxyHandler(ctx));
  // Each connection remembers the reset generation it was opened in (see resetState).
  server.on("connection", (socket) => { socket.careGeneration = state.generation ?? 0; });
  const proxyPort = await listen(server, 0);
  const base = `http://${HOST}:${proxyPort}`;
  const team = await slackCall(emulatorUrl, bot.token, "auth.test", {});
  ctx.info = {
    api_url: `${base}/api/`,
    control_url: `${base}/__control/`,
    hooks_url: `${base}/__hooks/`,
    emulator_url: emulatorUrl,
    users,
    channels,
    bot_token: bot.token,
    harness_token: bot.harness_token,
    bot_user_id: bot.bot_user_id,
    bot_id: bot.bot_id,
    app_id: bot.app_id,
    team_id: team.team_id,
    team_domain: seed.team?.domain ?? "emulate",
  };
  onShutdown(async () => {
    server.closeAllConnections();
    server.close();
    await emulator.close();
  });
  process.stdout.write(`READY ${JSON.stringify(ctx.info)}\n`);
}

main().catch((error) => {
  log("failed to start:", error?.stack ?? error);
  process.exit(1);
});
