// The session conductor: the points in order, the hold timer, one-tap discomfort and pressure, and every hold
// saved the moment it ends. Holds wait in a queue kept in localStorage until the server has them, so a lost
// connection or a closed tab loses nothing; the hold in progress is kept there too.
(function () {
  "use strict";
  var dataEl = document.getElementById("cd-data");
  if (!dataEl) { return; }
  var D = JSON.parse(dataEl.textContent);
  // The catalogue of trigger points is a static, long-cached script loaded before this one (js/catalogue.js).
  D.catalogue = D.catalogue || window.TautCatalogue || {};
  var SID = D.session_id;
  var LS = "taut.conductor." + SID + ".";
  var LIMIT = D.good_pain_limit; // discomfort above this is past good pain
  var $ = function (id) { return document.getElementById(id); };

  // --- storage -------------------------------------------------------------------------------------------------
  function load(name, fallback) {
    try { var v = window.localStorage.getItem(LS + name); return v ? JSON.parse(v) : fallback; }
    catch (e) { return fallback; }
  }
  function store(name, value) {
    try {
      if (value === null) { window.localStorage.removeItem(LS + name); }
      else { window.localStorage.setItem(LS + name, JSON.stringify(value)); }
    } catch (e) { /* private mode: the queue still lives in the page */ }
  }

  // --- state ---------------------------------------------------------------------------------------------------
  var points = D.points.slice();
  var saved = D.holds.slice(); // what the server has, in order
  var queue = load("queue", []); // holds not yet confirmed by the server, in order
  var csrf = D.csrf;
  var current = 0;
  var draft = null;
  var lastSaved = null; // the point of the hold saved last (to offer a repeat)

  function keyOf(trp, side) { return trp + ":" + (side || ""); }
  function same(a, b) {
    return a.trp_id === b.trp_id && (a.side || "") === (b.side || "") && a.technique === b.technique &&
      a.pressure === b.pressure && a.seconds === b.seconds && a.discomfort === b.discomfort &&
      (a.pressure_change || null) === (b.pressure_change || null) && !!a.released === !!b.released;
  }
  function findPoint(key) {
    for (var i = 0; i < points.length; i++) { if (points[i].key === key) { return i; } }
    return -1;
  }
  function addPoint(p) {
    var i = findPoint(p.key);
    if (i >= 0) { return i; }
    points.push(p);
    store("added", points.filter(function (x) { return x.source === "added"; }));
    return points.length - 1;
  }
  function described(trp, side, technique) {
    var c = D.catalogue[trp] || { muscle: trp, point: "", location: "", sides: [], cautions: [] };
    return { key: keyOf(trp, side), trp_id: trp, side: side || "", technique: technique, source: "added",
      muscle: c.muscle, point: c.point, location: c.location, cautions: c.cautions, sides: c.sides };
  }
  function pointFromHold(h) { return described(h.trp_id, h.side, h.technique); }
  (load("added", []) || []).forEach(function (p) { if (findPoint(p.key) < 0) { points.push(p); } });
  // Each hold gets a key (a UUID) once, when it is queued, and sends it with every retry: the server stores
  // one hold per key, however often the request is repeated.
  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") { return window.crypto.randomUUID(); }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var x = Array.prototype.map.call(b, function (n) { return (n + 256).toString(16).slice(1); }).join("");
    return x.slice(0, 8) + "-" + x.slice(8, 12) + "-" + x.slice(12, 16) + "-" + x.slice(16, 20) + "-" + x.slice(20);
  }
  queue.forEach(function (q) { if (!q.key) { q.key = newKey(); } });
  // A queued hold the server already has (its answer was lost before the tab closed) leaves the queue.
  var savedKeys = {};
  saved.forEach(function (h) { if (h.key) { savedKeys[h.key] = true; } });
  queue = queue.filter(function (q) {
    if (savedKeys[q.key]) { return false; }
    var h = saved[q.position];
    return !(typeof q.position === "number" && h && same(h, q.hold));
  });
  queue.forEach(function (q) { q.state = "pending"; addPoint(pointFromHold(q.hold)); });
  store("queue", queue.length ? queue : null);

  function count(key) {
    var n = 0;
    saved.forEach(function (h) { if (keyOf(h.trp_id, h.side) === key) { n++; } });
    queue.forEach(function (q) { if (keyOf(q.hold.trp_id, q.hold.side) === key) { n++; } });
    return n;
  }
  function technique(id) { return D.techniques[id] || { name: id, hold: [10, 30], cautions: [] }; }
  function pointName(key) {
    var i = findPoint(key);
    if (i < 0) { return key; }
    var p = points[i];
    return p.muscle + (p.side ? " (" + p.side + ")" : "");
  }

  // --- the hold in progress ------------------------------------------------------------------------------------
  function newDraft(p) {
    var last = null;
    saved.concat(queue.map(function (q) { return q.hold; })).forEach(function (h) {
      if (keyOf(h.trp_id, h.side) === p.key) { last = h; }
    });
    var pressure = last ? last.pressure : (D.lighter ? 1 : 2);
    return { key: p.key, technique: last ? last.technique : p.technique, pressure: pressure, change: null,
      ratings: [], ack: false, lowered: false, running: false, startedAt: 0, accumulated: 0 };
  }
  function keepDraft() { store("draft", draft); }
  function elapsedMs() {
    if (!draft) { return 0; }
    return draft.accumulated + (draft.running ? Date.now() - draft.startedAt : 0);
  }
  function seconds() { return Math.floor(elapsedMs() / 1000); }
  function peak() { return draft.ratings.length ? Math.max.apply(null, draft.ratings) : null; }
  function lastRating() { return draft.ratings.length ? draft.ratings[draft.ratings.length - 1] : null; }
  function warningOn() { var p = peak(); return p !== null && p > LIMIT; }
  function blocked() {
    var last = lastRating();
    return last !== null && last > LIMIT && !draft.ack && !draft.lowered;
  }
  function touched() { return draft && (elapsedMs() > 0 || draft.ratings.length > 0); }

  // --- rendering -----------------------------------------------------------------------------------------------
  function text(el, s) { if (el) { el.textContent = s; } }
  function el(tag, cls, s) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (s !== undefined) { e.textContent = s; }
    return e;
  }

  function renderSteps() {
    var ol = $("cd-steps");
    ol.textContent = "";
    points.forEach(function (p, i) {
      var li = el("li");
      var b = el("button", "cd-step");
      b.type = "button";
      b.setAttribute("data-key", p.key);
      if (i === current) { b.setAttribute("aria-current", "step"); }
      var n = count(p.key);
      if (n) { b.classList.add("done"); }
      b.appendChild(el("span", "cd-step-no", String(i + 1)));
      var name = el("span", "cd-step-name", p.muscle);
      if (p.side) { name.appendChild(document.createTextNode(" ")); name.appendChild(el("span", "cd-side-short", p.side.charAt(0).toUpperCase())); }
      b.appendChild(name);
      var c = el("span", "cd-step-count", n ? "✓" + (n > 1 ? n : "") : "");
      if (n) { c.setAttribute("aria-label", n + " hold" + (n > 1 ? "s" : "") + " saved"); }
      b.appendChild(c);
      li.appendChild(b);
      ol.appendChild(li);
    });
  }

  function renderPoint() {
    var card = $("cd-point");
    if (!points.length) { card.hidden = true; return; }
    card.hidden = false;
    var p = points[current];
    var from = { plan: "from the plan", assessment: "from the examination", added: "added" }[p.source] || "";
    text($("cd-point-step"), "Point " + (current + 1) + " of " + points.length + (from ? " · " + from : ""));
    text($("cd-point-muscle"), p.muscle);
    var side = $("cd-point-side");
    side.hidden = !p.side;
    text(side, p.side);
    text($("cd-point-name"), p.point);
    text($("cd-point-location"), p.location);
    var list = $("cd-caution-list");
    list.textContent = "";
    var cautions = D.client_cautions.concat(p.cautions || []);
    var t = technique(draft.technique);
    (t.cautions || []).forEach(function (c) { cautions.push({ title: t.short || t.name, text: c, scope: "technique" }); });
    var groups = [];
    cautions.forEach(function (c) { // a muscle's several cautions under its name once
      var g = groups[groups.length - 1];
      if (g && g.title === c.title) { g.texts.push(c.text); }
      else { groups.push({ title: c.title, scope: c.scope, texts: [c.text] }); }
    });
    groups.forEach(function (g) {
      var li = el("li", "scope-" + g.scope);
      li.appendChild(el("strong", "", g.title + ". "));
      li.appendChild(document.createTextNode(g.texts.join(" ")));
      list.appendChild(li);
    });
    $("cd-point-cautions").hidden = cautions.length === 0;
    var sel = $("cd-technique");
    sel.value = draft.technique;
    var all = points.every(function (x) { return count(x.key) > 0; });
    $("cd-all-done").hidden = !all;
    if (repeatTarget === current) { offerRepeat(-1); }
    $("cd-prev").disabled = current === 0;
    $("cd-next").disabled = current >= points.length - 1;
    renderTechnique();
    renderPressure();
    renderDiscomfort();
    renderTimer();
  }

  function renderTechnique() {
    var t = technique(draft.technique);
    var range = t.hold[0] + "–" + t.hold[1] + " s";
    text($("cd-technique-hold"), t.own_range ? (t.dose || "Hold " + range + ".") :
      "No hold time of its own: the timer aims at " + range + ". " + (t.dose || ""));
  }

  function renderPressure() {
    var lvl = draft.pressure;
    text($("cd-pressure-name"), lvl + " · " + D.pressure_levels[String(lvl)]);
    Array.prototype.forEach.call(document.querySelectorAll(".cd-pressure-bars span"), function (s) {
      s.classList.toggle("on", Number(s.getAttribute("data-level")) <= lvl);
    });
    $("cd-pressure-down").disabled = lvl <= 1;
    $("cd-pressure-up").disabled = lvl >= 5;
    var msg = draft.change === "up" ? "Client asked for more pressure." :
      draft.change === "down" ? "Client asked for less pressure." :
      D.lighter && lvl === 1 ? "Starts light: a caution of this client asks for lighter pressure." :
      "The client's requests are recorded with the hold.";
    text($("cd-pressure-change"), msg);
  }

  function renderDiscomfort() {
    var last = lastRating();
    Array.prototype.forEach.call(document.querySelectorAll(".cd-dbtn"), function (b) {
      b.setAttribute("aria-pressed", String(Number(b.getAttribute("data-value")) === last));
    });
    var now = $("cd-discomfort-now");
    if (last === null) { text(now, "not rated yet"); }
    else {
      var p = peak();
      text(now, last + "/10" + (p !== last ? " · peak " + p + " is saved" : ""));
    }
    $("cd-undo").hidden = draft.ratings.length === 0;
    var w = $("cd-warning");
    if (warningOn()) {
      var isBlocked = blocked();
      var msg = isBlocked
        ? "Discomfort " + lastRating() + "/10 is past good pain (" + LIMIT + " or less). " +
          (draft.pressure > 1 ? "Ease the pressure, or confirm to keep the rating." :
            "The pressure is already light: stop the hold, or confirm to keep the rating.")
        : "Peak discomfort " + peak() + "/10: the hold is saved with this warning.";
      text($("cd-warning-text"), msg);
      $("cd-ack").hidden = !isBlocked;
      w.classList.toggle("settled", !isBlocked);
      if (w.hidden) { w.hidden = false; }
    } else {
      w.hidden = true;
    }
    renderSaveState();
  }

  function renderSaveState() {
    var hint = "";
    if (blocked()) { hint = "Ease the pressure or confirm the warning before saving."; }
    else if (!draft.ratings.length) { hint = "Tap the client's discomfort before saving."; }
    else if (seconds() < 1) { hint = "Start the timer (or enter the seconds held) before saving."; }
    text($("cd-save-hint"), hint);
    var ready = !hint;
    $("cd-save").setAttribute("aria-disabled", String(!ready));
    $("cd-released").setAttribute("aria-disabled", String(!ready));
  }

  var C_BAR = 2 * Math.PI * 100;
  var C_TARGET = 2 * Math.PI * 114;
  var lastState = "";
  function renderTimer() {
    var t = technique(draft.technique);
    var lo = t.hold[0], hi = t.hold[1];
    var ms = elapsedMs();
    var s = Math.floor(ms / 1000);
    text($("cd-seconds"), String(s));
    var input = $("cd-seconds-input");
    if (document.activeElement !== input) { input.value = String(s); }
    input.readOnly = draft.running;
    var frac = Math.min(ms / (hi * 1000), 1);
    var bar = $("cd-ring-bar");
    bar.setAttribute("stroke-dasharray", C_BAR.toFixed(1) + " " + C_BAR.toFixed(1));
    bar.setAttribute("stroke-dashoffset", (C_BAR * (1 - frac)).toFixed(1));
    var tgt = $("cd-ring-target");
    var f0 = lo / hi;
    tgt.setAttribute("stroke-dasharray", (C_TARGET * (1 - f0)).toFixed(1) + " " + C_TARGET.toFixed(1));
    tgt.setAttribute("stroke-dashoffset", (-C_TARGET * f0).toFixed(1));
    var state = s >= hi ? "reached" : s >= lo ? "range" : draft.running ? "running" : ms > 0 ? "paused" : "idle";
    if (state !== "reached" && state !== "range" && !draft.running && ms > 0) { state = "paused"; }
    var ring = $("cd-ring");
    ring.setAttribute("data-state", state);
    ring.classList.toggle("paused", !draft.running && ms > 0);
    var label = state === "reached" ? "target reached" : state === "range" ? "in range · " + lo + "–" + hi + " s" :
      "target " + lo + "–" + hi + " s";
    if (!draft.running && ms > 0) { label = "paused · " + label; }
    text($("cd-ring-label"), label);
    if (state !== lastState) {
      if ((state === "range" || state === "reached") && draft.running && navigator.vibrate) { navigator.vibrate(60); }
      lastState = state;
    }
    var start = $("cd-start");
    text(start, draft.running ? "Pause" : ms > 0 ? "Resume" : "Start");
    $("cd-reset").disabled = ms === 0;
    renderSaveState();
  }

  function pressureText(h) {
    var s = D.pressure_levels[String(h.pressure)];
    if (h.pressure_change === "up") { s += " (asked: more)"; }
    if (h.pressure_change === "down") { s += " (asked: less)"; }
    return s;
  }

  function holdItem(h, no, state, error) {
    var li = el("li", "cd-hold" + (h.discomfort > LIMIT ? " warn" : "") + (state ? " " + state : ""));
    li.appendChild(el("span", "cd-hold-no", String(no)));
    var body = el("div");
    var i = findPoint(keyOf(h.trp_id, h.side));
    var p = i >= 0 ? points[i] : null;
    var what = el("p", "cd-hold-what");
    what.appendChild(el("strong", "", p ? p.muscle : h.trp_id));
    if (h.side) { what.appendChild(document.createTextNode(" ")); what.appendChild(el("span", "cd-side-tag", h.side)); }
    if (p && p.point) { what.appendChild(document.createTextNode(" ")); what.appendChild(el("span", "muted", p.point)); }
    body.appendChild(what);
    body.appendChild(el("p", "cd-hold-meta", (technique(h.technique).short || h.technique) + " · " + h.seconds + " s · " + pressureText(h) +
      " · discomfort " + h.discomfort + "/10" + (h.released ? " · released" : "")));
    if (h.discomfort > LIMIT) { body.appendChild(el("p", "cd-hold-flag", "Past good pain")); }
    if (state === "pending") { body.appendChild(el("p", "cd-hold-state", "Saving…")); }
    if (state === "retry") { body.appendChild(el("p", "cd-hold-state", "Not saved yet: kept on this device, retrying.")); }
    if (state === "failed") {
      var f = el("p", "cd-hold-state", "Not saved: " + error + " ");
      var d = el("button", "link", "Discard this hold");
      d.type = "button";
      d.setAttribute("data-discard", String(queueIndex(h)));
      f.appendChild(d);
      body.appendChild(f);
    }
    li.appendChild(body);
    return li;
  }
  function queueIndex(h) {
    for (var i = 0; i < queue.length; i++) { if (queue[i].hold === h) { return i; } }
    return -1;
  }

  function renderHolds() {
    var ol = $("cd-holds");
    ol.textContent = "";
    var items = [];
    saved.forEach(function (h, i) { items.push(holdItem(h, i + 1, "", "")); });
    queue.forEach(function (q, i) { items.push(holdItem(q.hold, saved.length + i + 1, q.state, q.error || "")); });
    items.reverse().forEach(function (li) { ol.appendChild(li); });
    $("cd-holds-empty").hidden = items.length > 0;
    var waiting = queue.length;
    var status = $("cd-save-status");
    status.classList.toggle("waiting", waiting > 0);
    text(status, waiting ? waiting + " hold" + (waiting > 1 ? "s" : "") + " waiting to be saved" :
      saved.length + " hold" + (saved.length !== 1 ? "s" : "") + " saved");
    var hint = $("cd-finish-hint");
    hint.hidden = waiting === 0;
    text(hint, waiting ? "Wait until every hold is saved (" + waiting + " waiting) before finishing." : "");
  }

  function renderAll() { renderSteps(); renderPoint(); renderHolds(); }

  // --- moving between points -----------------------------------------------------------------------------------
  function go(i, force) {
    if (i < 0 || i >= points.length) { return; }
    if (!force && i !== current && touched() &&
        !window.confirm("Leave this point? The hold in progress (not saved) is discarded.")) { return; }
    current = i;
    draft = newDraft(points[i]);
    keepDraft();
    renderAll();
    toWork(true);
  }
  function toWork(smooth) {
    // When the page is taller than the screen (a tablet, a laptop), bring the current point's card to the
    // top, so the cautions, the timer, the ratings and Save are in view together.
    var card = $("cd-point");
    if (card.hidden) { return; }
    var box = card.getBoundingClientRect();
    if (box.top >= 0 && box.bottom <= window.innerHeight) { return; } // already all in view
    var top = box.top + window.pageYOffset - 8;
    if (Math.abs(window.pageYOffset - top) > 4) { window.scrollTo({ top: top, behavior: smooth ? "smooth" : "auto" }); }
  }
  function nextIndex() {
    // The next point with the fewest holds, looking forward from the current one.
    var best = -1, fewest = Infinity;
    for (var k = 1; k <= points.length; k++) {
      var i = (current + k) % points.length;
      var n = count(points[i].key);
      if (n < fewest) { fewest = n; best = i; }
    }
    return best;
  }

  // --- timer ---------------------------------------------------------------------------------------------------
  var ticker = null;
  function tick() { renderTimer(); }
  function startPause() {
    if (!draft) { return; }
    if (draft.running) {
      draft.accumulated = elapsedMs();
      draft.running = false;
      window.clearInterval(ticker);
    } else {
      draft.startedAt = Date.now();
      draft.running = true;
      offerRepeat(-1);
      ticker = window.setInterval(tick, 200);
    }
    keepDraft();
    renderTimer();
  }
  function resetTimer() {
    if (!draft) { return; }
    window.clearInterval(ticker);
    draft.running = false;
    draft.accumulated = 0;
    keepDraft();
    renderTimer();
  }

  // --- ratings and pressure ------------------------------------------------------------------------------------
  function rate(n) {
    if (!draft) { return; }
    draft.ratings.push(n);
    offerRepeat(-1);
    if (n > LIMIT) { draft.ack = false; draft.lowered = false; }
    keepDraft();
    renderDiscomfort();
  }
  function undoRating() {
    if (!draft || !draft.ratings.length) { return; }
    draft.ratings.pop();
    keepDraft();
    renderDiscomfort();
  }
  function pressure(delta) {
    if (!draft) { return; }
    var p = Math.max(1, Math.min(5, draft.pressure + delta));
    if (p === draft.pressure) { return; }
    draft.pressure = p;
    draft.change = delta > 0 ? "up" : "down";
    if (delta < 0 && warningOn()) { draft.lowered = true; }
    keepDraft();
    renderPressure();
    renderDiscomfort();
  }
  function acknowledge() {
    if (!draft || !warningOn()) { return; }
    draft.ack = true;
    keepDraft();
    renderDiscomfort();
  }

  // --- saving --------------------------------------------------------------------------------------------------
  function save(released) {
    if (!draft || !points.length) { return; }
    if (blocked()) { $("cd-ack").focus(); renderSaveState(); return; }
    if (!draft.ratings.length) { renderSaveState(); document.querySelector(".cd-dbtn").focus(); return; }
    var s = seconds();
    if (s < 1) { renderSaveState(); $("cd-start").focus(); return; }
    var p = points[current];
    var hold = {
      trp_id: p.trp_id, side: p.side || null, technique: draft.technique, pressure: draft.pressure,
      seconds: Math.min(s, 600), discomfort: peak(), pressure_change: draft.change, released: !!released
    };
    window.clearInterval(ticker);
    queue.push({ hold: hold, key: newKey(), state: "pending" });
    store("queue", queue);
    lastSaved = current;
    var next = nextIndex();
    var repeatName = pointName(p.key);
    go(next >= 0 ? next : current, true);
    var nextName = pointName(points[current].key);
    announce("Hold " + (saved.length + queue.length) + " on " + repeatName + (released ? ", released," : "") +
      " saved." + (current !== lastSaved ? " Next: " + nextName + "." : ""));
    offerRepeat(current !== lastSaved ? lastSaved : -1);
    flush();
  }

  var busy = false, retryTimer = null, delay = 2000;
  function flush() {
    if (busy) { return; }
    var i = -1;
    for (var k = 0; k < queue.length; k++) { if (queue[k].state !== "failed") { i = k; break; } }
    if (i < 0) { netError(""); renderHolds(); return; }
    var q = queue[i];
    var body = {};
    Object.keys(q.hold).forEach(function (k) { body[k] = q.hold[k]; });
    body.position = saved.length;
    body.key = q.key;
    q.position = saved.length;
    store("queue", queue);
    busy = true;
    renderHolds();
    send(body).then(function (r) {
      busy = false;
      if (r.ok) {
        saved.push(r.data.hold);
        queue.splice(queueIndex(q.hold), 1);
        store("queue", queue.length ? queue : null);
        delay = 2000;
        renderAll();
        flush();
      } else if (r.retry) {
        q.state = "retry";
        store("queue", queue);
        netError(r.message);
        renderHolds();
        schedule();
      } else {
        q.state = "failed";
        q.error = r.message;
        store("queue", queue);
        renderHolds();
        flush();
      }
    });
  }
  function schedule() {
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(flush, delay);
    delay = Math.min(delay * 2, 30000);
  }
  function send(body, again) {
    return window.fetch("/api/v1/sessions/" + SID + "/holds", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (res.ok) { return { ok: true, data: data }; }
        var msg = (data && data.error && data.error.message) || ("the server answered " + res.status);
        if ((res.status === 403 || res.status === 401) && !again) {
          // The sign-in or its token may have been renewed in another tab: fetch the current token once.
          return window.fetch("/api/v1/session", { credentials: "same-origin" }).then(function (s) {
            if (!s.ok) { return { ok: false, retry: true, message: "you are signed out: sign in again in another tab; the hold is kept on this device" }; }
            return s.json().then(function (info) {
              if (info.csrf_token && info.csrf_token !== csrf) { csrf = info.csrf_token; return send(body, true); }
              return { ok: false, retry: false, message: msg };
            });
          });
        }
        if (res.status >= 500 || res.status === 401 || res.status === 429) {
          return { ok: false, retry: true, message: msg };
        }
        return { ok: false, retry: false, message: msg };
      });
    }).catch(function () {
      return { ok: false, retry: true, message: "no connection to the server" };
    });
  }
  function netError(message) {
    var box = $("cd-net-error");
    if (!message) { box.hidden = true; return; }
    var n = queue.length;
    text($("cd-net-error-text"), "Not saved yet (" + message + "). " + n + " hold" + (n > 1 ? "s are" : " is") +
      " kept on this device and sent again automatically.");
    box.hidden = false;
  }

  // --- after a save ----------------------------------------------------------------------------------------------
  var repeatTarget = -1;
  function announce(message) { text($("cd-announce"), message); }
  function offerRepeat(i) {
    // The point just saved stays one tap away (a second or third hold on it) until the next hold begins.
    var b = $("cd-repeat");
    repeatTarget = i;
    b.hidden = i < 0;
    if (i >= 0) { text(b, " Repeat " + pointName(points[i].key)); }
  }

  // --- adding a point ------------------------------------------------------------------------------------------
  function filterPicker() {
    var q = $("cd-search").value.trim().toLowerCase();
    var words = q ? q.split(/\s+/) : [];
    var sel = $("cd-pick"), first = null;
    Array.prototype.forEach.call(sel.querySelectorAll("option"), function (o) {
      var hay = o.getAttribute("data-search") + " " + o.textContent.toLowerCase();
      var show = words.every(function (w) { return hay.indexOf(w) >= 0; });
      o.hidden = !show;
      o.disabled = !show;
      if (show && !first) { first = o; }
    });
    Array.prototype.forEach.call(sel.querySelectorAll("optgroup"), function (g) {
      g.hidden = !g.querySelector("option:not([hidden])");
    });
    if (first && (sel.selectedIndex < 0 || sel.options[sel.selectedIndex].hidden)) { sel.value = first.value; pickSides(); }
    text($("cd-add-hint"), first ? "" : "No trigger point matches.");
  }
  function pickSides() {
    // Only the sides the chosen trigger point has: a midline point has none, a few exist on one side only.
    var c = D.catalogue[$("cd-pick").value];
    if (!c) { return; }
    var radios = document.querySelectorAll("input[name=cd-pick-side]");
    var checked = null;
    Array.prototype.forEach.call(radios, function (r) {
      var ok = c.sides.indexOf(r.value) >= 0;
      r.disabled = !ok;
      r.closest("label").classList.toggle("off", !ok);
      if (ok && (checked === null || r.checked)) { checked = r; }
    });
    if (checked) { checked.checked = true; }
  }
  function addChosen() {
    var sel = $("cd-pick");
    var trp = sel.value;
    if (!trp) { text($("cd-add-hint"), "Choose a trigger point first."); sel.focus(); return; }
    var side = (document.querySelector("input[name=cd-pick-side]:checked") || {}).value || "";
    var i = addPoint(described(trp, side, sel.options[sel.selectedIndex].getAttribute("data-technique")));
    $("cd-add").hidden = true;
    $("cd-add-toggle").setAttribute("aria-expanded", "false");
    go(i);
    $("cd-point-title").scrollIntoView({ block: "start", behavior: "smooth" });
  }

  // --- events --------------------------------------------------------------------------------------------------
  $("cd-start").addEventListener("click", startPause);
  $("cd-reset").addEventListener("click", resetTimer);
  $("cd-pressure-up").addEventListener("click", function () { pressure(1); });
  $("cd-pressure-down").addEventListener("click", function () { pressure(-1); });
  $("cd-ack").addEventListener("click", acknowledge);
  $("cd-undo").addEventListener("click", undoRating);
  $("cd-save").addEventListener("click", function () { save(false); });
  $("cd-released").addEventListener("click", function () { save(true); });
  $("cd-prev").addEventListener("click", function () { go(current - 1); });
  $("cd-next").addEventListener("click", function () { go(current + 1); });
  $("cd-retry").addEventListener("click", function () {
    queue.forEach(function (q) { if (q.state === "retry") { q.state = "pending"; } });
    delay = 2000; window.clearTimeout(retryTimer); flush();
  });
  $("cd-discomfort").addEventListener("click", function (ev) {
    var b = ev.target.closest(".cd-dbtn");
    if (b) { rate(Number(b.getAttribute("data-value"))); }
  });
  $("cd-technique").addEventListener("change", function () {
    draft.technique = this.value; keepDraft(); renderPoint();
  });
  $("cd-seconds-input").addEventListener("input", function () {
    if (draft.running) { return; }
    var v = Math.max(0, Math.min(600, parseInt(this.value, 10) || 0));
    draft.accumulated = v * 1000;
    keepDraft();
    renderTimer();
  });
  $("cd-steps").addEventListener("click", function (ev) {
    var b = ev.target.closest(".cd-step");
    if (b) { go(findPoint(b.getAttribute("data-key"))); }
  });
  $("cd-holds").addEventListener("click", function (ev) {
    var b = ev.target.closest("[data-discard]");
    if (!b) { return; }
    var i = Number(b.getAttribute("data-discard"));
    if (i >= 0 && window.confirm("Discard this hold? It was refused by the server and will not be saved.")) {
      queue.splice(i, 1);
      store("queue", queue.length ? queue : null);
      renderAll();
    }
  });
  $("cd-add-toggle").addEventListener("click", function () {
    var box = $("cd-add");
    box.hidden = !box.hidden;
    this.setAttribute("aria-expanded", String(!box.hidden));
    if (!box.hidden) { $("cd-search").focus(); }
  });
  $("cd-search").addEventListener("input", filterPicker);
  $("cd-search").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { ev.preventDefault(); addChosen(); }
    if (ev.key === "ArrowDown") { ev.preventDefault(); $("cd-pick").focus(); }
  });
  $("cd-pick").addEventListener("dblclick", addChosen);
  $("cd-pick").addEventListener("change", pickSides);
  $("cd-add-go").addEventListener("click", addChosen);
  $("cd-repeat").addEventListener("click", function () {
    if (repeatTarget >= 0) { go(repeatTarget); }
    offerRepeat(-1);
  });
  $("cd-finish-form").addEventListener("submit", function (ev) {
    if (queue.length) {
      ev.preventDefault();
      renderHolds();
      $("cd-finish-hint").focus();
      flush();
      return;
    }
    if (touched() && !window.confirm("A hold is in progress and not saved. Finish the session anyway?")) {
      ev.preventDefault();
      return;
    }
    store("draft", null);
    store("added", null);
    $("cd-finish").disabled = true;
    window.setTimeout(function () { $("cd-finish").disabled = false; }, 8000);
  });
  window.addEventListener("beforeunload", function (ev) {
    if (queue.length) { ev.preventDefault(); ev.returnValue = ""; }
  });
  window.addEventListener("online", function () { delay = 2000; flush(); });

  var KEYS = {
    " ": startPause, x: resetTimer, u: undoRating, a: acknowledge,
    s: function () { save(false); }, enter: function () { save(false); }, r: function () { save(true); },
    arrowup: function () { pressure(1); }, arrowdown: function () { pressure(-1); },
    n: function () { go(current + 1); }, p: function () { go(current - 1); },
    t: function () { rate(10); },
    "?": function () { var d = $("cd-keys"); d.open = !d.open; }
  };
  function typing(t) {
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  // The shortcuts can be switched off (remembered in this browser for every session) and act only on the
  // conductor's own area, the point card: Enter, Space and the arrows keep their own meaning on links, buttons
  // and everywhere else on the page; the letters and digits also act on the card's buttons (a tapped rating
  // keeps the focus) and, with nothing focused, on the page.
  var KEYS_ON = "taut.conductor.shortcuts";
  function shortcutsOn() {
    try { return window.localStorage.getItem(KEYS_ON) !== "off"; } catch (e) { return true; }
  }
  function showShortcuts(on) {
    $("cd-keys-on").checked = on;
    $("cd-keys-list").classList.toggle("cd-keys-off", !on);
    document.querySelectorAll("[aria-keyshortcuts], [data-keyshortcuts]").forEach(function (el) {
      if (on && el.hasAttribute("data-keyshortcuts")) {
        el.setAttribute("aria-keyshortcuts", el.getAttribute("data-keyshortcuts"));
      } else if (!on && el.hasAttribute("aria-keyshortcuts")) {
        el.setAttribute("data-keyshortcuts", el.getAttribute("aria-keyshortcuts"));
        el.removeAttribute("aria-keyshortcuts");
      }
    });
  }
  $("cd-keys-on").addEventListener("change", function () {
    try { window.localStorage.setItem(KEYS_ON, this.checked ? "on" : "off"); } catch (e) { /* this page only */ }
    showShortcuts(this.checked);
  });
  showShortcuts(shortcutsOn());
  var OWN_MEANING = { enter: true, " ": true, arrowup: true, arrowdown: true };
  function shortcutHere(t, k) {
    if (!$("cd-keys-on").checked || typing(t)) { return false; }
    if (t === document.body || t === document.documentElement) { return !OWN_MEANING[k]; }
    var card = $("cd-point");
    if (!card || card.hidden || !card.contains(t)) { return false; }
    if (t.closest("a, summary, label")) { return false; }
    if (t.closest("button")) { return !OWN_MEANING[k]; }
    return true;
  }
  var spaceTaken = false;
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var k = ev.key.toLowerCase();
    if (!shortcutHere(ev.target, k)) { return; }
    if (/^[0-9]$/.test(k)) { ev.preventDefault(); rate(Number(k)); return; }
    var f = KEYS[k];
    if (f && points.length) { ev.preventDefault(); spaceTaken = k === " "; f(); }
  });
  document.addEventListener("keyup", function (ev) {
    if (ev.key === " " && spaceTaken) { ev.preventDefault(); spaceTaken = false; }
  });

  // --- start ---------------------------------------------------------------------------------------------------
  var kept = load("draft", null);
  var start = kept ? findPoint(kept.key) : -1;
  if (start >= 0) {
    current = start;
    draft = kept;
    if (draft.running) { ticker = window.setInterval(tick, 200); }
  } else {
    current = 0;
    for (var i = 0; i < points.length; i++) { if (count(points[i].key) === 0) { current = i; break; } }
    if (points.length && count(points[current].key) > 0) { current = points.length - 1; }
    draft = points.length ? newDraft(points[current]) : null;
  }
  if (window.matchMedia && window.matchMedia("(min-width: 1100px)").matches) { $("cd-keys").open = true; }
  if (points.length) { renderAll(); toWork(false); } else { renderHolds(); }
  if (queue.length) { flush(); }
})();
