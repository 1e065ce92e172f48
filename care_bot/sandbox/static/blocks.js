// Block Kit, rendered the way the Slack client shows it: one generic renderer for messages,
// modals and the Home tab. Interactive elements call ctx.onAction(action, block); stateful
// elements register a reader in ctx.state so a submit can send view.state.values.
(() => {
"use strict";

const EMOJI = {
  rotating_light: "🚨", warning: "⚠️", white_check_mark: "✅", heavy_check_mark: "✔️",
  ballot_box_with_check: "☑️", x: "❌", bell: "🔔", telephone_receiver: "📞", phone: "☎️",
  sos: "🆘", lock: "🔒", memo: "📝", clipboard: "📋", hourglass: "⌛", hourglass_flowing_sand: "⏳",
  red_circle: "🔴", large_green_circle: "🟢", large_yellow_circle: "🟡", information_source: "ℹ️",
  shield: "🛡️", house: "🏠", busts_in_silhouette: "👥", bust_in_silhouette: "👤", eyes: "👀",
  raised_hand: "✋", wave: "👋", heart: "❤️", blue_heart: "💙", alarm_clock: "⏰", calendar: "📅",
  pushpin: "📌", point_right: "👉", exclamation: "❗", heavy_exclamation_mark: "❗", question: "❓",
  no_entry: "⛔", no_entry_sign: "🚫", construction: "🚧", closed_lock_with_key: "🔐", bank: "🏦",
  speech_balloon: "💬", envelope: "✉️", inbox_tray: "📥", outbox_tray: "📤", chart_with_upwards_trend: "📈",
  bar_chart: "📊", page_facing_up: "📄", file_folder: "📁", link: "🔗", mag: "🔍", runner: "🏃",
  door: "🚪", police_car: "🚓", rotating_light_: "🚨", thumbsup: "👍", "+1": "👍", ok_hand: "👌",
  hugging_face: "🤗", seedling: "🌱", sparkles: "✨", tada: "🎉", arrow_right: "➡️", leftwards_arrow_with_hook: "↩️",
};

const STATE_KEYS = {
  plain_text_input: "value", email_text_input: "value", url_text_input: "value", number_input: "value",
  static_select: "selected_option", external_select: "selected_option", radio_buttons: "selected_option",
  multi_static_select: "selected_options", multi_external_select: "selected_options",
  checkboxes: "selected_options", users_select: "selected_user", multi_users_select: "selected_users",
  conversations_select: "selected_conversation", multi_conversations_select: "selected_conversations",
  channels_select: "selected_channel", multi_channels_select: "selected_channels",
  datepicker: "selected_date", timepicker: "selected_time", datetimepicker: "selected_date_time",
};

function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "html") node.innerHTML = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function emojify(html) {
  return html.replace(/:([a-z0-9_+-]+):/g, (all, name) => EMOJI[name] ?? all);
}

// Slack's mrkdwn to HTML. `<...>` are control sequences (mentions, links); everything else is
// text in which the sender escaped &, < and > as entities.
function controlSequence(inner, ctx) {
  const people = (ctx && ctx.people) || {};
  const [target, label] = inner.split("|");
  if (target.startsWith("@")) {
    const id = target.slice(1);
    const name = people[id] ? people[id].real_name : label || id;
    return `<span class="mention${id === (ctx && ctx.me) ? " me" : ""}">@${escapeHtml(name)}</span>`;
  }
  if (target.startsWith("#")) return `<span class="mention">#${escapeHtml(label || target.slice(1))}</span>`;
  if (target.startsWith("!date^")) return escapeHtml(formatDate(target, label));
  if (target.startsWith("!subteam^")) return `<span class="mention">${escapeHtml(label || "@group")}</span>`;
  if (target.startsWith("!")) return `<span class="mention me">@${escapeHtml(target.slice(1).split("^")[0])}</span>`;
  if (/^(https?:|mailto:|tel:)/.test(target)) {
    return `<a href="${escapeHtml(target)}" target="_blank" rel="noopener noreferrer">${escapeHtml(label || target)}</a>`;
  }
  return escapeHtml(`<${inner}>`);
}

// <!date^seconds^{date_short} at {time}|fallback>, in the reader's own time zone.
function formatDate(target, fallback) {
  const [, seconds, format] = target.split("^");
  const date = new Date(Number(seconds) * 1000);
  if (isNaN(date) || !format) return fallback || "";
  return format.replace(/\{(\w+)\}/g, (all, token) => {
    if (token.startsWith("date")) {
      const long = token.includes("long") || token.includes("pretty");
      return date.toLocaleDateString([], long ? { weekday: "short", month: "short", day: "numeric", year: "numeric" } : {});
    }
    if (token === "time_secs") return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    if (token.startsWith("time")) return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    return all;
  });
}

function formatText(raw) {
  let html = escapeHtml(raw.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&"));
  html = html.replace(/```([\s\S]*?)```/g, "<pre>$1</pre>");
  html = html.replace(/`([^`\n]+)`/g, "<code>$1</code>");
  html = html.replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/g, "$1<b>$2</b>");
  html = html.replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,:;!?])/g, "$1<i>$2</i>");
  html = html.replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s).,:;!?])/g, "$1<s>$2</s>");
  html = html.replace(/^&gt; ?(.*)$/gm, "<blockquote>$1</blockquote>");
  return emojify(html);
}

function mrkdwn(text, ctx) {
  const parts = String(text ?? "").split(/<([^<>]*)>/);
  const html = parts.map((part, index) => (index % 2 ? controlSequence(part, ctx) : formatText(part))).join("");
  return html.replace(/\n/g, "<br>");
}

function textNode(obj, ctx, tag = "span") {
  if (!obj) return h(tag, {});
  if (typeof obj === "string") return h(tag, { html: mrkdwn(obj, ctx) });
  if (obj.type === "mrkdwn") return h(tag, { class: "mrkdwn", html: mrkdwn(obj.text, ctx) });
  return h(tag, { html: emojify(escapeHtml(obj.text)) });
}

function plain(obj) {
  return obj ? String(obj.text ?? "") : "";
}

function allOptions(element) {
  const options = [...(element.options || [])];
  for (const group of element.option_groups || []) options.push(...(group.options || []));
  return options;
}

function sameOption(a, b) {
  return a && b && a.value === b.value;
}

// ---------------------------------------------------------------- elements

function button(element, block, ctx) {
  const classes = ["btn", element.style || ""].join(" ").trim();
  const node = h("button", { type: "button", class: classes, "data-action-id": element.action_id }, textNode(element.text, ctx));
  node.addEventListener("click", () => {
    const action = { type: "button", action_id: element.action_id, block_id: block.block_id, text: element.text };
    if (element.value !== undefined) action.value = element.value;
    if (element.style) action.action_style = element.style;
    const go = () => {
      if (element.url) window.open(element.url, "_blank", "noopener");
      ctx.onAction(action, block);
    };
    if (element.confirm) ctx.confirm(element.confirm, go);
    else go();
  });
  return node;
}

function selectChoices(element, ctx) {
  const type = element.type;
  if (type.includes("users_select")) {
    return Object.entries(ctx.people || {}).map(([id, p]) => ({ value: id, label: `${p.real_name} (${p.title})` }));
  }
  if (type.includes("conversations_select") || type.includes("channels_select")) {
    return (ctx.conversations || []).map((c) => ({ value: c.id, label: c.kind === "dm" ? c.name : `#${c.name}` }));
  }
  return allOptions(element).map((o) => ({ value: o.value, label: plain(o.text), option: o }));
}

