// Editor enhancements (progressive: the form works without this file).
// - a line-number gutter beside the textarea; long lines wrap, and each number is as tall as
//   its line's wrapped rows (measured in a hidden mirror with the textarea's width and font);
// - the preview's error lines (data-error-lines) highlighted in the gutter and behind the text;
// - an error dock under the editor, sticky at the bottom of the window, lists the preview's
//   errors while you edit near the bottom of a long deck; "linha N" (there or in the preview)
//   selects that line in the editor and scrolls it into view;
// - ?line=N in the address (the study card's "Editar" link) selects line N on load.
(function () {
  "use strict";

  function setup(box) {
    var textarea = box.querySelector("textarea");
    var gutter = box.querySelector("[data-gutter]");
    var marks = box.querySelector("[data-marks]");
    var dock = document.querySelector("[data-error-dock]");
    if (!textarea || !gutter || !marks) return;
    box.classList.add("enhanced");
    var errorLines = new Set();
    var mirror = document.createElement("div");
    mirror.className = "editor-mirror";
    mirror.setAttribute("aria-hidden", "true");
    box.appendChild(mirror);
    var tops = [];
    var pending = false;

    function px(name) {
      return parseFloat(window.getComputedStyle(textarea)[name]) || 0;
    }

    function measure(lines) {
      var style = window.getComputedStyle(textarea);
      mirror.style.width = Math.max(0, textarea.clientWidth - px("paddingLeft") - px("paddingRight")) + "px";
      mirror.style.font = style.font;
      mirror.style.lineHeight = style.lineHeight;
      mirror.style.tabSize = style.tabSize;
      var fragment = document.createDocumentFragment();
      lines.forEach(function (text) {
        var row = document.createElement("div");
        row.textContent = text || "\u200b";
        fragment.appendChild(row);
      });
      mirror.replaceChildren(fragment);
      var rows = mirror.children;
      var heights = [];
      tops = [];
      for (var i = 0; i < rows.length; i++) {
        tops.push(rows[i].offsetTop);
        heights.push(rows[i].offsetHeight);
      }
      return heights;
    }

    function render() {
      pending = false;
      var lines = textarea.value.split("\n");
      var heights = measure(lines);
      var fragment = document.createDocumentFragment();
      for (var i = 1; i <= lines.length; i++) {
        var number = document.createElement("span");
        number.textContent = String(i);
        number.style.height = heights[i - 1] + "px";
        if (errorLines.has(i)) number.className = "has-error";
        fragment.appendChild(number);
      }
      gutter.replaceChildren(fragment);
      var top = px("paddingTop");
      marks.replaceChildren();
      errorLines.forEach(function (line) {
        if (line > lines.length) return;
        var band = document.createElement("div");
        band.className = "line-mark";
        band.style.top = (top + tops[line - 1]) + "px";
        band.style.height = heights[line - 1] + "px";
        marks.appendChild(band);
      });
      sync();
    }

    function schedule() {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(render);
    }

    function sync() {
      gutter.scrollTop = textarea.scrollTop;
      marks.style.transform = "translateY(" + (-textarea.scrollTop) + "px)";
    }

    function readErrors() {
      var holder = document.querySelector("#preview [data-error-lines]");
      errorLines = new Set();
      if (holder) {
        holder.getAttribute("data-error-lines").split(/\s+/).forEach(function (value) {
          var line = parseInt(value, 10);
          if (line > 0) errorLines.add(line);
        });
      }
      fillDock();
      render();
    }

    // The dock repeats the preview's error list (same text, links to the same lines).
    function fillDock() {
      if (!dock) return;
      var list = document.querySelector("#preview .preview-errors");
      var body = dock.querySelector("[data-error-dock-list]");
      var title = dock.querySelector("[data-error-dock-title]");
      if (!list) {
        dock.hidden = true;
        body.replaceChildren();
        return;
      }
      title.textContent = list.querySelector("p").textContent;
      var copy = list.querySelector("ol").cloneNode(true);
      copy.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
      body.replaceChildren(copy);
      dock.hidden = false;
    }

    function selectLine(line) {
      var lines = textarea.value.split("\n");
      var start = 0;
      for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
      var end = start + (lines[line - 1] || "").length;
      textarea.focus({ preventScroll: true });
      textarea.setSelectionRange(start, end);
      render();
      var offset = tops[Math.min(line, tops.length) - 1] || 0;
      textarea.scrollTop = Math.max(0, offset - 2 * px("lineHeight"));
      sync();
      textarea.scrollIntoView({ block: "nearest" });
    }

    textarea.addEventListener("input", schedule);
    textarea.addEventListener("scroll", sync);
    if (window.ResizeObserver) new ResizeObserver(schedule).observe(textarea);
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.target && event.target.id === "preview") readErrors();
    });
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("#preview a[data-line], [data-error-dock] a[data-line]");
      if (!link) return;
      event.preventDefault();
      selectLine(parseInt(link.getAttribute("data-line"), 10));
    });
    readErrors();
    // "Editar" on a study card links here with ?line=N: select that line.
    var startLine = parseInt(new URLSearchParams(window.location.search).get("line"), 10);
    if (startLine > 0) selectLine(startLine);
  }

  function init() {
    document.querySelectorAll("[data-editor]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
