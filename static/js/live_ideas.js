// The live panels are fetched again whenever the room changes (a card added, a timer set).
// Nothing typed may be lost by that: before a refresh (a GET swap) replaces a panel, what was
// typed in its fields marked data-keep="<name>" is noted, and put back, with the cursor,
// into the new panel's field of the same name. A panel returned by the user's own post (the
// card just added) is taken as it comes: its form is meant to be empty.
(() => {
  const kept = new WeakMap();

  document.addEventListener("htmx:beforeSwap", (event) => {
    const config = event.detail.requestConfig || {};
    const target = event.detail.target;
    if (target) {
      kept.delete(target); // nothing noted for an earlier refresh outlives it
    }
    // A post's answer is taken as it comes; a refresh not swapped in (static/js/live.js: the
    // panel already shows it) leaves the fields as they are.
    if (!target || (config.verb || "").toLowerCase() !== "get" || !event.detail.shouldSwap) {
      return;
    }
    const fields = {};
    target.querySelectorAll("[data-keep]").forEach((field) => {
      const changed =
        field.tagName === "SELECT"
          ? [...field.options].some((option) => option.selected !== option.defaultSelected)
          : field.value !== field.defaultValue;
      const focused = document.activeElement === field;
      if (changed || focused) {
        fields[field.dataset.keep] = {
          value: field.value,
          changed,
          focused,
          start: field.selectionStart,
          end: field.selectionEnd,
        };
      }
    });
    kept.set(target, fields);
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    const fields = target && kept.get(target);
    if (!fields) {
      return;
    }
    kept.delete(target);
    target.querySelectorAll("[data-keep]").forEach((field) => {
      const old = fields[field.dataset.keep];
      if (!old) {
        return;
      }
      if (old.changed) {
        field.value = old.value;
      }
      if (old.focused) {
        field.focus();
        if (typeof old.start === "number" && field.setSelectionRange) {
          try {
            field.setSelectionRange(old.start, old.end);
          } catch (error) {
            // number inputs have no selection
          }
        }
      }
    });
  });
})();
