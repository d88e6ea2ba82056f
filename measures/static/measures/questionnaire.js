// Questionnaire pages: skip logic (data-enable-when) and digit keys for fast staff entry. No inline script (CSP).
(function () {
  "use strict";
  function checkedValue(form, name) {
    var el = form.querySelector('input[name="' + name + '"]:checked');
    return el ? el.value : null;
  }
  function applySkipLogic(form) {
    form.querySelectorAll("[data-enable-when]").forEach(function (fs) {
      var ok = fs.getAttribute("data-enable-when").split(";").every(function (cond) {
        var parts = cond.split("=");
        return checkedValue(form, parts[0]) === parts[1];
      });
      fs.classList.toggle("is-skipped", !ok);
      fs.querySelectorAll("input").forEach(function (input) {
        input.disabled = !ok;
        if (!ok) { input.checked = false; }
      });
    });
  }
  function nextItem(fs) {
    var next = fs.nextElementSibling;
    while (next && (!next.matches || !next.matches(".q-item") || next.classList.contains("is-skipped"))) {
      next = next.nextElementSibling;
    }
    return next;
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.q-form").forEach(function (form) {
      applySkipLogic(form);
      form.addEventListener("change", function () { applySkipLogic(form); });
      if (!form.classList.contains("staff-form")) { return; }
      // Staff entry: typing an answer's value picks it and moves to the next question.
      form.addEventListener("keydown", function (ev) {
        var input = ev.target;
        if (!input.matches || !input.matches('input[type="radio"]') || !/^[0-9]$/.test(ev.key)) { return; }
        var fs = input.closest(".q-item");
        var choice = fs.querySelector('input[value="' + ev.key + '"]:not(:disabled)');
        if (!choice) { return; }
        ev.preventDefault();
        choice.checked = true;
        choice.dispatchEvent(new Event("change", { bubbles: true }));
        var next = nextItem(fs);
        var target = next ? (next.querySelector("input:checked") || next.querySelector("input")) : form.querySelector('button[type="submit"]');
        if (target) { target.focus(); }
      });
    });
  });
})();
