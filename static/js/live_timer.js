// The live workshop's timebox: ticks every timer panel ([data-live-timer]) once a second.
// The panel brings the end time and the server's time; the difference to this browser's
// clock is taken when a panel first appears, so a browser whose clock is off still counts
// down with the room. At zero: "Time is up", a highlight, and (if switched on here) a beep.
(() => {
  const SOUND_KEY = "pbsm.liveTimer.sound";
  let audio = null;

  const soundOn = () => {
    try {
      return window.localStorage.getItem(SOUND_KEY) === "1";
    } catch (error) {
      return false;
    }
  };

  const clock = (seconds) => {
    const s = Math.max(0, Math.ceil(seconds));
    return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  };

  // A short two-tone beep made by WebAudio: no audio file to load.
  const beep = () => {
    if (!audio) {
      return;
    }
    const start = audio.currentTime;
    [0, 0.35, 0.7].forEach((offset, index) => {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = index === 2 ? 660 : 880;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.3, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.3);
      tone.connect(gain).connect(audio.destination);
      tone.start(start + offset);
      tone.stop(start + offset + 0.32);
    });
  };

  const wakeAudio = () => {
    // Browsers allow sound only after a click: the toggle is that click.
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      return;
    }
    audio = audio || new Context();
    if (audio.state === "suspended") {
      audio.resume();
    }
  };

  const prepare = (panel) => {
    const serverNow = Date.parse(panel.dataset.serverNow || "");
    // Server time minus browser time, taken when the panel arrived.
    panel.liveOffset = Number.isNaN(serverNow) ? 0 : serverNow - Date.now();
    const toggle = panel.querySelector("[data-live-timer-sound]");
    if (toggle) {
      toggle.checked = soundOn();
    }
    panel.liveReady = true;
  };

  const tick = () => {
    document.querySelectorAll("[data-live-timer]").forEach((panel) => {
      if (!panel.liveReady) {
        prepare(panel);
      }
      const face = panel.querySelector("[data-live-timer-clock]");
      if (!face) {
        return;
      }
      let left;
      if (panel.dataset.endsAt) {
        left = (Date.parse(panel.dataset.endsAt) - (Date.now() + panel.liveOffset)) / 1000;
      } else {
        left = Number(panel.dataset.remaining || 0);
      }
      const text = clock(left);
      if (face.textContent !== text) {
        face.textContent = text;
      }
      const running = Boolean(panel.dataset.endsAt);
      const up = running && left <= 0;
      panel.classList.toggle("is-up", up);
      const notice = panel.querySelector("[data-live-timer-up]");
      if (notice) {
        notice.hidden = !up;
      }
      // One beep per end, and only for an end seen happening (not for a panel loaded at zero).
      if (running && left > 0) {
        panel.liveArmed = true;
      } else if (up && panel.liveArmed) {
        panel.liveArmed = false;
        if (soundOn()) {
          beep();
        }
      }
    });
  };

  document.addEventListener("change", (event) => {
    if (!event.target.matches || !event.target.matches("[data-live-timer-sound]")) {
      return;
    }
    try {
      window.localStorage.setItem(SOUND_KEY, event.target.checked ? "1" : "0");
    } catch (error) {
      // Private mode without storage: the choice holds for this page only.
    }
    if (event.target.checked) {
      wakeAudio();
    }
  });

  // After a reload the switch is still on, but sound waits for the first click or key on the page.
  const wakeOnce = () => {
    if (soundOn()) {
      wakeAudio();
    }
  };
  document.addEventListener("pointerdown", wakeOnce, { once: true });
  document.addEventListener("keydown", wakeOnce, { once: true });

  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSettle", tick);
  window.setInterval(tick, 1000);
})();
