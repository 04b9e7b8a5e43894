// pbsm workbench front-end glue. No inline scripts: everything lives here.
document.addEventListener("DOMContentLoaded", () => {
  // Confirm destructive actions that declare data-confirm="…".
  document.body.addEventListener("submit", (event) => {
    const message = event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
});
