// The sandbox page: plays the Slack client for one person at a time.
(() => {
"use strict";

const { h, mrkdwn, textNode, plain, renderBlocks, stateValues, carryOver } = window.BlockKit;

const app = {
  info: null,
  me: null,
  people: {},
  snapshot: null,
  place: { kind: "home" }, // {kind: "home"} | {kind: "messages"} (the bot's DM) | {kind: "channel", id}
  modalKey: null,
  modalCtx: null,
  homeKey: null,
  homeCtx: null,
  homeAskedAt: 0, // when this page last asked the bot for Home (app_home_opened)
  poll: null,
  busy: false,
  dismissed: new Set(),
  openThreads: new Set(), // parent ts of the threads this person opened
  seen: {}, // conversation id -> how many of its messages this person has looked at
};

const $ = (id) => document.getElementById(id);

async function post(action) {
  app.busy = true;
  document.body.classList.add("busy");
  try {
    const response = await fetch("/sandbox/do", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user: app.me, ...action }),
    });
    if (!response.ok) toast(`The sandbox refused that: ${(await response.json()).error}`);
  } catch (error) {
    toast("The sandbox is not answering. Is `bash scripts/run.sh` still running?");
  } finally {
    app.busy = false;
    document.body.classList.remove("busy");
  }
}

function toast(text) {
  const node = h("div", { class: "toast", role: "status" }, text,
    h("button", { type: "button", class: "link", onclick: () => node.remove() }, "Dismiss"));
  $("toasts").append(node);
  setTimeout(() => node.remove(), 12000);
}

function baseCtx() {
  return {
    people: app.people,
    me: app.me,
    conversations: app.snapshot ? app.snapshot.conversations : [],
    confirm: showConfirm,
    state: {},
  };
}

// ---------------------------------------------------------------- confirm dialogs

function showConfirm(confirm, onYes) {
  const ctx = baseCtx();
  const close = () => backdrop.remove();
  const backdrop = h("div", { class: "backdrop confirm-backdrop" },
    h("div", { class: "dialog", role: "alertdialog", "aria-label": plain(confirm.title) },
      h("h3", {}, plain(confirm.title) || "Are you sure?"),
      textNode(confirm.text, ctx, "div"),
      h("div", { class: "dialog-buttons" },
        h("button", { type: "button", class: "btn", onclick: close }, plain(confirm.deny) || "Cancel"),
        h("button", {
          type: "button", class: `btn ${confirm.style === "danger" ? "danger" : "primary"}`,
          onclick: () => { close(); onYes(); },
        }, plain(confirm.confirm) || "Yes"))));
  document.body.append(backdrop);
}

// ---------------------------------------------------------------- sidebar and header

function renderWho() {
  const select = $("who");
  select.innerHTML = "";
  for (const person of app.info.people) {
    select.append(h("option", { value: person.id }, `${person.real_name} — ${person.about}`));
  }
  select.value = app.me;
}

function renderSidebar() {
  const nav = $("places");
  nav.innerHTML = "";
  const item = (label, place, extra) => {
    const active = samePlace(place, app.place);
    return h("button", { type: "button", class: `place${active ? " active" : ""}`, onclick: () => go(place) }, label, extra || null);
  };
  nav.append(h("div", { class: "section-title" }, "Apps"),
    item("CARE bot — Home", { kind: "home" }),
    item("CARE bot — Messages", { kind: "messages" }, unread(dm())));
  nav.append(h("div", { class: "section-title" }, "Channels"));
  for (const c of (app.snapshot?.conversations || []).filter((c) => c.kind === "channel")) {
    nav.append(item(`${c.private ? "🔒 " : "# "}${c.name}`, { kind: "channel", id: c.id }, unread(c)));
  }
}

function total(conversation) {
  return conversation.messages.length + conversation.ephemerals.length;
}

function unread(conversation) {
  if (!conversation) return null;
  const count = total(conversation) - (app.seen[conversation.id] || 0);
  return count > 0 ? h("span", { class: "count", title: "New messages" }, String(count)) : null;
}

function samePlace(a, b) {
  return a.kind === b.kind && (a.id || null) === (b.id || null);
}

function dm() {
  return (app.snapshot?.conversations || []).find((c) => c.kind === "dm");
}

function currentConversation() {
  if (app.place.kind === "messages") return dm();
  if (app.place.kind === "channel") return (app.snapshot?.conversations || []).find((c) => c.id === app.place.id);
  return null;
}

