// The console's one script, served from /static (the CSP allows no other):
// the queue asks every so often whether its tickets changed, and reloads
// when they did, unless the agent is typing in it; then it says so. When
// the session has ended (401), it says so with the page's words
// (data-signed-out, data-sign-in) and stops asking.
"use strict";
(function () {
  var queue = document.getElementById("queue");
  if (!queue || !queue.dataset.state) {
    return;
  }
  var every = (parseInt(queue.dataset.refresh, 10) || 15) * 1000;
  var version = queue.dataset.version;
  var signedOut = {};
  function busy() {
    var a = document.activeElement;
    return a && (a.tagName === "INPUT" || a.tagName === "SELECT" || a.tagName === "TEXTAREA");
  }
  function showSignedOut() {
    var note = document.createElement("p");
    note.id = "signed-out";
    note.className = "changed";
    note.setAttribute("role", "alert");
    note.textContent = (queue.dataset.signedOut || "") + " ";
    var link = document.createElement("a");
    link.href = "/sign-in?next=" + encodeURIComponent(window.location.pathname + window.location.search);
    link.textContent = queue.dataset.signIn || "";
    note.appendChild(link);
    var title = queue.querySelector("h1");
    queue.insertBefore(note, title ? title.nextSibling : queue.firstChild);
  }
  function check() {
    fetch(queue.dataset.state, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.status === 401) {
          return signedOut;
        }
        return r.ok ? r.json() : null;
      })
      .then(function (s) {
        if (s === signedOut) {
          showSignedOut();
          return signedOut;
        }
        if (!s || !s.version || s.version === version) {
          return null;
        }
        if (busy()) {
          var note = document.getElementById("changed");
          if (note) { note.hidden = false; }
          return null;
        }
        window.location.reload();
        return null;
      })
      .catch(function () { return null; })
      .then(function (s) {
        if (s !== signedOut) {
          window.setTimeout(check, every);
        }
      });
  }
  window.setTimeout(check, every);
})();
