// Study session keyboard and reveal (progressive enhancement: every action also works
// as a plain form without JavaScript). Space/Enter reveal the answer, 1–4 answer, Z undoes.
// Uses event delegation on document, so htmx swaps of #study-session need no re-binding.
(function () {
  "use strict";
  let revealedAt = null;
  // True from an htmx request until the swapped-in session has settled (htmx has wired up
  // its forms): keys pressed meanwhile are ignored rather than submitting a plain form.
  let busy = false;

  function session() { return document.getElementById("study-session"); }
  function back() { return document.getElementById("card-back"); }
  function isRevealed() { const b = back(); return !!b && !b.hidden; }

  function reveal() {
    const b = back();
    if (!b || !b.hidden) return;
    b.hidden = false;
    revealedAt = performance.now();
    const form = document.querySelector("[data-reveal-form]");
    if (form) form.hidden = true;
    const good = b.querySelector('button[data-rating="3"]');
    if (good) good.focus();
  }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function click(selector) {
    const el = document.querySelector(selector);
    if (el && !el.disabled) { el.click(); return true; }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (!session() || busy) return;
    const key = event.key;
    if (!isRevealed() && back() && (key === " " || key === "Enter")) {
      event.preventDefault();
      reveal();
    } else if (isRevealed() && /^[1-4]$/.test(key)) {
      event.preventDefault();
      click('#card-back button[data-rating="' + key + '"]');
    } else if (key === "z" || key === "Z") {
      if (click("[data-undo]")) event.preventDefault();
    }
  });

  // "Mostrar resposta" is a GET form for browsers without JavaScript; here it reveals in place.
  document.addEventListener("submit", function (event) {
    if (event.target.matches("[data-reveal-form]")) {
      event.preventDefault();
      reveal();
    }
  }, true);

  // Duration from reveal to answer, sent with the answer (capture phase: before htmx reads the form).
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches("[data-answer-form]")) return;
    const input = form.querySelector("[data-duration]");
    if (input && revealedAt !== null) input.value = String(Math.round(performance.now() - revealedAt));
  }, true);

  function afterRender() {
    revealedAt = isRevealed() ? performance.now() : null;
    const s = session();
    if (!s) return;
    const button = s.querySelector("[data-reveal]");
    if (button && !isRevealed()) button.focus({ preventScroll: true });
  }

  document.addEventListener("DOMContentLoaded", afterRender);
  // A 400 (token already used, bad rating) carries the session with its message: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 400 && event.detail.target && event.detail.target.id === "study-session") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:beforeRequest", function () { busy = true; });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful && event.detail.xhr && event.detail.xhr.status !== 400) busy = false;
  });
  document.addEventListener("htmx:afterSettle", function () {
    busy = false;
    if (document.getElementById("study-session")) afterRender();
  });
})();
