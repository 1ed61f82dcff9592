// The dashboard's buttons. Each form (or the button that submits it) names
// an action; the action sends the control API's own request (/_sandbox/…)
// as JSON, then reloads the page, which the server renders from the new
// state. Nothing else: the page never changes anything by itself.
"use strict";

(() => {
  const main = document.getElementById("main");
  const agentId = main ? main.dataset.agent : undefined;
  const flash = document.getElementById("flash");
  const flashKey = "guayaba-sandbox-flash";
  const drift = " Run terraform plan to see the drift.";

  function show(kind, text) {
    flash.hidden = false;
    flash.dataset.kind = kind;
    flash.setAttribute("role", kind === "error" ? "alert" : "status");
    flash.textContent = text;
  }

  // The message of the change that reloaded the page, and its row.
  const done = sessionStorage.getItem(flashKey);
  if (done) {
    sessionStorage.removeItem(flashKey);
    const { message, key } = JSON.parse(done);
    show("ok", message);
    for (const tr of document.querySelectorAll("#sessions tbody tr")) {
      if (key && tr.dataset.key === key) tr.classList.add("changed");
    }
  }

  async function control(method, path, body) {
    const init = { method, headers: { "Content-Type": "application/json" }, cache: "no-store" };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch("/_sandbox" + path, init);
    let data = null;
    try {
      data = await res.json();
    } catch {
      // not JSON: say the status below
    }
    if (!res.ok) {
      throw new Error((data && data.error) || res.status + " " + res.statusText);
    }
    return data;
  }

  const value = (form, name) => form.elements[name].value;
  const quote = (s) => "“" + s + "”";

  // Each action returns [method, path, body, message], or null when the user
  // cancels. d is the form's data-* attributes.
  const actions = {
    rename(form, d) {
      const label = value(form, "label").trim();
      return ["POST", "/sessions/rename", { agentId, key: d.key, label },
        (label ? "Renamed " + d.key + " to " + quote(label) + "." : "Cleared the label of " + d.key + ".") + drift];
    },
    clear: (form, d) => ["POST", "/sessions/rename", { agentId, key: d.key, label: null },
      "Cleared the label of " + d.key + "." + drift],
    archive: (form, d) => ["POST", "/sessions/archive", { agentId, key: d.key }, "Archived " + d.key + "." + drift],
    reset(form, d) {
      if (!confirm("Start a new conversation in " + d.key + "?\nIt gets a new session id and an empty transcript; the key and label stay.")) return null;
      return ["POST", "/sessions/reset", { agentId, key: d.key }, "New conversation in " + d.key + "."];
    },
    delete(form, d) {
      if (!confirm("Delete " + d.key + " and its transcript?\nThis cannot be undone.")) return null;
      return ["POST", "/sessions/delete", { agentId, key: d.key }, "Deleted " + d.key + "." + drift];
    },
    restore(form, d) {
      const label = value(form, "label").trim();
      return ["POST", "/archives/restore", { agentId, filename: d.filename, label },
        "Restored " + d.key + (label ? " as " + quote(label) : ", without a label") + "." + drift];
    },
    "delete-archive"(form, d) {
      if (!confirm("Delete the archive of " + d.key + "?\nThis cannot be undone.")) return null;
      return ["POST", "/archives/delete", { agentId, filename: d.filename }, "Deleted the archive of " + d.key + "."];
    },
    add(form) {
      const key = value(form, "key").trim();
      const label = value(form, "label").trim();
      const session = {
        key, chatType: value(form, "chatType"), lastChannel: value(form, "lastChannel").trim(),
        messages: [{ role: "user", content: value(form, "message") }],
      };
      if (label) session.label = label;
      return ["POST", "/sessions/add", { agentId, session }, "Started the chat " + key + ".",
        "/?agent=" + encodeURIComponent(agentId) + "&q=" + encodeURIComponent(key) + "#sessions"];
    },
    stop: () => ["POST", "/agents/" + encodeURIComponent(agentId) + "/stop", undefined,
      "Stopped the agent: the API answers 503 for it."],
    start: () => ["POST", "/agents/" + encodeURIComponent(agentId) + "/start", undefined, "Started the agent."],
    fault(form) {
      const route = value(form, "route");
      const status = Number(value(form, "status"));
      const count = Number(value(form, "count"));
      const retryAfter = value(form, "retryAfter").trim();
      const routes = route === "*" ? Array.from(form.elements.route.options).map((o) => o.value).filter((r) => r !== "*") : [route];
      const faults = routes.map((r) => (retryAfter ? { route: r, status, count, retryAfter } : { route: r, status, count }));
      return ["POST", "/faults", faults, "The next " + count + " call" + (count === 1 ? "" : "s") + " to " +
        (route === "*" ? "each route" : route) + " will answer " + status + "."];
    },
    "clear-faults": () => ["DELETE", "/faults", undefined, "Cleared the faults."],
    ratelimit(form) {
      const perMinute = Number(value(form, "perMinute"));
      const burst = Number(value(form, "burst") || 0);
      return ["POST", "/ratelimit", { perMinute, burst },
        perMinute ? "Rate limit: " + perMinute + " requests a minute per key." : "Rate limit off."];
    },
    "reset-counters": () => ["POST", "/counters/reset", undefined, "Counters reset."],
  };

  document.addEventListener("submit", async (ev) => {
    const form = ev.target;
    const name = (ev.submitter && ev.submitter.dataset.action) || form.dataset.action;
    const action = actions[name];
    if (!action) return; // the filter: an ordinary GET form
    ev.preventDefault();
    const call = action(form, form.dataset);
    if (!call) return;
    const [method, path, body, message, next] = call;
    const buttons = Array.from(form.querySelectorAll("button:not(:disabled)"));
    buttons.forEach((b) => { b.disabled = true; });
    form.setAttribute("aria-busy", "true");
    try {
      await control(method, path, body);
      sessionStorage.setItem(flashKey, JSON.stringify({ message, key: form.dataset.key || (body && body.session && body.session.key) }));
      if (next) location.assign(next);
      else location.reload();
    } catch (err) {
      show("error", "Not done: " + err.message);
      buttons.forEach((b) => { b.disabled = false; });
      form.removeAttribute("aria-busy");
    }
  });
})();