function initialOf(element) {
  const key = STATE_KEYS[element.type];
  const initialKey = key.replace(/^selected_/, "initial_").replace(/^value$/, "initial_value");
  return element[initialKey];
}

// Registers a reader for view.state.values and returns the element's node.
function stateful(element, block, ctx, interactive) {
  const type = element.type;
  const key = STATE_KEYS[type];
  const id = `el-${ctx.serial++}`;
  let node;
  let read;
  const dispatch = () => {
    if (!interactive) return;
    const entry = read();
    ctx.onAction({ type, action_id: element.action_id, block_id: block.block_id, [key]: entry[key] }, block);
  };
  const initial = initialOf(element);
  if (type === "plain_text_input" || type.endsWith("_text_input") || type === "number_input") {
    const inputType = { email_text_input: "email", url_text_input: "url", number_input: "number" }[type] || "text";
    const attrs = { id, placeholder: plain(element.placeholder), maxlength: element.max_length, minlength: element.min_length };
    node = element.multiline ? h("textarea", { ...attrs, rows: 4 }) : h("input", { ...attrs, type: inputType });
    node.value = initial ?? "";
    read = () => ({ type, value: node.value === "" ? null : node.value });
    node.addEventListener("change", () => dispatch());
  } else if (type === "radio_buttons" || type === "checkboxes") {
    const multiple = type === "checkboxes";
    const options = allOptions(element);
    const inputs = [];
    node = h("div", { class: multiple ? "checkboxes" : "radios", id });
    const name = `${id}-group`;
    options.forEach((option, index) => {
      const input = h("input", { type: multiple ? "checkbox" : "radio", name, id: `${id}-${index}`, value: option.value });
      const chosen = multiple ? (initial || []).some((o) => sameOption(o, option)) : sameOption(initial, option);
      input.checked = Boolean(chosen);
      input.addEventListener("change", dispatch);
      inputs.push([input, option]);
      node.append(h("label", { class: "choice", for: `${id}-${index}` }, input,
        h("span", {}, textNode(option.text, ctx), option.description ? h("small", { class: "description" }, textNode(option.description, ctx)) : null)));
    });
    read = () => {
      const picked = inputs.filter(([input]) => input.checked).map(([, option]) => option);
      return multiple ? { type, selected_options: picked } : { type, selected_option: picked[0] ?? null };
    };
  } else if (type.startsWith("multi_")) {
    const choices = selectChoices(element, ctx);
    const boxes = [];
    node = h("div", { class: "multi", id });
    const initialValues = (initial || []).map((o) => (typeof o === "string" ? o : o.value));
    choices.forEach((choice, index) => {
      const input = h("input", { type: "checkbox", id: `${id}-${index}`, value: choice.value });
      input.checked = initialValues.includes(choice.value);
      input.addEventListener("change", dispatch);
      boxes.push([input, choice]);
      node.append(h("label", { class: "choice", for: `${id}-${index}` }, input, h("span", {}, choice.label)));
    });
    read = () => {
      const picked = boxes.filter(([input]) => input.checked).map(([, choice]) => choice);
      const value = type === "multi_static_select" || type === "multi_external_select" ? picked.map((c) => c.option) : picked.map((c) => c.value);
      return { type, [key]: value };
    };
  } else if (type.endsWith("select")) {
    const choices = selectChoices(element, ctx);
    node = h("select", { id }, h("option", { value: "" }, plain(element.placeholder) || "Choose an option"));
    for (const choice of choices) node.append(h("option", { value: choice.value }, choice.label));
    const initialValue = typeof initial === "string" ? initial : initial?.value;
    node.value = initialValue ?? "";
    read = () => {
      const choice = choices.find((c) => c.value === node.value);
      if (key === "selected_option") return { type, selected_option: choice ? choice.option : null };
      return { type, [key]: choice ? choice.value : null };
    };
    node.addEventListener("change", dispatch);
  } else if (type === "datepicker" || type === "timepicker" || type === "datetimepicker") {
    const inputType = { datepicker: "date", timepicker: "time", datetimepicker: "datetime-local" }[type];
    node = h("input", { id, type: inputType });
    if (type === "datetimepicker" && initial) node.value = new Date(initial * 1000).toISOString().slice(0, 16);
    else node.value = initial ?? "";
    read = () => {
      if (!node.value) return { type, [key]: null };
      if (type === "datetimepicker") return { type, [key]: Math.floor(new Date(node.value).getTime() / 1000) };
      return { type, [key]: node.value };
    };
    node.addEventListener("change", dispatch);
  } else {
    return h("span", { class: "unsupported" }, `[${type}]`);
  }
  const blockId = block.block_id;
  ctx.state[blockId] = ctx.state[blockId] || {};
  ctx.state[blockId][element.action_id] = { read, node, type };
  return node;
}

