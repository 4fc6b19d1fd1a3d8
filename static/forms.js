// Forms and messages, progressively enhanced (every page works without this file):
// - a field with a length limit shows "n of max characters" as you type; the browser never
//   cuts text short, the server refuses text that is too long and keeps it in the field;
// - after a post, focus goes to the error summary, or to an error message, so keyboard and
//   screen reader users start where the page changed; other messages are read out through a
//   live region filled after load, without moving the page.
(function () {
  "use strict";
  // The server counts characters (code points), and a browser sends each new line as two.
  function length(field) {
    const value = field.value;
    const lines = field.tagName === "TEXTAREA" ? (value.match(/\n/g) || []).length : 0;
    return Array.from(value).length + lines;
  }

  function track(field) {
    const note = document.getElementById(field.id + "-count");
    const max = parseInt(field.dataset.max, 10);
    if (!note || !max) return;
    function update() {
      const used = length(field);
      const over = used - max;
      note.textContent = over > 0
        ? used + " of " + max + " characters: " + over + " too many"
        : used + " of " + max + " characters";
      note.classList.toggle("over", over > 0);
    }
    field.addEventListener("input", update);
    update();
  }

  // A region that is empty at load and filled later is what screen readers announce.
  function announce() {
    const shown = document.getElementById("messages");
    const live = document.getElementById("announcer");
    if (!shown || !live || !shown.children.length) return null;
    const messages = Array.from(shown.children);
    window.setTimeout(function () {
      live.textContent = messages.map(function (m) { return m.textContent.trim(); }).join(" ");
    }, 250);
    return messages.find(function (m) { return m.classList.contains("flash-error"); }) || null;
  }

  // A link in the error summary puts the focus in its field, not only the field in view.
  function lead(summary) {
    summary.addEventListener("click", function (event) {
      const link = event.target.closest("a[href^='#']");
      const field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    });
  }

  function start() {
    document.querySelectorAll("[data-max]").forEach(track);
    const problem = announce();
    const summary = document.getElementById("error-summary");
    if (summary) lead(summary);
    const target = summary || problem;
    if (target) {
      target.setAttribute("tabindex", "-1");
      window.setTimeout(function () { target.focus(); }, summary ? 0 : 300);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
