// The live workshop in the browser: one socket per page of a project (templates/strategies/live/room.html).
//
// The server's messages name what changed, never the content (strategies/live/consumer.py): this
// script passes each on as a DOM event "live:<event>" on document.body, where the room's panels
// (timer, vote, ideas) listen with hx-trigger, draws who is there from the room's state, moves a
// follower to the facilitator's step, and brings a wizard step's rows up to date. Nothing that a
// user is typing is ever replaced or moved away from: typing people get a notice instead.
(() => {
  "use strict";

  const NO_RECONNECT = new Set([4403, 4410]); // refused; the session ended (a guest's socket)
  const HEARTBEAT_MS = 25000;
  const MAX_DELAY_MS = 30000;
  const CONTENT_DEBOUNCE_MS = 300;
  const SAVED_BADGE_MS = 3200; // the "Saved" badge fades after 3 s (static/css/app.css)
  const PANEL_CHECK_MS = 1500; // time for a panel's own refresh after an event to land
  const PANEL_RETRIES = 5; // a failed panel refresh is tried again this often in a row
  const PANEL_SLOTS = ["live-timer", "live-vote", "live-ideas"]; // the room's panels, fetched on news

  let room = null;
  let socket = null;
  let attempts = 0;
  let everOpened = false;
  let failuresSinceOpen = 0;
  let heartbeat = null;
  let stopped = false;
  let sessionId = null;
  let sessionStep = null; // the facilitator's step as last known (catch-up compares with it)
  let bringPending = false;
  let role = null;
  let state = null;
  let contentTimer = null;

  const text = (name, values = {}) => {
    let words = (room && room.dataset[`text${name}`]) || "";
    Object.entries(values).forEach(([key, value]) => {
      words = words.replace(`{${key}}`, value);
    });
    return words;
  };

  const emit = (name, detail) => {
    document.body.dispatchEvent(new CustomEvent(`live:${name}`, { detail, bubbles: true }));
  };

  const el = (tag, className, words) => {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (words !== undefined) {
      node.textContent = words;
    }
    return node;
  };

  // --- follow mode, per project and browser tab ------------------------------------------------

  const followKey = () => `pbsm-live-follow-${room.dataset.liveProject}`;
  const following = () => window.sessionStorage.getItem(followKey()) !== "off";
  const setFollowing = (on) => {
    if (on) {
      window.sessionStorage.removeItem(followKey());
    } else {
      window.sessionStorage.setItem(followKey(), "off");
    }
  };

  // Typing: the cursor in a field, or a row form holding unsaved input (app.js marks it dirty).
  const typing = () => {
    const active = document.activeElement;
    if (active && active !== document.body) {
      const tag = (active.tagName || "").toLowerCase();
      if (["input", "textarea", "select"].includes(tag) || active.isContentEditable) {
        return true;
      }
    }
    return Boolean(document.querySelector("form[data-row-form][data-dirty]"));
  };

  const withMode = (url) => (document.body.classList.contains("workshop-mode") ? `${url}?workshop=1` : url);
  const isHere = (url) => window.location.pathname === new URL(url, window.location.href).pathname;

  const go = (url) => {
    window.location.assign(withMode(url));
  };

  const showMoveNotice = (url, label) => {
    const notice = document.getElementById("live-notice");
    notice.replaceChildren();
    const box = el("div", "alert alert-info d-flex flex-wrap align-items-center gap-2 py-1 px-2 my-2 live-move-notice");
    box.append(el("span", "", `${text("Moved", { step: label })} —`));
    const button = el("button", "btn btn-sm btn-primary", text("Follow"));
    button.type = "button";
    button.dataset.liveFollowTo = url;
    box.append(button);
    notice.append(box);
  };

  const clearMoveNotice = () => {
    const notice = document.getElementById("live-notice");
    const box = notice && notice.querySelector(".live-move-notice");
    if (box) {
      box.remove();
    }
  };

  // The room's step changed (an event, or found on catch-up): followers go there unless typing.
  const follow = (session, bring) => {
    if (role === "facilitator" || room.dataset.liveGuest || room.dataset.livePage === "room") {
      return;
    }
    if (!bring && !following()) {
      return;
    }
    if (isHere(session.step_url)) {
      clearMoveNotice();
      return;
    }
    if (typing()) {
      showMoveNotice(session.step_url, session.step_label);
      return;
    }
    if (bring) {
      setFollowing(true);
    }
    go(session.step_url);
  };

  // --- the room's state: presence and controls -------------------------------------------------

  let presenceDrawn = "";
  let controlsDrawn = "";

  const drawPresence = (message) => {
    const bar = document.getElementById("live-presence");
    const people = message.participants || [];
    const count = message.participants ? people.length : message.participant_count || 0;
    // Redrawn only when it changed: the bar is read out (aria-live), a heartbeat's state is not news.
    const drawn = JSON.stringify([count, people]);
    if (drawn === presenceDrawn) {
      return;
    }
    presenceDrawn = drawn;
    bar.replaceChildren();
    const head = el("span", "badge text-bg-danger me-2 live-badge");
    head.append(el("i", "bi bi-broadcast"), ` ${text("Live")}`);
    head.firstChild.setAttribute("aria-hidden", "true");
    bar.append(head, el("span", "me-2 live-count", text("Here", { count: String(count) })));
    const list = el("ul", "list-inline d-inline mb-0 live-people");
    people.forEach((person) => {
      const item = el("li", "list-inline-item badge rounded-pill text-bg-light border live-person");
      item.dataset.participant = person.id;
      item.append(el("span", "live-person-name", person.name));
      if (person.facilitator) {
        item.classList.add("live-person-facilitator");
        item.append(" ", el("span", "badge text-bg-primary", text("Facilitator")));
      } else if (person.guest) {
        item.append(" ", el("span", "badge text-bg-secondary", text("Guest")));
      }
      if (person.step_label) {
        item.append(el("span", "text-body-secondary ms-1 live-person-step", `· ${person.step_label}`));
      }
      list.append(item);
    });
    bar.append(list);
  };

  const csrfToken = () => {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  };

  const drawControls = () => {
    const controls = document.getElementById("live-controls");
    // Redrawn only when the role or the follow mode changed: a button keeps the keyboard's focus.
    const drawn = `${role}/${following()}`;
    if (drawn === controlsDrawn) {
      return;
    }
    controlsDrawn = drawn;
    controls.replaceChildren();
    if (room.dataset.liveGuest) {
      return;
    }
    if (role === "facilitator") {
      const bring = el("button", "btn btn-sm btn-outline-primary", text("Bring"));
      bring.type = "button";
      bring.dataset.liveBring = "1";
      const end = el("form", "d-inline");
      end.method = "post";
      end.action = room.dataset.liveEnd;
      end.dataset.confirm = text("EndConfirm");
      const token = el("input");
      token.type = "hidden";
      token.name = "csrfmiddlewaretoken";
      token.value = csrfToken();
      const button = el("button", "btn btn-sm btn-outline-danger", text("End"));
      button.type = "submit";
      end.append(token, button);
      controls.append(bring);
      if (room.dataset.livePage !== "room") {
        controls.append(end); // the room page has its own
      }
    } else if (room.dataset.livePage !== "room") {
      const toggle = el("button", "btn btn-sm btn-outline-secondary", following() ? text("FollowOff") : text("FollowOn"));
      toggle.type = "button";
      toggle.dataset.liveToggleFollow = "1";
      toggle.setAttribute("aria-pressed", following() ? "true" : "false");
      controls.append(toggle);
    }
    if (room.dataset.livePage !== "room") {
      const link = el("a", "btn btn-sm btn-link", text("Room"));
      link.href = room.dataset.liveRoomUrl;
      controls.append(link);
    }
  };

  // A second chance for the panels: the room's state follows every change of the vote or the
  // idea round. Should a panel, a moment later, still show another vote state or round than the
  // state names (its refresh after the event was lost), it is fetched again.
  let panelCheck = null;
  const checkPanels = () => {
    window.clearTimeout(panelCheck);
    panelCheck = window.setTimeout(() => {
      const session = state && state.session;
      if (!session) {
        return;
      }
      // An empty slot shows no vote (a member's panel is empty until one opens) and no round.
      const voteSlot = document.getElementById("live-vote");
      if (voteSlot) {
        const votePanel = voteSlot.querySelector("[data-vote-state]");
        const shownState = votePanel ? votePanel.dataset.voteState : "";
        const shown = shownState === "applied" ? "" : shownState;
        if (shown !== (session.vote ? session.vote.state : "")) {
          emit("vote.changed", {});
        }
      }
      const ideasSlot = document.getElementById("live-ideas");
      if (ideasSlot) {
        const ideasPanel = ideasSlot.querySelector("[data-live-ideas]");
        const shownRound = ideasPanel ? ideasPanel.dataset.round || "" : "";
        if (shownRound !== (session.ideas ? String(session.ideas.pk) : "")) {
          emit("ideas.changed", {});
        }
      }
    }, PANEL_CHECK_MS);
  };

  const onState = (message) => {
    state = message;
    role = message.role;
    const session = message.session;
    if (!session) {
      if (sessionId !== null) {
        sessionId = null;
        sessionStep = null;
        emit("session-ended", message);
      }
      room.hidden = true;
      presenceDrawn = "";
      controlsDrawn = "";
      return;
    }
    room.hidden = false;
    drawPresence(message);
    drawControls();
    const fresh = session.id !== sessionId;
    const moved = !fresh && sessionStep !== null && session.step !== sessionStep;
    sessionId = session.id;
    sessionStep = session.step;
    if (fresh) {
      emit("session", message);
    }
    checkPanels();
    if (bringPending) {
      bringPending = false;
      follow(session, true);
    } else if (moved) {
      follow(session, false);
    } else if (isHere(session.step_url)) {
      clearMoveNotice();
    }
  };

  // --- changes of the working material ---------------------------------------------------------

  // Whether the user is working in `node`: the focus, a row form (open is enough: cancel or save
  // ends it), or a field whose value differs from what the page came with.
  // Or htmx is still settling what it swapped into `node` (a row back from its form): swapped out
  // now, the row would take htmx's "settled" event with it, and with it the keyboard user's way
  // back to the row's edit button (static/js/app.js); its children are brought up to date instead.
  const SETTLING = ".htmx-added, .htmx-settling";
  const busy = (node) => {
    if (node.contains(document.activeElement) && document.activeElement !== document.body) {
      return true;
    }
    if (node.matches(SETTLING) || node.querySelector(SETTLING)) {
      return true;
    }
    if (node.matches("form[data-row-form], form[data-dirty]") || node.querySelector("form[data-row-form], form[data-dirty]")) {
      return true;
    }
    const fields = node.matches("input, textarea, select") ? [node] : [...node.querySelectorAll("input, textarea, select")];
    return fields.some((field) => {
      if (field.type === "hidden") {
        return false;
      }
      if (field.type === "checkbox" || field.type === "radio") {
        return field.checked !== field.defaultChecked;
      }
      if (field.tagName === "SELECT") {
        return [...field.options].some((option) => option.selected !== option.defaultSelected);
      }
      return field.value !== field.defaultValue;
    });
  };

  const adopt = (node) => document.importNode(node, true);

  const insertAfter = (parent, previous, node) => {
    if (previous && previous.parentElement === parent) {
      previous.after(node);
    } else {
      parent.prepend(node);
    }
    if (window.htmx) {
      window.htmx.process(node);
    }
  };

  // Bring `old` to `fresh` (same id, or the same place) and answer the node now in its place.
  // Replaced whole unless the user works in it; then its children are reconciled one by one,
  // matched by id, else by position and tag. New rows (they have ids) are inserted where they
  // stand in the fresh page; deleted ones leave, unless someone works in them (the row form
  // reports a deleted entry on save, as without live updates).
  // The page's own marks on a row: the "Saved" badge of the user's own save (it fades by itself)
  // and htmx's classes of a swap in progress. A row that differs from the server's only by them
  // is left as it is, or the user's own save would lose its "Saved" the moment its news arrives.
  const TRANSIENT_CLASSES = ["htmx-added", "htmx-settling", "htmx-swapping", "htmx-request"];
  const withoutOwnMarks = (node) => {
    const copy = node.cloneNode(true);
    copy.querySelectorAll(".row-saved").forEach((badge) => badge.remove());
    [copy, ...copy.querySelectorAll("[class]")].forEach((element) => {
      element.classList.remove(...TRANSIENT_CLASSES);
      if (element.getAttribute("class") === "") {
        element.removeAttribute("class");
      }
    });
    return copy.outerHTML;
  };

  let keptSaved = false; // a row kept for its "Saved" badge: look again once the badge has faded

  // A row (an element with an id) showing the "Saved" of the user's own save, the badge its own
  // and not a nested row's.
  const holdsOwnSave = (node) => {
    const badge = node.id ? node.querySelector(".row-saved") : null;
    return Boolean(badge) && badge.parentElement.closest("[id]") === node;
  };

  const reconcile = (old, fresh) => {
    if (old.outerHTML === fresh.outerHTML || withoutOwnMarks(old) === fresh.outerHTML) {
      return old;
    }
    if (busy(old) && holdsOwnSave(old)) {
      // Just saved, the cursor still on its buttons (a keyboard user): matching its children by
      // position would move them under the cursor; look again once the badge has faded.
      keptSaved = true;
      return old;
    }
    if (!busy(old)) {
      if (old.id && old.querySelector(".row-saved")) {
        keptSaved = true; // the user's own save, shown as such; a colleague's change follows after the fade
        return old;
      }
      const copy = adopt(fresh);
      old.replaceWith(copy);
      if (window.htmx) {
        window.htmx.process(copy);
      }
      return copy;
    }
    if (old.matches("form")) {
      return old; // a form being filled in stays exactly as it is
    }
    const freshIds = new Set([...fresh.children].map((child) => child.id).filter(Boolean));
    [...old.children].forEach((child) => {
      if (child.id && !freshIds.has(child.id) && !busy(child)) {
        child.remove();
      }
    });
    const oldAnonymous = [...old.children].filter((child) => !child.id);
    let anonymousIndex = 0;
    let previous = null; // the node in `old` the next new child goes after
    [...fresh.children].forEach((child) => {
      let counterpart = null;
      if (child.id) {
        const found = document.getElementById(child.id);
        counterpart = found && found.parentElement === old ? found : null;
        const form = !counterpart && document.getElementById(`form-${child.id}`);
        if (form && form.parentElement === old) {
          previous = form; // the row is open for editing here: its form stands in for it
          return;
        }
      } else {
        const candidate = oldAnonymous[anonymousIndex];
        if (candidate && candidate.tagName === child.tagName) {
          counterpart = candidate;
          anonymousIndex += 1;
        }
      }
      if (counterpart) {
        previous = reconcile(counterpart, child);
      } else if (child.id) {
        const copy = adopt(child);
        insertAfter(old, previous, copy);
        previous = copy;
      }
      // A new element without an id (an add button beside an open add form) is left out.
    });
    return old;
  };

  const refreshStep = async () => {
    const surface = document.getElementById("step-surface");
    if (!surface) {
      return;
    }
    const response = await fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok) {
      return;
    }
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById("step-surface");
    const current = document.getElementById("step-surface");
    if (!fresh || !current) {
      return;
    }
    const x = window.scrollX;
    const y = window.scrollY;
    keptSaved = false;
    reconcile(current, fresh);
    window.scrollTo(x, y);
    if (keptSaved) {
      window.setTimeout(onContentChanged, SAVED_BADGE_MS);
    }
    emit("step-refreshed", {});
  };

  const showChangedNotice = () => {
    const notice = document.getElementById("live-connection");
    if (!notice || room.dataset.livePage === "room" || document.querySelector(".live-changed")) {
      return;
    }
    const box = el("div", "alert alert-info py-1 px-2 small live-changed");
    box.setAttribute("role", "status");
    box.append(`${text("Changed")} `);
    const link = el("a", "alert-link", text("Reload"));
    link.href = window.location.href;
    box.append(link);
    room.before(box);
  };

  function onContentChanged() {
    window.clearTimeout(contentTimer);
    contentTimer = window.setTimeout(() => {
      if (document.getElementById("step-surface")) {
        refreshStep().catch(() => {});
      } else {
        showChangedNotice();
      }
    }, CONTENT_DEBOUNCE_MS);
  }

  // --- the socket ------------------------------------------------------------------------------

  const banner = (words) => {
    const box = document.getElementById("live-connection");
    if (!box) {
      return;
    }
    box.textContent = words || "";
    box.hidden = !words;
  };

  const send = (message) => {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
    }
  };

  const onMessage = (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    if (!message || typeof message.event !== "string") {
      return;
    }
    if (message.event === "session.bring") {
      bringPending = true;
    }
    emit(message.event, message);
    if (message.event === "state") {
      onState(message);
    } else if (message.event === "content.changed") {
      onContentChanged();
    } else if (message.event === "session.ended" && role === "guest") {
      banner(text("Ended"));
    }
  };

  const connect = () => {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(`${scheme}${window.location.host}${room.dataset.liveSocket}`);
    socket.addEventListener("open", () => {
      const reconnected = everOpened;
      everOpened = true;
      attempts = 0;
      failuresSinceOpen = 0;
      banner("");
      send({ type: "here", step: room.dataset.liveStep || "" });
      window.clearInterval(heartbeat);
      heartbeat = window.setInterval(() => send({ type: "ping" }), HEARTBEAT_MS);
      if (reconnected) {
        emit("reconnected", {});
        if (document.getElementById("step-surface")) {
          onContentChanged(); // changes made while the socket was down
        }
      }
    });
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", (event) => {
      window.clearInterval(heartbeat);
      socket = null;
      if (stopped) {
        return;
      }
      if (NO_RECONNECT.has(event.code)) {
        stopped = true;
        banner(event.code === 4410 ? text("Ended") : everOpened ? text("Refused") : "");
        if (event.code === 4410) {
          sessionId = null;
          emit("session-ended", {});
        }
        return;
      }
      failuresSinceOpen += 1;
      // Never opened, or failing again and again: the live layer itself is down (the pages work).
      banner(failuresSinceOpen >= 3 ? text("Down") : text("Paused"));
      const delay = Math.min(MAX_DELAY_MS, 1000 * 2 ** attempts);
      attempts += 1;
      window.setTimeout(connect, delay / 2 + Math.random() * (delay / 2));
    });
  };

  // --- the user's clicks -----------------------------------------------------------------------

  const onClick = (event) => {
    const target = event.target.closest && event.target.closest("[data-live-follow-to], [data-live-toggle-follow], [data-live-bring]");
    if (!target) {
      return;
    }
    event.preventDefault();
    if (target.dataset.liveFollowTo) {
      setFollowing(true);
      go(target.dataset.liveFollowTo);
    } else if (target.dataset.liveToggleFollow) {
      const on = !following();
      setFollowing(on);
      drawControls();
      const toggle = document.querySelector("[data-live-toggle-follow]");
      if (toggle) {
        toggle.focus();
      }
      if (on && state && state.session && !isHere(state.session.step_url)) {
        go(state.session.step_url);
      }
    } else if (target.dataset.liveBring) {
      const step = room.dataset.liveStep || (state && state.session && state.session.step) || "";
      send({ type: "show", step, bring: true });
    }
  };

  const start = () => {
    room = document.getElementById("live-room");
    if (!room || !room.dataset.liveSocket || !("WebSocket" in window)) {
      return;
    }
    document.body.addEventListener("click", onClick);
    // A panel's refresh that failed (the server busy, the network gone for a moment) would leave the
    // panel behind the room until the next news: compare it with the room's state again, which
    // fetches it anew while it disagrees (a few times: a panel refused for good stays as it is).
    let panelFailures = 0;
    document.body.addEventListener("htmx:afterRequest", (event) => {
      const target = event.detail.target;
      if (!target || !["live-vote", "live-ideas"].includes(target.id)) {
        return;
      }
      if (event.detail.successful) {
        panelFailures = 0;
      } else if (panelFailures < PANEL_RETRIES) {
        panelFailures += 1;
        checkPanels();
      }
    });
    // A refresh that brings what the panel already shows is not swapped in: every change is
    // announced to the whole room, the facilitator's own page included, whose post has already
    // put the new panel in; replacing it with the same would lose a click landing at that moment
    // (a "make topic" right after "reveal") and the focus. The CSRF token is masked anew on each
    // render, so it does not count as a difference.
    const shownPanel = new WeakMap();
    const comparable = (html) => html.replace(/name="csrfmiddlewaretoken" value="[^"]*"/g, "");
    document.body.addEventListener("htmx:beforeSwap", (event) => {
      const target = event.detail.target;
      if (!target || !PANEL_SLOTS.includes(target.id) || !event.detail.shouldSwap) {
        return;
      }
      const html = comparable(event.detail.serverResponse || "");
      const verb = ((event.detail.requestConfig || {}).verb || "").toLowerCase();
      if (verb === "get" && shownPanel.get(target) === html) {
        event.detail.shouldSwap = false;
        return;
      }
      shownPanel.set(target, html);
    });
    window.addEventListener("pagehide", () => {
      stopped = true;
      if (socket) {
        socket.close();
      }
    });
    window.addEventListener("pageshow", (event) => {
      if (event.persisted && stopped && !socket) {
        stopped = false; // back from the browser's page cache: the socket was closed on leaving
        everOpened = true;
        connect();
      }
    });
    connect();
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
