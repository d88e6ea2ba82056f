// KetaCare progressive enhancement: no inline script anywhere (CSP script-src 'self').
(function () {
  "use strict";
  function pad(n) { return String(n).padStart(2, "0"); }
  // Elapsed-time clocks: <span data-elapsed-since="ISO-8601">.
  function tickClocks() {
    document.querySelectorAll("[data-elapsed-since]").forEach(function (el) {
      var since = Date.parse(el.getAttribute("data-elapsed-since"));
      if (isNaN(since)) { return; }
      var s = Math.max(0, Math.floor((Date.now() - since) / 1000));
      el.textContent = pad(Math.floor(s / 3600)) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
    });
  }
  // Confirm buttons: <button data-confirm="Are you sure?">.
  document.addEventListener("click", function (ev) {
    var t = ev.target.closest("[data-confirm]");
    if (t && !window.confirm(t.getAttribute("data-confirm"))) { ev.preventDefault(); }
  });
  // Print buttons: <button data-print>.
  document.addEventListener("click", function (ev) {
    if (ev.target.closest("[data-print]")) { ev.preventDefault(); window.print(); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    tickClocks();
    setInterval(tickClocks, 1000);
    var first = document.querySelector("[data-autofocus]");
    if (first) { first.focus(); }
  });
})();
