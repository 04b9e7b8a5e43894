// pbsm workbench front-end glue. No inline scripts: everything lives here.
document.addEventListener("DOMContentLoaded", () => {
  // Confirm destructive actions that declare data-confirm="…".
  document.body.addEventListener("submit", (event) => {
    const message = event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // Workshop mode: left/right arrow keys move between steps, unless typing.
  document.addEventListener("keydown", (event) => {
    if (!document.body.classList.contains("workshop-mode") || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    const tag = (event.target.tagName || "").toLowerCase();
    if (["input", "textarea", "select"].includes(tag) || event.target.isContentEditable) {
      return;
    }
    const direction = { ArrowLeft: "prev", ArrowRight: "next" }[event.key];
    const link = direction && document.querySelector(`[data-step-nav="${direction}"]`);
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  });

  const typing = (target) => {
    const tag = (target.tagName || "").toLowerCase();
    return ["input", "textarea", "select"].includes(tag) || target.isContentEditable;
  };

  // "a" opens the add form of the list in view (or the first one); Escape
  // cancels the row form the cursor is in; Ctrl+Enter saves from a textarea.
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.metaKey) {
      return;
    }
    const form = event.target.closest && event.target.closest("form[data-row-form]");
    if (event.key === "Escape" && form) {
      const cancel = form.querySelector("[data-cancel]");
      if (cancel) {
        event.preventDefault();
        cancel.click();
      }
      return;
    }
    if (event.key === "Enter" && event.ctrlKey && form && event.target.tagName === "TEXTAREA") {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (event.key !== "a" || event.ctrlKey || typing(event.target)) {
      return;
    }
    const buttons = [...document.querySelectorAll("[data-add]")].filter((b) => b.offsetParent !== null);
    const inView = buttons.find((b) => {
      const box = b.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight;
    });
    const button = inView || buttons[0];
    if (button) {
      event.preventDefault();
      button.focus();
      button.click();
    }
  });

  // Row actions (edit, move, delete) are delegated: each row carries only
  // data-row="<kind>/<id>" and plain links and buttons, which keeps long lists
  // small to send and render. Without script the links open the edit form and
  // the delete confirmation as pages, and the move buttons submit the step's
  // shared form (form="row-move"); with script they become htmx requests here.
  const moveRow = (row, direction) => {
    let neighbour = direction === "up" ? row.previousElementSibling : row.nextElementSibling;
    while (neighbour && !neighbour.classList.contains("wizard-row")) {
      neighbour = direction === "up" ? neighbour.previousElementSibling : neighbour.nextElementSibling;
    }
    if (neighbour) {
      if (direction === "up") {
        neighbour.before(row);
      } else {
        neighbour.after(row);
      }
    }
  };

  document.body.addEventListener("click", (event) => {
    const button = event.target.closest("[data-act]");
    const actions = button && button.closest("[data-row]");
    const surface = actions && actions.closest("[data-rows-url]");
    if (!surface) {
      return;
    }
    event.preventDefault(); // the link or form is the path without script
    const row = actions.closest(".wizard-row");
    const url = `${surface.dataset.rowsUrl}${actions.dataset.row}/`;
    const act = button.dataset.act;
    if (act === "edit") {
      htmx.ajax("GET", `${url}edit/`, { source: button, target: row, swap: "outerHTML" });
    } else if (act === "delete") {
      const label = actions.getAttribute("aria-label") || "";
      if (window.confirm(`${surface.dataset.confirmDelete || "Delete?"}\n${label}`)) {
        htmx.ajax("POST", `${url}delete/`, { source: button, target: row, swap: "outerHTML" });
      }
    } else if (act === "up" || act === "down") {
      // The row moves once the server has agreed (htmx:afterRequest below), never before.
      htmx.ajax("POST", `${url}move/`, { source: button, values: { direction: act }, swap: "none" });
    }
  });

  // A closed block opened in place (includes/open_block.html): the link that had the focus is
  // gone with the old body, so the focus goes to the opened block, where the reader goes next.
  // Registered before the general focus keeper below, which then leaves it there.
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const config = event.detail.requestConfig;
    const id = config && config.elt && config.elt.dataset && config.elt.dataset.openBlock;
    const opened = id && document.getElementById(id);
    if (opened) {
      opened.setAttribute("tabindex", "-1");
      opened.focus({ preventScroll: true });
    }
  });

  document.body.addEventListener("htmx:afterRequest", (event) => {
    const button = event.detail.elt;
    if (!event.detail.successful || !button.matches || !button.matches("[data-act=up], [data-act=down]")) {
      return;
    }
    moveRow(button.closest(".wizard-row"), button.dataset.act);
    button.focus();
  });

  const announce = (text) => {
    const live = document.getElementById("live-status");
    if (live) {
      // Emptied first: the same words twice in a row are read out twice.
      live.textContent = "";
      window.setTimeout(() => {
        live.textContent = text;
      }, 50);
    }
  };

  // A refused row action or save (the row deleted by a colleague meanwhile, the role
  // withdrawn, a conflict) leaves the screen as it was and says why, beside the row.
  const showRefusal = (event) => {
    const elt = event.detail.elt;
    const place = elt && elt.closest && (elt.closest(".wizard-row") || elt.closest("form[data-row-form]"));
    const surface = document.getElementById("step-surface");
    if (!place || !surface) {
      return;
    }
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    const text =
      (status === 404 && surface.dataset.refusedGone) ||
      (status === 403 && surface.dataset.refusedForbidden) ||
      surface.dataset.refused;
    let alert = place.querySelector(":scope > .row-refusal");
    if (!alert) {
      alert = document.createElement("div");
      alert.className = "alert alert-danger py-1 px-2 small mb-1 w-100 row-refusal";
      alert.setAttribute("role", "alert");
      if (place.matches("form")) {
        place.prepend(alert);
      } else {
        place.append(alert);
      }
    }
    alert.textContent = text;
  };
  document.body.addEventListener("htmx:responseError", showRefusal);
  document.body.addEventListener("htmx:sendError", showRefusal);

  // "Saved" confirms a row briefly: read out once, then the badge fades (app.css) and goes.
  document.body.addEventListener("htmx:afterSettle", () => {
    const fresh = [...document.querySelectorAll(".row-saved:not([data-announced])")];
    fresh.forEach((badge) => {
      badge.dataset.announced = "1";
    });
    if (fresh.length) {
      const actions = fresh[0].closest(".wizard-row, [id]");
      const group = actions && actions.querySelector("[data-row][aria-label]");
      const label = group ? group.getAttribute("aria-label") : "";
      announce(label ? `${fresh[0].textContent.trim()}: ${label}` : fresh[0].textContent.trim());
    }
  });
  document.body.addEventListener("animationend", (event) => {
    if (event.target.classList.contains("row-saved")) {
      event.target.remove();
    }
  });

  // At most one add form waits open: focusing one closes the others nobody has typed in
  // (an add form stays open after a save, for the next entry; lists would fill up with them).
  document.body.addEventListener("focusin", (event) => {
    const form = event.target.closest && event.target.closest("form[data-add-form]");
    if (!form) {
      return;
    }
    document.querySelectorAll("form[data-add-form]:not([data-dirty])").forEach((other) => {
      const cancel = other !== form && other.querySelector("[data-cancel]");
      if (cancel) {
        cancel.click();
      }
    });
  });

  // A field's length limit shows as the user nears it ("180/200"), instead of the browser
  // cutting the text off without a word; reaching it is also read out.
  const showCount = (field) => {
    const max = Number(field.getAttribute("maxlength"));
    if (!max) {
      return;
    }
    const length = field.value.length;
    let counter = document.getElementById(`${field.id}-count`);
    if (length < max * 0.8) {
      if (counter) {
        counter.hidden = true;
      }
      return;
    }
    if (!counter) {
      counter = document.createElement("div");
      counter.id = `${field.id}-count`;
      counter.className = "form-text char-count";
      field.after(counter);
      const described = field.getAttribute("aria-describedby");
      field.setAttribute("aria-describedby", described ? `${described} ${counter.id}` : counter.id);
    }
    const full = length >= max;
    const reached = document.body.dataset.limitReached || "";
    counter.hidden = false;
    counter.textContent = full ? `${length}/${max} · ${reached}` : `${length}/${max}`;
    counter.classList.toggle("text-danger", full);
    if (full && counter.dataset.full !== "1") {
      announce(counter.textContent);
    }
    counter.dataset.full = full ? "1" : "";
  };
  const counted = "input[maxlength][id], textarea[maxlength][id]";
  ["input", "focusin"].forEach((type) => {
    document.body.addEventListener(type, (event) => {
      if (event.target.matches && event.target.matches(counted)) {
        showCount(event.target);
      }
    });
  });

  // A refused save comes back with messages beside the fields: put the cursor on the first.
  // After settling: htmx keeps the old element's classes on a same-id
  // element until then, so .is-invalid only shows at this point.
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const content = event.target;
    const form = content.matches && content.matches("form[data-row-form]") ? content : null;
    const invalid = form && form.querySelector(".is-invalid");
    if (invalid) {
      invalid.focus();
    }
    if (form && form.querySelector(".is-invalid, .alert-warning")) {
      form.dataset.dirty = "1"; // refused or conflicting: the typed input is still unsaved
    }
  });

  // Nothing typed is lost on leaving a step: a row form with unsaved input,
  // or a checklist note not yet saved, makes the browser ask first.
  const unsaved = "form[data-row-form], form[data-autosave]";
  document.body.addEventListener("input", (event) => {
    const form = event.target.closest && event.target.closest(unsaved);
    if (form) {
      form.dataset.dirty = "1";
    }
  });
  document.body.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt.closest && event.detail.elt.closest("form[data-autosave]");
    if (form && event.detail.successful) {
      delete form.dataset.dirty;
    }
  });
  document.body.addEventListener("submit", (event) => {
    delete event.target.dataset.dirty; // a plain (script-free) submit leaves with its input
  });
  window.addEventListener("beforeunload", (event) => {
    if (document.querySelector("form[data-row-form][data-dirty], form[data-autosave][data-dirty]")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // Keyboard users keep their place: when a swap removes the element that had the focus (a row
  // form saved or cancelled), the focus goes to the new content's first control (the row's edit
  // button, the slot's add button) instead of falling back to the top of the page.
  // Per request: another swap settling in between (a live panel's refresh, the bell) must not
  // make this one forget where the cursor was.
  const lostFocus = new WeakMap();
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    const active = document.activeElement;
    if (!(target && active !== document.body && target.contains(active))) {
      return;
    }
    lostFocus.set(event.detail.xhr, {
      target,
      parent: target.parentElement,
      before: target.previousElementSibling,
      // A row form ("form-<row id>") gives way to its row: found by id, wherever it now stands
      // (a live refresh may have moved the rows around it while the form was open).
      rowId: target.id && target.id.startsWith("form-") ? target.id.slice("form-".length) : null,
    });
  });
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const lostFrom = event.detail.xhr ? lostFocus.get(event.detail.xhr) : null;
    if (!lostFrom) {
      return;
    }
    lostFocus.delete(event.detail.xhr);
    const { target, parent, before, rowId } = lostFrom;
    if (document.activeElement && document.activeElement !== document.body) {
      return; // htmx kept it (same id) or an autofocus / invalid field took it
    }
    // innerHTML keeps the target; outerHTML puts the new content where the target was.
    const row = rowId ? document.getElementById(rowId) : null;
    const content = row || (target.isConnected ? target : before && before.isConnected ? before.nextElementSibling : parent && parent.firstElementChild);
    // In this order, not the page's: a row's edit button before a link in its text.
    const controls = ["[autofocus]", "[data-act=edit]", "[data-add]", "input:not([type=hidden]), select, textarea", "button, a[href]"];
    let next = null;
    for (const selector of controls) {
      next = content && (content.matches(selector) ? content : content.querySelector(selector));
      if (next) {
        break;
      }
    }
    if (next) {
      next.focus();
    }
  });

  // A form refused by a full page load: the cursor goes to its message (a form-wide error) or
  // its first invalid field, so a screen reader reads the message out (aria-describedby).
  const refused = document.querySelector("main form [role=alert][tabindex], main form [aria-invalid=true]");
  if (refused) {
    refused.focus();
  }
});

// The live dot-vote (issue 15): the room refreshes the vote panel (#live-vote) on every change,
// but not while the facilitator has unsent input in its open or apply form (a refresh would wipe
// it). The form's own POST answers with the new panel; a plain reload shows it too.
document.addEventListener("DOMContentLoaded", () => {
  const keep = "form[data-live-keep]";
  const mark = (event) => {
    const form = event.target.closest && event.target.closest(keep);
    if (form) {
      form.dataset.dirty = "1";
    }
  };
  document.body.addEventListener("input", mark);
  document.body.addEventListener("change", mark);
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const slot = event.detail.elt;
    if (slot && slot.id === "live-vote" && slot.querySelector(`${keep}[data-dirty]`)) {
      event.preventDefault();
    }
  });
});
