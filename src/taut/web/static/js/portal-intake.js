// The client's intake on the phone: the signature pad of the consent step (templates/portal/intake.html).
// A finger (or mouse, or pen) draws on the canvas; on sending, the drawing goes in the hidden field as a PNG
// data URL. Without a drawing, or without JavaScript, the client types their name instead.
(function () {
  "use strict";
  var canvas = document.getElementById("sign-canvas");
  var field = document.getElementById("f-signature_drawing");
  var form = document.getElementById("intake-step");
  if (!canvas || !field || !form) return;
  var ctx = canvas.getContext("2d");
  var drawing = false;
  var drawn = false;
  ctx.lineWidth = 2.5;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.strokeStyle = "#111827";

  function point(e) {
    var r = canvas.getBoundingClientRect();
    return { x: (e.clientX - r.left) * (canvas.width / r.width), y: (e.clientY - r.top) * (canvas.height / r.height) };
  }
  function chooseDrawn() {
    var radio = form.querySelector('input[name="signature_kind"][value="drawn"]');
    if (radio) radio.checked = true;
  }
  canvas.addEventListener("pointerdown", function (e) {
    e.preventDefault();
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    var p = point(e);
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
    ctx.lineTo(p.x + 0.1, p.y + 0.1);
    ctx.stroke();
    chooseDrawn();
  });
  canvas.addEventListener("pointermove", function (e) {
    if (!drawing) return;
    e.preventDefault();
    var p = point(e);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    drawn = true;
  });
  function end() { drawing = false; }
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  document.getElementById("sign-clear").addEventListener("click", function () {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    drawn = false;
    field.value = "";
  });
  form.addEventListener("submit", function () {
    field.value = drawn ? canvas.toDataURL("image/png") : "";
  });
})();