function go(place) {
  app.place = place;
  showNav(false);
  if (place.kind === "home") app.homeAskedAt = Date.now();
  render();
  if (place.kind === "home") post({ kind: "home" });
}

// On a phone the sidebar folds behind the ☰ button.
function showNav(open) {
  document.body.classList.toggle("nav-open", open);
  $("nav-toggle").setAttribute("aria-expanded", String(open));
}

// ---------------------------------------------------------------- messages

function sender(message) {
  // An ephemeral's `user` is the one person who sees it; the bot sent it.
  if (message.ephemeral || message.user === app.info.bot_user_id) return "CARE bot";
  return app.people[message.user]?.real_name || "Someone";
}

function when(ts) {
  const date = new Date(parseFloat(ts) * 1000);
  return isNaN(date) ? "" : date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function messageNode(conversation, message, isEphemeral) {
  const ctx = { ...baseCtx(), onAction: (action) => post({ kind: "message_action", channel: conversation.id, ts: message.ts, action, values: stateValues(ctx.state) }) };
  const body = message.blocks && message.blocks.length ? renderBlocks(message.blocks, ctx) : h("div", { class: "mrkdwn", html: mrkdwn(message.text, ctx) });
  const shortcuts = (app.info.shortcuts || []).filter((s) => s.type === "message");
  const more = shortcuts.length && !isEphemeral ? messageShortcuts(conversation, message, shortcuts) : null;
  return h("div", { class: `message${isEphemeral ? " ephemeral" : ""}`, "data-ts": message.ts },
    h("div", { class: "avatar" }, sender(message)[0]),
    h("div", { class: "message-main" },
      h("div", { class: "meta" }, h("b", {}, sender(message)), sender(message) === "CARE bot" ? h("span", { class: "app-badge" }, "APP") : null,
        h("span", { class: "time" }, when(message.ts)),
        message.edited ? h("span", { class: "edited", title: "Updated in place by chat.update" }, "(updated)") : null,
        more),
      isEphemeral ? h("div", { class: "only-you" }, "👁 Only visible to you",
        h("button", { type: "button", class: "link", onclick: () => { app.dismissed.add(message.ts); render(); } }, "Dismiss")) : null,
      body,
      (message.files || []).map((name) => h("div", { class: "file" }, `📄 ${name}`))));
}

function messageShortcuts(conversation, message, shortcuts) {
  const menu = h("div", { class: "menu hidden" });
  for (const s of shortcuts) {
    menu.append(h("button", { type: "button", class: "menu-item", onclick: () => { menu.classList.add("hidden"); post({ kind: "shortcut", callback_id: s.callback_id, channel: conversation.id, ts: message.ts }); } }, s.name));
  }
  return h("span", { class: "overflow-wrap" },
    h("button", { type: "button", class: "btn overflow", "aria-label": "More actions", title: "More actions", onclick: () => menu.classList.toggle("hidden") }, "⋯"), menu);
}

function renderConversation(conversation) {
  const list = $("messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.innerHTML = "";
  const ephemerals = conversation.ephemerals.filter((e) => !app.dismissed.has(e.ts));
  const parents = conversation.messages.filter((m) => !m.thread_ts || m.thread_ts === m.ts);
  const replies = (ts) => [
    ...conversation.messages.filter((m) => m.thread_ts === ts && m.ts !== ts),
    ...ephemerals.filter((e) => e.thread_ts === ts).map((e) => ({ ...e, ephemeral: true })),
  ];
  const items = [...parents, ...ephemerals.filter((e) => !e.thread_ts).map((e) => ({ ...e, ephemeral: true }))];
  items.sort((a, b) => parseFloat(a.ts) - parseFloat(b.ts));
  if (!items.length) list.append(h("div", { class: "empty" }, emptyText(conversation)));
  for (const message of items) {
    const wrap = h("div", { class: "thread-wrap" }, messageNode(conversation, message, message.ephemeral));
    const thread = message.ephemeral ? [] : replies(message.ts);
    if (thread.length) {
      const open = app.openThreads.has(message.ts);
      const toggle = () => {
        if (open) app.openThreads.delete(message.ts);
        else app.openThreads.add(message.ts);
        render();
      };
      wrap.append(h("div", { class: "thread" },
        h("button", { type: "button", class: "thread-title", "aria-expanded": String(open), onclick: toggle },
          `${thread.length} ${thread.length === 1 ? "reply" : "replies"}`, open ? " · Hide thread" : ""),
        open ? thread.map((reply) => messageNode(conversation, reply, reply.ephemeral)) : null));
    }
    list.append(wrap);
  }
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function emptyText(conversation) {
  if (conversation.kind === "dm") return "No messages from CARE bot yet. Confirmations, reminders and check-ins arrive here.";
  return "Nothing here yet. Type /threat below to report a threatening client.";
}

// ---------------------------------------------------------------- Home tab

// How long the page waits for the bot to publish Home (app_home_opened) before saying it has not.
const HOME_WAIT_MS = 15000;

function renderHome() {
  const pane = $("home");
  const view = app.snapshot?.home;
  const waited = Date.now() - (app.homeAskedAt || 0);
  const opening = !view && waited < HOME_WAIT_MS;
  const key = view ? `${view.id}:${view.hash}` : opening ? "opening" : "none";
  if (key === app.homeKey) return;
  const oldState = app.homeCtx?.state;
  pane.innerHTML = "";
  app.homeKey = key;
  if (!view) {
    app.homeCtx = null;
    if (opening) {
      // Asked for, not yet published: the bot answers app_home_opened in a moment.
      pane.append(h("div", { class: "empty", role: "status" }, "Opening CARE bot's Home…"));
      setTimeout(() => { if (app.place.kind === "home") renderHome(); }, HOME_WAIT_MS - waited + 50);
      return;
    }
    pane.append(h("div", { class: "empty" }, "CARE bot has not published a Home tab for you. Type /threat in a channel or in CARE bot's Messages to report a threat."));
    return;
  }
  const ctx = { ...baseCtx(), onAction: (action) => post({ kind: "view_action", view_id: view.id, action, values: stateValues(ctx.state) }) };
  pane.append(renderBlocks(view.blocks, ctx));
  carryOver(oldState, ctx.state);
  app.homeCtx = ctx;
}

// ---------------------------------------------------------------- modals

function renderModal() {
  const holder = $("modal-holder");
  const modal = app.snapshot?.modal;
  const key = modal ? `${modal.view.id}:${modal.view.hash}:${JSON.stringify(modal.errors)}` : null;
  if (key === app.modalKey) return;
  const oldState = app.modalCtx?.state;
  const sameView = app.modalCtx && modal && app.modalCtx.viewId === modal.view.id;
  app.modalKey = key;
  holder.innerHTML = "";
  if (!modal) {
    app.modalCtx = null;
    return;
  }
  const view = modal.view;
  const ctx = { ...baseCtx(), errors: modal.errors, viewId: view.id,
    onAction: (action) => post({ kind: "view_action", view_id: view.id, action, values: stateValues(ctx.state) }) };
  const body = h("div", { class: "modal-body" }, renderBlocks(view.blocks, ctx));
  const submit = view.submit ? h("button", { type: "submit", class: "btn primary" }, plain(view.submit)) : null;
  const form = h("form", { class: "modal", role: "dialog", "aria-label": plain(view.title), novalidate: true },
    h("div", { class: "modal-head" },
      modal.depth > 1 ? h("span", { class: "stack", title: "Views in this modal's stack (Slack allows 3)" }, `${modal.depth} / 3`) : null,
      h("h2", {}, plain(view.title)),
      h("button", { type: "button", class: "x", "aria-label": "Close", onclick: () => post({ kind: "close", view_id: view.id }) }, "×")),
    body,
    h("div", { class: "modal-foot" },
      h("button", { type: "button", class: "btn", onclick: () => post({ kind: "close", view_id: view.id }) }, plain(view.close) || "Cancel"),
      submit));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (app.busy) return;
    if (!checkRequired(form, ctx)) return;
    post({ kind: "submit", view_id: view.id, values: stateValues(ctx.state) });
  });
  holder.append(h("div", { class: "backdrop" }, form));
  if (sameView || oldState) carryOver(oldState, ctx.state);
  app.modalCtx = ctx;
}

// The Slack client itself refuses to send a modal with an empty required field.
function checkRequired(form, ctx) {
  let ok = true;
  for (const node of form.querySelectorAll(".block.input.required")) {
    const entries = ctx.state[node.dataset.blockId] || {};
    const empty = Object.values(entries).some((entry) => {
      const value = Object.values(entry.read()).find((v, i) => i === 1);
      return value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length);
    });
    node.querySelector(".error").textContent = empty ? "Please complete this required field." : "";
    node.classList.toggle("has-error", empty);
    if (empty) ok = false;
  }
  return ok;
}

