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
});
