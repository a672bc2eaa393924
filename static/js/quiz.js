// Quiz attempt page: the countdown and small htmx touches. Progressive enhancement: without
// JavaScript the server-rendered time left is shown, buttons save answers, and the server
// enforces the deadline anyway.
(function () {
  "use strict";

  // --- Countdown --------------------------------------------------------------------------
  // The deadline comes from the server (epoch ms), with the server's "now" to correct this
  // device's clock. The time left is recomputed from Date.now() at every tick, so a tab
  // throttled in the background never drifts, and a reload starts from the stored deadline.
  // Screen readers hear the time once a minute, then at 30 s and 10 s — never every second
  // (the visible clock has role="timer", which is not a live region).
  let offset = 0;
  let deadline = null;
  let lastKey = null;
  let submitted = false;

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function format(ms) {
    const s = Math.max(0, Math.ceil(ms / 1000));
    return Math.floor(s / 3600) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
  }

  function remaining() { return deadline - (Date.now() + offset); }

  function announcementKey(ms) {
    const s = Math.ceil(ms / 1000);
    if (s <= 0) return "zero";
    if (s > 60) return "m" + Math.ceil(s / 60);
    if (s > 30) return "m1";
    if (s > 10) return "s30";
    return "s10";
  }

  function message(el, key) {
    if (key === "zero") return el.dataset.msgTimeout;
    if (key === "m1") return el.dataset.msgMinute;
    if (key === "s30") return el.dataset.msgSeconds.replace("{n}", "30");
    if (key === "s10") return el.dataset.msgSeconds.replace("{n}", "10");
    return el.dataset.msgMinutes.replace("{n}", key.slice(1));
  }

  function tick() {
    const el = document.querySelector("[data-quiz-timer]");
    if (!el || deadline === null) return;
    const ms = remaining();
    const clock = el.querySelector("[data-clock]");
    const text = format(ms);
    if (clock.textContent !== text) clock.textContent = text;
    el.classList.toggle("is-urgent", ms <= 5 * 60 * 1000);
    const key = announcementKey(ms);
    if (key !== lastKey) {
      if (lastKey !== null) el.querySelector("[data-announce]").textContent = message(el, key);
      lastKey = key;
    }
    if (ms <= 0 && !submitted) {
      submitted = true;
      const form = document.getElementById("quiz-timeout-form");
      if (form) form.submit();
    }
  }

  function startTimer() {
    const el = document.querySelector("[data-quiz-timer]");
    if (!el) return;
    deadline = Number(el.dataset.deadlineMs);
    offset = Number(el.dataset.serverNowMs) - Date.now();
    tick();
    window.setInterval(tick, 250);
    document.addEventListener("visibilitychange", tick);
  }

  document.addEventListener("DOMContentLoaded", startTimer);

  // --- Answers ----------------------------------------------------------------------------
  // Multiple response: a box beyond "Escolha N" is unchecked before htmx sees the change
  // (capture phase); the server refuses it anyway.
  document.addEventListener("change", function (event) {
    const input = event.target;
    const form = input.closest && input.closest("[data-choose]");
    if (!form || input.type !== "checkbox" || !input.checked) return;
    const max = Number(form.dataset.choose);
    if (form.querySelectorAll('input[name="option"]:checked').length > max) {
      input.checked = false;
      event.stopPropagation();
      const status = document.getElementById("save-status");
      if (status && form.dataset.msgTooMany) status.textContent = form.dataset.msgTooMany;
    }
  }, true);

  // A refused answer (400: invalid option, too many choices) carries its message: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    const target = event.detail.target;
    if (event.detail.xhr.status === 400 && target && target.id === "save-status") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // --- Keyboard shortcuts (listed on the page) ----------------------------------------------
  // 1–5 or A–E choose an option (toggle for multiple response), Shift + 1–5 strikes it
  // through, F flags, N or → goes to the next question, P or ← to the previous one. Ignored while typing in a field, with a
  // modifier key, or when arrows would move between radio buttons.
  const LETTERS = "abcde";

  function clickIfEnabled(el) {
    if (el && !el.disabled && el.getAttribute("aria-disabled") !== "true") { el.click(); return true; }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const bar = document.getElementById("exam-bar");
    if (!bar) return;
    const target = event.target;
    const tag = target && target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || (tag === "INPUT" && !/^(radio|checkbox)$/.test(target.type))) return;
    // Shift + 1–5 strikes the option through (or restores it).
    const shifted = event.shiftKey && /^Digit[1-9]$/.exec(event.code);
    if (shifted) {
      const strikes = document.querySelectorAll("#answer-form .strike-toggle");
      const n = Number(event.code.slice(5)) - 1;
      if (n < strikes.length) { event.preventDefault(); strikes[n].click(); }
      return;
    }
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const onChoice = tag === "INPUT";
    let index = -1;
    if (/^[1-9]$/.test(key)) index = Number(key) - 1;
    else if (key.length === 1 && LETTERS.indexOf(key) !== -1) index = LETTERS.indexOf(key);
    if (index >= 0) {
      const inputs = document.querySelectorAll('#answer-form input[name="option"]');
      if (index < inputs.length) { event.preventDefault(); inputs[index].click(); }
      return;
    }
    let done = false;
    if (key === "f") done = clickIfEnabled(bar.querySelector('[data-key="flag"]'));
    else if (key === "n" || (key === "ArrowRight" && !onChoice)) done = clickIfEnabled(bar.querySelector('[data-key="next"]'));
    else if (key === "p" || (key === "ArrowLeft" && !onChoice)) done = clickIfEnabled(bar.querySelector('[data-key="prev"]'));
    if (done) event.preventDefault();
  });

  // After moving to another question with the navigator, put focus on its heading.
  document.addEventListener("htmx:afterSettle", function (event) {
    const config = event.detail.requestConfig;
    if (config && config.verb === "get" && document.getElementById("attempt-body")) {
      const heading = document.getElementById("question-heading");
      if (heading) {
        heading.focus({ preventScroll: false });
        document.title = heading.textContent.trim() + " · " + document.title.split(" · ").slice(1).join(" · ");
      }
    }
  });
})();