// ---------------------------------------------------------------- composer

function onCompose(event) {
  event.preventDefault();
  const input = $("compose-text");
  const text = input.value.trim();
  const conversation = currentConversation();
  if (!text || !conversation) return;
  const match = text.match(/^(\/\S+)\s*([\s\S]*)$/);
  if (!match) {
    toast("In the sandbox only CARE bot's commands reach anyone: type /threat.");
    return;
  }
  const [, command, rest] = match;
  if (!(app.info.commands || []).includes(command)) {
    toast(`${command} is not a valid command. In Slack, all messages that start with "/" are interpreted as commands.`);
    return;
  }
  input.value = "";
  post({ kind: "command", channel: conversation.id, command, text: rest });
}

function renderShortcuts() {
  const menu = $("shortcut-menu");
  menu.innerHTML = "";
  const global = (app.info.shortcuts || []).filter((s) => s.type !== "message");
  $("shortcut-button").hidden = !global.length;
  for (const s of global) {
    menu.append(h("button", { type: "button", class: "menu-item", onclick: () => { menu.classList.add("hidden"); post({ kind: "shortcut", callback_id: s.callback_id }); } },
      h("b", {}, s.name), s.description ? h("small", {}, ` — ${s.description}`) : null));
  }
}

// ---------------------------------------------------------------- main loop