function overflow(element, block, ctx) {
  const menu = h("div", { class: "menu hidden" });
  const toggle = h("button", { type: "button", class: "btn overflow", title: "More", "aria-label": "More options" }, "⋯");
  toggle.addEventListener("click", () => menu.classList.toggle("hidden"));
  for (const option of element.options || []) {
    menu.append(h("button", {
      type: "button", class: "menu-item",
      onclick: () => {
        menu.classList.add("hidden");
        const go = () => ctx.onAction({ type: "overflow", action_id: element.action_id, block_id: block.block_id, selected_option: option }, block);
        if (element.confirm) ctx.confirm(element.confirm, go);
        else go();
      },
    }, textNode(option.text, ctx)));
  }
  return h("span", { class: "overflow-wrap" }, toggle, menu);
}

function elementNode(element, block, ctx, interactive) {
  if (!element) return null;
  if (element.type === "button") return button(element, block, ctx);
  if (element.type === "overflow") return overflow(element, block, ctx);
  if (element.type === "image") return h("span", { class: "image-alt", title: element.alt_text }, `🖼 ${element.alt_text || "image"}`);
  if (STATE_KEYS[element.type]) return stateful(element, block, ctx, interactive);
  return h("span", { class: "unsupported" }, `[${element.type}]`);
}

// ---------------------------------------------------------------- blocks

