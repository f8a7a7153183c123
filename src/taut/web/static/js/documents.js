// Note pages: warn before leaving (or signing) with text typed but not saved.
(function () {
  "use strict";
  var dirty = false;
  var SIGN_SAVED = "Sign this note as it is saved now? A signed note never changes; later corrections are amendments.";
  var SIGN_DIRTY = "The text you typed is NOT saved and will not be signed. Sign the saved version anyway?";
  function setDirty(value) {
    dirty = value;
    var sign = document.getElementById("sign-button");
    if (sign) { sign.setAttribute("data-confirm", dirty ? SIGN_DIRTY : SIGN_SAVED); }
  }
  var forms = document.querySelectorAll("form[data-dirty-warning]");
  forms.forEach(function (form) {
    var texts = form.querySelectorAll("textarea");
    var original = Array.prototype.map.call(texts, function (t) { return t.defaultValue; });
    form.addEventListener("input", function () {
      setDirty(Array.prototype.some.call(texts, function (t, i) { return t.value !== original[i]; }));
    });
  });
  // Leaving by submitting a form is deliberate (signing asks its own question).
  document.addEventListener("submit", function () { dirty = false; });
  // A page shown again after a conflict holds typed text that is not saved yet.
  if (document.getElementById("form-error") && forms.length) { setDirty(true); }
  window.addEventListener("beforeunload", function (ev) {
    if (dirty) { ev.preventDefault(); ev.returnValue = ""; }
  });
})();