function render() {
  if (!app.snapshot) return;
  const conversation = currentConversation();
  if (conversation) app.seen[conversation.id] = total(conversation);
  renderSidebar();
  const home = app.place.kind === "home";
  $("home").hidden = !home;
  $("messages").hidden = home;
  $("composer").hidden = home;
  if (home) {
    $("pane-title").textContent = "CARE bot — Home";
    renderHome();
  } else if (conversation) {
    $("pane-title").textContent = conversation.kind === "dm" ? "CARE bot — Messages" : `${conversation.private ? "🔒" : "#"} ${conversation.name}`;
    $("compose-text").placeholder = conversation.kind === "dm" ? "Message CARE bot (type /threat)" : `Message #${conversation.name} (type /threat)`;
    renderConversation(conversation);
  }
  renderModal();
  for (const notice of app.snapshot.notices || []) {
    if (!app.dismissed.has(notice.id)) {
      app.dismissed.add(notice.id);
      toast(notice.text);
    }
  }
}

async function pollLoop(me) {
  let since = -1;
  while (app.me === me) {
    try {
      const response = await fetch(`/sandbox/state?user=${encodeURIComponent(me)}&since=${since}`);
      if (!response.ok) throw new Error(String(response.status));
      const snapshot = await response.json();
      if (app.me !== me) return;
      since = snapshot.version;
      app.snapshot = snapshot;
      render();
    } catch (error) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function becomePerson(id) {
  app.me = id;
  app.snapshot = null;
  app.modalKey = app.homeKey = undefined; // draw both afresh for this person
  app.modalCtx = app.homeCtx = null;
  $("modal-holder").innerHTML = "";
  $("home").innerHTML = "";
  app.seen = {};
  app.place = { kind: "home" };
  app.homeAskedAt = Date.now();
  const url = new URL(window.location.href);
  url.searchParams.set("as", app.people[id].name);
  history.replaceState(null, "", url);
  pollLoop(id);
  post({ kind: "home" });
}

async function start() {
  for (;;) {
    try {
      app.info = await (await fetch("/sandbox/info")).json();
      if (app.info.ready) break;
    } catch (error) { /* not up yet */ }
    $("status").textContent = "Starting CARE bot…";
    await new Promise((resolve) => setTimeout(resolve, 700));
  }
  $("status").textContent = "";
  $("team").textContent = app.info.team;
  $("timings").textContent = app.info.timings;
  for (const person of app.info.people) app.people[person.id] = person;
  const wanted = new URL(window.location.href).searchParams.get("as");
  const first = app.info.people.find((p) => p.name === wanted) || app.info.people[0];
  app.me = first.id;
  renderWho();
  renderShortcuts();
  $("who").addEventListener("change", (event) => becomePerson(event.target.value));
  $("composer").addEventListener("submit", onCompose);
  $("shortcut-button").addEventListener("click", () => $("shortcut-menu").classList.toggle("hidden"));
  $("nav-toggle").addEventListener("click", () => showNav(!document.body.classList.contains("nav-open")));
  becomePerson(first.id);
}

start();
})();