function inputBlock(block, ctx) {
  const element = block.element || {};
  const error = (ctx.errors || {})[block.block_id];
  const field = elementNode(element, block, ctx, Boolean(block.dispatch_action));
  const labelFor = field && field.id && !["radios", "checkboxes", "multi"].includes(field.className) ? field.id : undefined;
  const label = h(labelFor ? "label" : "div", { class: "label", for: labelFor, id: field && field.id ? `${field.id}-label` : undefined },
    plain(block.label), block.optional ? h("span", { class: "optional" }, " (optional)") : null);
  if (field && field.id && !labelFor) {
    field.setAttribute("role", element.type === "radio_buttons" ? "radiogroup" : "group");
    field.setAttribute("aria-labelledby", `${field.id}-label`);
  }
  return h("div", { class: `block input${block.optional ? " optional" : " required"}${error ? " has-error" : ""}`, "data-block-id": block.block_id },
    label, field,
    block.hint ? h("div", { class: "hint" }, textNode(block.hint, ctx)) : null,
    h("div", { class: "error", role: "alert" }, error || ""));
}

function blockNode(block, ctx) {
  switch (block.type) {
    case "section":
      return h("div", { class: "block section" },
        h("div", { class: "section-body" },
          block.text ? textNode(block.text, ctx, "div") : null,
          block.fields ? h("div", { class: "fields" }, block.fields.map((f) => textNode(f, ctx, "div"))) : null),
        block.accessory ? h("div", { class: "accessory" }, elementNode(block.accessory, block, ctx, true)) : null);
    case "header":
      return h("h3", { class: "block header" }, textNode(block.text, ctx));
    case "divider":
      return h("hr", { class: "block divider" });
    case "context":
      return h("div", { class: "block context" }, (block.elements || []).map((e) =>
        e.type === "image" ? h("span", { class: "image-alt" }, "🖼") : textNode(e, ctx)));
    case "actions":
      return h("div", { class: "block actions" }, (block.elements || []).map((e) => elementNode(e, block, ctx, true)));
    case "input":
      return inputBlock(block, ctx);
    case "image":
      return h("div", { class: "block image" }, h("span", { class: "image-alt" }, `🖼 ${block.alt_text || "image"}`),
        block.title ? textNode(block.title, ctx) : null);
    case "rich_text":
      return h("div", { class: "block rich" }, richText(block.elements || [], ctx));
    case "file":
      return h("div", { class: "block file" }, "📄 A file");
    default:
      return h("div", { class: "block unsupported" }, `[${block.type} block]`);
  }
}

function richText(elements, ctx) {
  return elements.map((el) => {
    if (Array.isArray(el.elements)) {
      const tag = { rich_text_preformatted: "pre", rich_text_quote: "blockquote", rich_text_list: "ul" }[el.type] || "div";
      return h(tag, {}, richText(el.elements, ctx));
    }
    if (el.type === "text") return h("span", {}, el.text);
    if (el.type === "user") return h("span", { html: mrkdwn(`<@${el.user_id}>`, ctx) });
    if (el.type === "link") return h("a", { href: el.url, target: "_blank", rel: "noopener" }, el.text || el.url);
    if (el.type === "emoji") return h("span", {}, EMOJI[el.name] || `:${el.name}:`);
    return h("span", {}, el.text || "");
  });
}

// Renders `blocks`; blocks without a block_id get one, as Slack gives them.
function renderBlocks(blocks, ctx) {
  ctx.state = ctx.state || {};
  ctx.serial = ctx.serial || 0;
  const list = (blocks || []).map((block, index) => (block.block_id ? block : { ...block, block_id: `sbx-${index}` }));
  return h("div", { class: "blocks" }, list.map((block) => blockNode(block, ctx)));
}

// view.state.values from the registered readers.
function stateValues(state) {
  const values = {};
  for (const [blockId, elements] of Object.entries(state)) {
    values[blockId] = {};
    for (const [actionId, entry] of Object.entries(elements)) values[blockId][actionId] = entry.read();
  }
  return values;
}

// Slack keeps what was typed when an updated view has the same block_id, action_id and type.
function carryOver(oldState, newState) {
  for (const [blockId, elements] of Object.entries(newState)) {
    for (const [actionId, entry] of Object.entries(elements)) {
      const old = oldState?.[blockId]?.[actionId];
      if (!old || old.type !== entry.type) continue;
      copyValue(old.node, entry.node);
    }
  }
}

function copyValue(from, to) {
  if (from.tagName === "INPUT" || from.tagName === "TEXTAREA" || from.tagName === "SELECT") {
    to.value = from.value;
    return;
  }
  const source = from.querySelectorAll("input");
  const target = to.querySelectorAll("input");
  source.forEach((input, index) => {
    if (target[index] && target[index].value === input.value) target[index].checked = input.checked;
  });
}

window.BlockKit = { h, mrkdwn, textNode, plain, renderBlocks, stateValues, carryOver, escapeHtml };
})();
