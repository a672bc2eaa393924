// Editor enhancements (progressive: the form works without this file).
// - a line-number gutter beside the textarea;
// - the preview's error lines (data-error-lines) highlighted in the gutter and behind the text;
// - clicking "linha N" in the error list selects that line in the editor;
// - ?line=N in the address (the study card's "Editar" link) selects line N on load.
(function () {
  "use strict";

  function setup(box) {
    var textarea = box.querySelector("textarea");
    var gutter = box.querySelector("[data-gutter]");
    var marks = box.querySelector("[data-marks]");
    if (!textarea || !gutter || !marks) return;
    box.classList.add("enhanced");
    var errorLines = new Set();

    function lineHeight() {
      return parseFloat(window.getComputedStyle(textarea).lineHeight) || 20;
    }

    function paddingTop() {
      return parseFloat(window.getComputedStyle(textarea).paddingTop) || 0;
    }

    function render() {
      var count = textarea.value.split("\n").length;
      var numbers = [];
      for (var i = 1; i <= count; i++) {
        numbers.push(errorLines.has(i) ? "<span class=\"has-error\">" + i + "</span>" : "<span>" + i + "</span>");
      }
      gutter.innerHTML = numbers.join("");
      var height = lineHeight();
      var top = paddingTop();
      marks.innerHTML = "";
      errorLines.forEach(function (line) {
        if (line > count) return;
        var band = document.createElement("div");
        band.className = "line-mark";
        band.style.top = (top + (line - 1) * height) + "px";
        band.style.height = height + "px";
        marks.appendChild(band);
      });
      sync();
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
      render();
    }

    function selectLine(line) {
      var lines = textarea.value.split("\n");
      var start = 0;
      for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
      var end = start + (lines[line - 1] || "").length;
      textarea.focus();
      textarea.setSelectionRange(start, end);
      textarea.scrollTop = Math.max(0, (line - 3) * lineHeight());
      sync();
    }

    textarea.addEventListener("input", render);
    textarea.addEventListener("scroll", sync);
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.target && event.target.id === "preview") readErrors();
    });
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("#preview a[data-line]");
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
