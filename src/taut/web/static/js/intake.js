// Intake pages: live suggestions while painting (POST /api/v1/suggest, debounced), referral zones of a
// muscle overlaid on the body map on hover, focus or selection, the screening helpers and the decision form.
(function () {
  "use strict";

  var DEBOUNCE_MS = 450;
  var LIVE_SHOWN = 8;

  function el(name, attrs, text) {
    var node = document.createElement(name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function svg(name, attrs) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function map() { return window.TautBodyMap; }

  // ---- ranked muscles <-> overlay on the drawing -------------------------------------------------------

  // A list of .rank items beside a body map: hovering or focusing an item shows its zones; a click (or Enter /
  // Space on its button) pins the selection, which stays when the pointer or focus leaves.
  function Ranking(container, mapRoot) {
    this.container = container;
    this.mapRoot = mapRoot;
    this.pinned = null;
    var self = this;
    container.addEventListener("pointerover", function (ev) {
      var item = ev.target.closest(".rank");
      if (item && container.contains(item)) { self.show(item); }
    });
    container.addEventListener("pointerout", function (ev) {
      var to = ev.relatedTarget;
      var into = to && to.closest ? to.closest(".rank") : null;
      if (!into || !container.contains(into)) { self.restore(); }
    });
    container.addEventListener("focusin", function (ev) {
      var item = ev.target.closest(".rank");
      if (item) { self.show(item); }
    });
    container.addEventListener("focusout", function (ev) {
      if (!ev.relatedTarget || !container.contains(ev.relatedTarget)) { self.restore(); }
    });
    container.addEventListener("click", function (ev) {
      var button = ev.target.closest(".rank-pick");
      if (button) { self.toggle(button.closest(".rank")); }
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && self.pinned) { self.unpin(); }
    });
  }

  Ranking.prototype.zonesOf = function (item) {
    try { return JSON.parse(item.getAttribute("data-zones") || "{}"); } catch (e) { return {}; }
  };

  Ranking.prototype.show = function (item) {
    if (!map() || !this.mapRoot) { return; }
    map().overlay(this.mapRoot, this.zonesOf(item), { label: item.getAttribute("data-label") });
    this.container.querySelectorAll(".rank.is-shown").forEach(function (r) { r.classList.remove("is-shown"); });
    item.classList.add("is-shown");
  };

  Ranking.prototype.restore = function () {
    if (!map() || !this.mapRoot) { return; }
    this.container.querySelectorAll(".rank.is-shown").forEach(function (r) { r.classList.remove("is-shown"); });
    if (this.pinned && this.container.contains(this.pinned)) {
      this.show(this.pinned);
    } else {
      this.pinned = null;
      map().clearOverlay(this.mapRoot);
    }
  };

  Ranking.prototype.toggle = function (item) {
    if (this.pinned === item) { this.unpin(); return; }
    if (this.pinned) { this.setPressed(this.pinned, false); }
    this.pinned = item;
    this.setPressed(item, true);
    this.show(item);
  };

  Ranking.prototype.unpin = function () {
    if (this.pinned) { this.setPressed(this.pinned, false); }
    this.pinned = null;
    this.restore();
  };

  Ranking.prototype.setPressed = function (item, on) {
    var b = item.querySelector(".rank-pick");
    if (b) { b.setAttribute("aria-pressed", on ? "true" : "false"); }
    item.classList.toggle("is-selected", on);
  };

  // The pinned muscle's slug, so a refreshed live list can keep it selected.
  Ranking.prototype.pinnedKey = function () {
    return this.pinned ? this.pinned.getAttribute("data-muscle") + ":" + this.pinned.getAttribute("data-side") : null;
  };

  // ---- one ranked muscle as markup (the live panel; the saved page renders the same on the server) -----------

  function rankItem(m, i) {
    var li = el("li", {
      "class": "rank",
      "data-zones": JSON.stringify(m.zones || {}),
      "data-muscle": m.slug,
      "data-side": m.side,
      "data-label": m.name + " (" + m.side + ")",
    });
    var b = el("button", { type: "button", "class": "rank-pick", "aria-pressed": "false", "aria-describedby": "live-" + i + "-explains" });
    b.appendChild(el("span", { "class": "rank-no", "aria-hidden": "true" }, String(i)));
    b.appendChild(el("span", { "class": "rank-name" }, m.name));
    b.appendChild(el("span", { "class": "badge side" }, m.side));
    var score = el("span", { "class": "rank-score" });
    var bar = svg("svg", { "class": "rank-bar", viewBox: "0 0 100 8", preserveAspectRatio: "none", "aria-hidden": "true", focusable: "false" });
    bar.appendChild(svg("rect", { "class": "rank-bar-bg", width: "100", height: "8", rx: "4" }));
    bar.appendChild(svg("rect", { "class": "rank-bar-fill", width: String(Math.max(m.percent, 2)), height: "8", rx: "4" }));
    score.appendChild(bar);
    var num = el("span", { "class": "rank-num" }, String(m.percent));
    num.appendChild(el("span", { "class": "visually-hidden" }, " out of 100"));
    score.appendChild(num);
    b.appendChild(score);
    li.appendChild(b);
    var explains = m.explained_labels && m.explained_labels.length
      ? "Explains " + m.explained_labels.join(", ")
      : "Explains no painted region on its own";
    li.appendChild(el("p", { "class": "rank-explains", id: "live-" + i + "-explains" }, explains));
    li.appendChild(el("a", { "class": "rank-jump", href: "#map-title" }, "See its zones on the drawing"));
    if (m.reasons && m.reasons.length) {
      var d = el("details", { "class": "rank-why" });
      d.appendChild(el("summary", {}, "Why this muscle"));
      var ul = el("ul");
      m.reasons.forEach(function (r) { ul.appendChild(el("li", {}, r)); });
      d.appendChild(ul);
      li.appendChild(d);
    }
    return li;
  }

  function flagBox(flags) {
    var box = el("div", { "class": "alert alert-danger live-flag" });
    box.appendChild(el("strong", {}, flags.length > 1 ? "Red flags: refer before any treatment" : "Red flag: refer before any treatment"));
    var ul = el("ul");
    flags.forEach(function (f) {
      var li = el("li");
      li.appendChild(el("strong", {}, f.name + ". "));
      li.appendChild(document.createTextNode(f.action_text + "."));
      ul.appendChild(li);
    });
    box.appendChild(ul);
    return box;
  }

  // ---- the intake form ---------------------------------------------------------------------------------

  function csrfOf(form) {
    var input = form.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  function termsOf(form) {
    var out = [];
    form.querySelectorAll('input[name="symptoms"]:checked, input[name="aggravators"]:checked, input[name="mechanisms"]:checked')
      .forEach(function (c) { out.push(c.value); });
    form.querySelectorAll('input[name^="screen__"][value="yes"]:checked').forEach(function (r) {
      out.push(r.name.slice("screen__".length));
    });
    form.querySelectorAll('input[name^="answer__"][value="yes"]:checked').forEach(function (r) {
      var row = r.closest("[data-means]");
      jsonAttr(row, "data-means").forEach(function (t) { if (out.indexOf(t) < 0) { out.push(t); } });
    });
    return out;
  }

  function jsonAttr(node, name) {
    try { return JSON.parse((node && node.getAttribute(name)) || "[]"); } catch (e) { return []; }
  }

  function storyOf(form) {
    var out = [];
    form.querySelectorAll('input[name="symptoms"]:checked, input[name="aggravators"]:checked, input[name="mechanisms"]:checked')
      .forEach(function (c) { out.push(c.value); });
    return out;
  }

  function drawingOf(form) {
    var root = document.getElementById("bm-intake");
    if (map() && root) { return map().get(root); }
    var input = form.querySelector('input[name="pain_drawing"]');
    try { return JSON.parse(input && input.value ? input.value : "[]"); } catch (e) { return []; }
  }

  // Why "no" to a safety question would contradict the drawing or the story (the server's rule,
  // knowledge/data/screening.yaml), or "" when "no" is possible.
  function contradiction(row, drawing, story) {
    var own = jsonAttr(row, "data-means").filter(function (t) { return story.indexOf(t) >= 0; });
    if (own.length) { return "The intake already records " + own.join(", ") + "."; }
    var alts = jsonAttr(row, "data-contra");
    for (var i = 0; i < alts.length; i += 1) {
      var c = alts[i];
      var ok = true;
      if (c.regions.length) {
        ok = drawing.some(function (m) {
          if (c.regions.indexOf(m.region) < 0) { return false; }
          if (!c.qualities.length) { return true; }
          return (m.qualities || []).some(function (q) { return c.qualities.indexOf(q) >= 0; });
        });
      } else if (c.qualities.length) {
        ok = drawing.some(function (m) {
          return (m.qualities || []).some(function (q) { return c.qualities.indexOf(q) >= 0; });
        });
      }
      if (ok && c.terms.length) {
        ok = c.terms.some(function (t) { return story.indexOf(t) >= 0; });
      }
      if (ok) { return "“No” is not possible: " + c.why + "."; }
    }
    return "";
  }

  function LivePanel(form) {
    this.form = form;
    this.panel = document.getElementById("live");
    this.status = document.getElementById("live-status");
    this.flags = document.getElementById("live-flags");
    this.list = document.getElementById("live-ranking");
    this.mapRoot = document.getElementById(this.panel.getAttribute("data-map"));
    this.ranking = new Ranking(this.list, this.mapRoot);
    this.timer = null;
    this.seq = 0;
    this.initialText = this.status.textContent;
  }

  LivePanel.prototype.drawing = function () {
    if (map() && this.mapRoot) { return map().get(this.mapRoot); }
    var input = this.form.querySelector('input[name="pain_drawing"]');
    try { return JSON.parse(input && input.value ? input.value : "[]"); } catch (e) { return []; }
  };

  LivePanel.prototype.schedule = function () {
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () { self.refresh(); }, DEBOUNCE_MS);
  };

  LivePanel.prototype.refresh = function () {
    var self = this;
    var drawing = this.drawing();
    var seq = ++this.seq;
    if (!drawing.length) {
      this.flags.textContent = "";
      this.list.textContent = "";
      this.ranking.pinned = null;
      if (map() && this.mapRoot) { map().clearOverlay(this.mapRoot); }
      this.status.textContent = this.initialText;
      return;
    }
    var age = parseInt(this.form.getAttribute("data-age"), 10);
    var body = {
      pain_drawing: drawing,
      terms: termsOf(this.form),
      age: isNaN(age) ? null : age,
      sex: this.form.getAttribute("data-sex") || null,
    };
    this.panel.setAttribute("aria-busy", "true");
    fetch(this.form.getAttribute("data-suggest-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfOf(this.form), Accept: "application/json" },
      body: JSON.stringify(body),
    }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    }).then(function (res) {
      if (seq !== self.seq) { return; }
      if (!res.ok) {
        var msg = res.data && res.data.error ? res.data.error.message : "the suggestions could not be updated";
        self.status.textContent = "Suggestions not updated: " + msg;
        return;
      }
      self.render(res.data);
    }).catch(function () {
      if (seq === self.seq) { self.status.textContent = "Suggestions not updated (no connection); the form still saves."; }
    }).then(function () {
      if (seq === self.seq) { self.panel.removeAttribute("aria-busy"); }
    });
  };

  LivePanel.prototype.render = function (data) {
    var keep = this.ranking.pinnedKey();
    this.flags.textContent = "";
    if (data.red_flags && data.red_flags.length) { this.flags.appendChild(flagBox(data.red_flags)); }
    this.list.textContent = "";
    this.ranking.pinned = null;
    var self = this;
    var ranking = data.ranking || [];
    ranking.slice(0, LIVE_SHOWN).forEach(function (m, i) {
      var li = rankItem(m, i + 1);
      self.list.appendChild(li);
      if (keep && keep === m.slug + ":" + m.side) { self.ranking.pinned = li; self.ranking.setPressed(li, true); }
    });
    if (this.ranking.pinned) { this.ranking.show(this.ranking.pinned); } else if (map() && this.mapRoot) { map().clearOverlay(this.mapRoot); }
    var n = ranking.length;
    this.status.textContent = n
      ? (n > LIVE_SHOWN ? "Top " + LIVE_SHOWN + " of " + n + " muscles" : n + " muscle" + (n > 1 ? "s" : "")) +
        " for what is painted and ticked so far." +
        (data.unexplained_labels && data.unexplained_labels.length ? " Not explained: " + data.unexplained_labels.join(", ") + "." : "")
      : "No muscle's referral pattern covers this drawing.";
  };

  function initForm(form) {
    var live = document.getElementById("live") ? new LivePanel(form) : null;
    if (live) {
      form.addEventListener("bodymap:change", function () { live.schedule(); });
      form.addEventListener("change", function (ev) {
        var t = ev.target;
        if (t.matches('input[name="symptoms"], input[name="aggravators"], input[name="mechanisms"], input[name^="screen__"], input[name^="answer__"]')) {
          live.schedule();
        }
      });
      if (live.drawing().length) { live.refresh(); }
    }

    // Ticked counts on the collapsible groups.
    form.addEventListener("change", function (ev) {
      var group = ev.target.closest("details[data-terms]");
      if (!group) { return; }
      var n = group.querySelectorAll("input:checked").length;
      var count = group.querySelector("[data-count]");
      if (count) { count.textContent = n ? n + " ticked" : ""; }
    });

    // Screening: mark a "yes" (or "unsure") row; a safety question whose "no" the drawing or the story
    // contradicts cannot be answered "no" (the server refuses it too); answer "No" to every question not
    // answered yet, except those.
    function markRows() {
      var drawing = drawingOf(form);
      var story = storyOf(form);
      form.querySelectorAll("[data-question]").forEach(function (row) {
        var yes = row.querySelector('input[value="yes"]');
        var unsure = row.querySelector('input[value="unsure"]');
        row.classList.toggle("is-yes", !!(yes && yes.checked));
        row.classList.toggle("is-unsure", !!(unsure && unsure.checked));
        if (!row.hasAttribute("data-screen")) { return; }
        var why = contradiction(row, drawing, story);
        var no = row.querySelector('input[value="no"]');
        var note = row.querySelector("[data-why]");
        row.classList.toggle("is-contradicted", !!why);
        if (no) {
          if (why && no.checked) { no.checked = false; }
          no.disabled = !!why;
        }
        if (note) { note.textContent = why; note.hidden = !why; }
      });
    }
    form.addEventListener("change", function (ev) {
      if (ev.target.matches('input[name^="screen__"], input[name^="answer__"], input[name="symptoms"], input[name="aggravators"], input[name="mechanisms"]')) { markRows(); }
    });
    form.addEventListener("bodymap:change", markRows);
    markRows();
    var allNo = document.getElementById("screen-all-no");
    if (allNo) {
      allNo.hidden = false;
      allNo.addEventListener("click", function () {
        var n = 0;
        var kept = 0;
        markRows();
        form.querySelectorAll("[data-question]").forEach(function (row) {
          if (!row.querySelector("input:checked")) {
            var no = row.querySelector('input[value="no"]');
            if (no && !no.disabled) { no.checked = true; n += 1; } else if (no) { kept += 1; }
          }
        });
        markRows();
        allNo.textContent = (n ? "“No” given to " + n + " question" + (n > 1 ? "s" : "") : "Every question is answered") +
          (kept ? "; " + kept + " left open: the drawing or story says otherwise" : "");
        window.setTimeout(function () { allNo.textContent = "Answer “No” to the rest"; }, 2500);
      });
    }

    // Days since the day it began, when how long is still empty.
    var began = form.querySelector("#f-began_on");
    var recorded = form.querySelector("#f-recorded_on");
    var howLong = form.querySelector("#f-duration_value");
    var unit = form.querySelector("#f-duration_unit");
    if (began && recorded && howLong) {
      began.addEventListener("change", function () {
        if (howLong.value || !began.value || !recorded.value) { return; }
        var days = (Date.parse(recorded.value) - Date.parse(began.value)) / 86400000;
        if (days >= 0) {
          howLong.value = String(Math.round(days));
          if (unit) { unit.value = "days"; }
        }
      });
    }
  }

  // ---- the decision form: "Referred to" only matters for a referral ---------------------------------------

  function initDecision(form) {
    var to = form.querySelector('[data-when="referred"]');
    if (!to) { return; }
    function sync() {
      var chosen = form.querySelector('input[name="decision"]:checked');
      to.hidden = !!chosen && chosen.value !== "referred";
    }
    form.addEventListener("change", sync);
    sync();
  }

  function start() {
    var form = document.getElementById("intake-form");
    if (form) { initForm(form); }
    var sugg = document.getElementById("suggestions");
    if (sugg) {
      var root = document.getElementById(sugg.getAttribute("data-map"));
      new Ranking(sugg, root);
    }
    var decision = document.getElementById("decision-form");
    if (decision) { initDecision(decision); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
