// The console's one script, served from /static (the CSP allows no other):
// the queue asks every so often whether its tickets changed, and reloads
// when they did, unless the agent is typing in it; then it says so.
"use strict";
(function () {
  var queue = document.getElementById("queue");
  if (!queue || !queue.dataset.state) {
    return;
  }
  var every = (parseInt(queue.dataset.refresh, 10) || 15) * 1000;
  var version = queue.dataset.version;
  function busy() {
    var a = document.activeElement;
    return a && (a.tagName === "INPUT" || a.tagName === "SELECT" || a.tagName === "TEXTAREA");
  }
  function check() {
    fetch(queue.dataset.state, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s || !s.version || s.version === version) {
          return;
        }
        if (busy()) {
          var note = document.getElementById("changed");
          if (note) { note.hidden = false; }
          return;
        }
        window.location.reload();
      })
      .catch(function () {})
      .then(function () { window.setTimeout(check, every); });
  }
  window.setTimeout(check, every);
})();
