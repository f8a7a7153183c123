// Small behaviours shared by every page (no inline scripts: the content security policy forbids them).
(function () {
  "use strict";
  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { ev.preventDefault(); }
  });
  // Print buttons.
  document.addEventListener("click", function (ev) {
    if (ev.target.closest("[data-print]")) { ev.preventDefault(); window.print(); }
  });
  // Move focus to a form's error summary so screen readers announce it.
  var err = document.getElementById("form-error");
  if (err) { err.setAttribute("tabindex", "-1"); err.focus(); }
})();
