// Examination page: add muscles without a reload, show trigger-point sites on the body map, jump to a row
// from the map, show the normal range of motion beside each measurement.
(function () {
  "use strict";
  var form = document.getElementById("exam-form");
  if (!form) { return; }
  var clientId = form.getAttribute("data-client");
  var blocks = document.getElementById("muscle-blocks");
  var musclesInput = document.getElementById("exam-muscles");
  var map = form.querySelector(".bodymap");

  function rows() { return Array.prototype.slice.call(form.querySelectorAll(".trp-row")); }

  function refreshSites() {
    rows().forEach(function (r) {
      var sel = r.querySelector(".trp-status");
      r.classList.toggle("found", !!(sel && sel.value));
    });
    if (map && window.TautBodyMap && window.TautBodyMap.overlay) {
      var sites = rows().map(function (r) { return r.getAttribute("data-marker"); });
      window.TautBodyMap.overlay(map, { essential: [], spillover: [], trps: sites });
    }
  }

  function slugs() { return musclesInput.value ? musclesInput.value.split(",") : []; }

  function addMuscle(name) {
    var msg = document.getElementById("add-muscle-msg");
    var opt = Array.prototype.find.call(document.querySelectorAll("#muscle-list option"), function (o) {
      return o.value.toLowerCase() === name.toLowerCase();
    });
    var key = opt ? opt.getAttribute("data-slug") : name;
    if (slugs().indexOf(key) >= 0) { msg.textContent = "Already on the form."; return; }
    fetch("/clients/" + clientId + "/exam/muscle?muscle=" + encodeURIComponent(key), { credentials: "same-origin" })
      .then(function (r) { return r.text().then(function (t) { return { ok: r.ok, text: t }; }); })
      .then(function (res) {
        var holder = document.createElement("div");
        holder.innerHTML = res.text;
        if (!res.ok) { msg.textContent = holder.textContent.trim(); return; }
        var block = holder.firstElementChild;
        var empty = document.getElementById("no-muscles");
        if (empty) { empty.remove(); }
        blocks.appendChild(block);
        musclesInput.value = slugs().concat([block.getAttribute("data-muscle")]).join(",");
        msg.textContent = "Added " + block.querySelector("h3").firstChild.textContent.trim() + ".";
        document.getElementById("add-muscle").value = "";
        refreshSites();
      })
      .catch(function () { msg.textContent = "Could not load the muscle: check the connection and try again."; });
  }

  var addBtn = document.getElementById("add-muscle-btn");
  var addInput = document.getElementById("add-muscle");
  if (addBtn) {
    addBtn.addEventListener("click", function () { if (addInput.value.trim()) { addMuscle(addInput.value.trim()); } });
    addInput.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { ev.preventDefault(); if (addInput.value.trim()) { addMuscle(addInput.value.trim()); } }
    });
  }

  form.addEventListener("change", function (ev) {
    if (ev.target.classList.contains("trp-status")) { refreshSites(); }
    if (ev.target.classList.contains("rom-movement") || ev.target.name && ev.target.name.indexOf(":degrees") > 0) {
      showNormal(ev.target.getAttribute("data-row"));
    }
  });
  form.addEventListener("input", function (ev) {
    if (ev.target.name && ev.target.name.indexOf("rom:") === 0) { showNormal(ev.target.getAttribute("data-row")); }
  });

  function showNormal(n) {
    if (n === null) { return; }
    var sel = document.getElementById("rom:" + n + ":movement");
    var deg = document.getElementById("rom:" + n + ":degrees");
    var out = document.getElementById("rom-normal-" + n);
    var opt = sel && sel.options[sel.selectedIndex];
    if (!opt || !opt.value) { out.textContent = ""; out.classList.remove("low"); return; }
    var normal = parseInt(opt.getAttribute("data-normal"), 10);
    var got = parseInt(deg.value, 10);
    if (isNaN(got)) { out.textContent = "normal " + normal + "°"; out.classList.remove("low"); return; }
    var pct = Math.round(100 * got / normal);
    out.textContent = "normal " + normal + "° · " + pct + "% of normal";
    out.classList.toggle("low", pct < 75);
  }
  for (var i = 0; document.getElementById("rom:" + i + ":movement"); i++) { showNormal(String(i)); }

  document.addEventListener("bodymap:pick", function (ev) {
    var key = ev.detail && (ev.detail.key || ev.detail.region);
    var hit = rows().filter(function (r) { return r.getAttribute("data-marker") === key; });
    if (!hit.length) { return; }
    var row = hit[0];
    row.scrollIntoView({ block: "center" });
    row.classList.add("flash");
    setTimeout(function () { row.classList.remove("flash"); }, 1200);
    var sel = row.querySelector(".trp-status");
    if (sel) { if (!sel.value) { sel.value = "active"; } sel.focus(); refreshSites(); }
  });
  refreshSites();
})();
