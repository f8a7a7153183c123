// Taut body map: paint a pain drawing, pick a region, overlay referral zones (docs/web-bodymap.md).
// A classic script (no inline code: the site's content security policy forbids it). It enhances every
// .bodymap element made by templates/macros/bodymap.html and exposes window.TautBodyMap.
(function () {
  "use strict";

  var SVGNS = "http://www.w3.org/2000/svg";
  var UNRATED_INDEX = 11;
  var instances = new WeakMap();

  function keyOf(region, side) {
    return side ? region + ":" + side : region;
  }

  function splitKey(key) {
    var i = key.indexOf(":");
    return i < 0 ? { region: key, side: null } : { region: key.slice(0, i), side: key.slice(i + 1) };
  }

  function parseJSON(text, fallback) {
    try {
      var v = JSON.parse(text);
      return v === null || v === undefined ? fallback : v;
    } catch (e) {
      return fallback;
    }
  }

  function svgEl(name, attrs) {
    var node = document.createElementNS(SVGNS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function htmlEl(name, attrs, text) {
    var node = document.createElement(name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function isIntensity(v) {
    return typeof v === "number" && Math.floor(v) === v && v >= 0 && v <= 10;
  }

  // One mark as stored (PainDrawing.to_list): optional keys are left out.
  function stored(mark) {
    var out = { region: mark.region };
    if (mark.side) { out.side = mark.side; }
    if (mark.intensity !== null) { out.intensity = mark.intensity; }
    if (mark.qualities.length) { out.qualities = mark.qualities.slice(); }
    return out;
  }

  function detailText(mark) {
    var bits = [mark.intensity === null ? "no intensity given" : mark.intensity + "/10"];
    return bits.concat(mark.qualities).join(", ");
  }

  function BodyMap(root) {
    this.root = root;
    this.mode = root.getAttribute("data-mode") || (root.hasAttribute("data-editable") ? "paint" : "view");
    this.name = root.getAttribute("data-name") || "";
    this.input = root.querySelector("input.bm-input");
    this.status = root.querySelector(".bm-status");
    this.scale = parseJSON(root.getAttribute("data-scale") || "[]", []);
    this.marks = new Map();
    this.selected = null;
    this.picked = null;
    this.undoState = null;
    this.returnFocus = null;
    this.paths = new Map();
    this.names = new Map();
    this.layers = new Map();
    this.svgs = [];
    this.lastOverlay = null;

    var self = this;
    root.querySelectorAll(".bm-add option").forEach(function (o) {
      if (o.value) { self.names.set(o.value, o.textContent.trim()); }
    });
    root.querySelectorAll(".bm-list [data-key]").forEach(function (li) {
      var label = li.getAttribute("data-label");
      if (label) { self.names.set(li.getAttribute("data-key"), label); }
    });
    var initial = this.input ? this.input.value : root.getAttribute("data-value");
    this.load(parseJSON(initial || "[]", []));
    if (this.mode === "paint") {
      this.brush = this.readControls();
      this.bindControls();
    }
    this.render(false);
    this.loadViews();
  }

  // The views are static files (one per view, cached for a year): each placeholder <svg data-src> is replaced
  // by its file, with this map's id prefix put in place of the file's token. A page may hold several maps:
  // every file is fetched once.
  var PREFIX_TOKEN = "__bm__";
  var viewFiles = new Map();

  function viewFile(url) {
    if (!viewFiles.has(url)) {
      viewFiles.set(url, fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) { throw new Error("body map view " + url + ": " + r.status); }
        return r.text();
      }));
    }
    return viewFiles.get(url);
  }

  BodyMap.prototype.loadViews = function () {
    var self = this;
    var pending = Array.prototype.slice.call(this.root.querySelectorAll(".bm-view svg[data-src]"));
    if (!pending.length) {
      this.attachViews();
      return;
    }
    Promise.all(pending.map(function (slot) {
      return viewFile(slot.getAttribute("data-src")).then(function (text) {
        var prefix = slot.getAttribute("data-prefix") || "";
        var doc = new DOMParser().parseFromString(text.split(PREFIX_TOKEN).join(prefix), "image/svg+xml");
        var svg = document.importNode(doc.documentElement, true);
        if (svg.localName !== "svg") { throw new Error("body map view " + slot.getAttribute("data-src") + ": not an SVG"); }
        slot.replaceWith(svg);
      });
    })).then(function () { self.attachViews(); }, function (err) {
      self.root.classList.add("is-failed");
      self.announce("The drawing could not be loaded; the list of regions still works.");
      if (window.console) { window.console.error(err); }
    });
  };

  // Once the views are in the page: find the regions, add the layers, bind the pointer and keys, repaint.
  BodyMap.prototype.attachViews = function () {
    var self = this;
    var root = this.root;
    this.svgs = Array.prototype.slice.call(root.querySelectorAll(".bm-view svg"));
    root.querySelectorAll("path.region").forEach(function (p) {
      var key = p.getAttribute("data-key") || keyOf(p.getAttribute("data-region"), p.getAttribute("data-side"));
      if (!self.paths.has(key)) { self.paths.set(key, []); }
      self.paths.get(key).push(p);
      var title = p.querySelector("title");
      var label = p.getAttribute("aria-label") || (title ? title.textContent : key);
      p.setAttribute("data-label", label);
      if (!self.names.has(key)) { self.names.set(key, label); }
    });
    this.svgs.forEach(function (svg) { self.layers.set(svg, self.makeLayers(svg)); });
    if (this.mode !== "view") { this.bindRegions(); }
    if (this.lastOverlay) { this.overlay(this.lastOverlay[0], this.lastOverlay[1]); }
    this.render(false);
    root.classList.add("is-ready");
  };

  BodyMap.prototype.label = function (key) {
    return this.names.get(key) || key;
  };

  BodyMap.prototype.colour = function (mark) {
    return this.scale[mark.intensity === null ? UNRATED_INDEX : mark.intensity] || "#8f7cc4";
  };

  BodyMap.prototype.announce = function (text) {
    if (this.status) { this.status.textContent = text; }
  };

  // ---- the drawing

  BodyMap.prototype.load = function (list) {
    var self = this;
    this.marks = new Map();
    (Array.isArray(list) ? list : []).forEach(function (item) {
      if (!item || typeof item.region !== "string" || !item.region) { return; }
      var side = item.side === "left" || item.side === "right" ? item.side : null;
      var intensity = isIntensity(item.intensity) ? item.intensity : null;
      var qualities = Array.isArray(item.qualities) ? item.qualities.map(String) : [];
      var key = keyOf(item.region, side);
      var old = self.marks.get(key);
      if (old) {
        if (intensity === null || (old.intensity !== null && old.intensity > intensity)) { intensity = old.intensity; }
        qualities = old.qualities.concat(qualities.filter(function (q) { return old.qualities.indexOf(q) < 0; }));
      }
      self.marks.set(key, { region: item.region, side: side, intensity: intensity, qualities: qualities });
    });
  };

  BodyMap.prototype.replace = function (list) {
    this.load(list);
    this.selected = null;
    this.undoState = null;
    if (this.mode === "paint") { this.writeControls(this.brush); }
    this.render(true);
  };

  BodyMap.prototype.drawing = function () {
    var out = [];
    this.marks.forEach(function (m) { out.push(stored(m)); });
    return out;
  };

  // Repaint everything from the state; with changed, also update the form field and tell the page.
  BodyMap.prototype.render = function (changed) {
    var self = this;
    this.paths.forEach(function (paths, key) {
      var mark = self.marks.get(key);
      paths.forEach(function (p) {
        var base = p.getAttribute("data-label");
        p.classList.toggle("is-painted", !!mark);
        p.classList.toggle("is-selected", key === self.selected);
        p.classList.toggle("is-picked", key === self.picked);
        if (mark) {
          p.style.setProperty("--bm-paint", self.colour(mark));
        } else {
          p.style.removeProperty("--bm-paint");
        }
        if (self.mode !== "view") {
          var text = base;
          if (mark) { text += ": painted, " + detailText(mark); }
          if (key === self.selected) { text += ", selected"; }
          if (key === self.picked) { text += ", chosen"; }
          p.setAttribute("aria-label", text + zoneWords(p));
        }
      });
    });
    this.drawRings();
    if (changed || this.mode === "paint") { this.renderList(); }
    if (this.mode === "paint") { this.showTarget(); }
    var json = JSON.stringify(this.drawing());
    if (this.input) { this.input.value = json; }
    if (changed) {
      this.root.dispatchEvent(new CustomEvent("bodymap:change", {
        bubbles: true,
        detail: { name: this.name, drawing: this.drawing() },
      }));
    }
  };

  BodyMap.prototype.renderList = function () {
    var list = this.root.querySelector(".bm-list");
    if (!list) { return; }
    var self = this;
    list.textContent = "";
    if (!this.marks.size) {
      list.appendChild(htmlEl("li", { "class": "bm-empty" }, this.mode === "paint" ? "Nothing painted yet." : "Nothing painted."));
    }
    this.marks.forEach(function (mark, key) {
      var name = self.label(key);
      var li = htmlEl("li", { "class": "bm-item", "data-key": key, "data-label": name });
      if (key === self.selected) { li.classList.add("is-selected"); }
      var sw = svgEl("svg", { "class": "bm-swatch", viewBox: "0 0 16 16", "aria-hidden": "true", focusable: "false" });
      sw.appendChild(svgEl("rect", {
        x: "0.5", y: "0.5", width: "15", height: "15", rx: "3",
        fill: self.colour(mark), stroke: "#6b7280", "stroke-width": "1",
      }));
      li.appendChild(sw);
      if (self.mode !== "paint") {
        li.appendChild(htmlEl("span", { "class": "bm-item-text" }, name + ": " + detailText(mark)));
        list.appendChild(li);
        return;
      }
      var text = htmlEl("span", { "class": "bm-item-text" });
      text.appendChild(htmlEl("span", { "class": "bm-item-name" }, name));
      text.appendChild(htmlEl("span", { "class": "bm-item-detail" }, detailText(mark)));
      li.appendChild(text);
      li.appendChild(htmlEl("button", {
        type: "button", "class": "bm-item-edit", "data-action": "edit", "data-key": key,
        "aria-label": "Edit " + name, "aria-pressed": key === self.selected ? "true" : "false",
      }, "Edit"));
      li.appendChild(htmlEl("button", {
        type: "button", "class": "bm-item-remove", "data-action": "remove", "data-key": key,
        "aria-label": "Remove " + name,
      }, "Remove"));
      list.appendChild(li);
    });
    var count = this.root.querySelector(".bm-count");
    if (count) { count.textContent = "(" + this.marks.size + ")"; }
  };

  // ---- painting, selecting, removing

  BodyMap.prototype.activate = function (key, from) {
    if (this.mode === "pick") { this.pick(key); return; }
    if (this.mode !== "paint") { return; }
    if (!this.marks.has(key)) {
      this.paint(key);
    } else if (this.selected === key) {
      this.deselect();
    } else {
      this.select(key, from);
    }
  };

  BodyMap.prototype.paint = function (key) {
    if (this.selected) { this.deselect(true); }
    var parts = splitKey(key);
    this.marks.set(key, {
      region: parts.region, side: parts.side,
      intensity: this.brush.intensity, qualities: this.brush.qualities.slice(),
    });
    this.undoState = null;
    this.announce(this.label(key) + " painted, " + detailText(this.marks.get(key)) + ".");
    this.render(true);
  };

  BodyMap.prototype.select = function (key, from) {
    this.selected = key;
    this.returnFocus = from || null;
    this.writeControls(this.marks.get(key));
    this.announce(this.label(key) + " selected: change its intensity or qualities, or remove it.");
    this.render(false);
  };

  BodyMap.prototype.deselect = function (quiet) {
    if (!this.selected) { return; }
    var key = this.selected;
    this.selected = null;
    this.writeControls(this.brush);
    if (!quiet) { this.announce(this.label(key) + " done."); }
    this.render(false);
  };

  BodyMap.prototype.remove = function (key) {
    if (!this.marks.has(key)) { return; }
    this.marks.delete(key);
    if (this.selected === key) {
      this.selected = null;
      this.writeControls(this.brush);
    }
    this.undoState = null;
    this.announce(this.label(key) + " removed.");
    this.render(true);
  };

  BodyMap.prototype.clear = function () {
    if (!this.marks.size) { return; }
    this.undoState = this.drawing();
    this.marks = new Map();
    this.selected = null;
    this.writeControls(this.brush);
    this.announce("Drawing cleared. Undo is available.");
    this.render(true);
  };

  BodyMap.prototype.undoClear = function () {
    if (!this.undoState) { return; }
    this.load(this.undoState);
    this.undoState = null;
    this.announce("Drawing restored.");
    this.render(true);
  };

  BodyMap.prototype.pick = function (key) {
    this.picked = key;
    var parts = splitKey(key);
    this.announce(this.label(key) + " chosen.");
    this.render(false);
    this.root.dispatchEvent(new CustomEvent("bodymap:pick", {
      bubbles: true,
      detail: { key: key, region: parts.region, side: parts.side, label: this.label(key) },
    }));
  };

  // ---- the controls (paint mode)

  BodyMap.prototype.readControls = function () {
    var checked = this.root.querySelector(".bm-intensity input:checked");
    var v = checked ? checked.value : "";
    var qualities = [];
    this.root.querySelectorAll(".bm-qualities input:checked").forEach(function (c) { qualities.push(c.value); });
    return { intensity: v === "" ? null : parseInt(v, 10), qualities: qualities };
  };

  BodyMap.prototype.writeControls = function (state) {
    var want = state.intensity === null ? "" : String(state.intensity);
    this.root.querySelectorAll(".bm-intensity input").forEach(function (r) { r.checked = r.value === want; });
    this.root.querySelectorAll(".bm-qualities input").forEach(function (c) {
      c.checked = state.qualities.indexOf(c.value) >= 0;
    });
  };

  BodyMap.prototype.controlsChanged = function () {
    var state = this.readControls();
    if (this.selected && this.marks.has(this.selected)) {
      var mark = this.marks.get(this.selected);
      mark.intensity = state.intensity;
      mark.qualities = state.qualities;
      this.undoState = null;
      this.render(true);
    } else {
      this.brush = state;
    }
  };

  BodyMap.prototype.showTarget = function () {
    var editing = !!this.selected;
    var q = this.root.querySelector.bind(this.root);
    var fresh = q(".bm-target-new"), edit = q(".bm-target-edit"), actions = q(".bm-target-actions");
    if (fresh) { fresh.hidden = editing; }
    if (edit) { edit.hidden = !editing; }
    if (actions) { actions.hidden = !editing; }
    var name = q(".bm-target-name");
    if (name) { name.textContent = editing ? this.label(this.selected) : ""; }
    this.root.classList.toggle("is-editing", editing);
    var undo = q(".bm-undo");
    if (undo) { undo.hidden = !this.undoState; }
    var clear = q(".bm-clear");
    if (clear) { clear.disabled = !this.marks.size; }
  };

  BodyMap.prototype.focusAfterList = function (key) {
    var items = Array.prototype.slice.call(this.root.querySelectorAll(".bm-list .bm-item"));
    var keys = items.map(function (li) { return li.getAttribute("data-key"); });
    var i = keys.indexOf(key);
    return { next: items[i + 1] || items[i - 1] || null };
  };

  BodyMap.prototype.bindControls = function () {
    var self = this;
    var root = this.root;
    root.querySelectorAll(".bm-intensity input, .bm-qualities input").forEach(function (c) {
      c.addEventListener("change", function () { self.controlsChanged(); });
    });
    var list = root.querySelector(".bm-list");
    if (list) {
      list.setAttribute("tabindex", "-1");
      list.addEventListener("click", function (ev) {
        var btn = ev.target.closest("button[data-action]");
        if (!btn) { return; }
        var key = btn.getAttribute("data-key");
        if (btn.getAttribute("data-action") === "remove") {
          var after = self.focusAfterList(key).next;
          var afterKey = after ? after.getAttribute("data-key") : null;
          self.remove(key);
          var target = afterKey && list.querySelector('.bm-item-remove[data-key="' + CSS.escape(afterKey) + '"]');
          (target || list).focus();
        } else if (self.selected === key) {
          self.deselect();
          var again = list.querySelector('.bm-item-edit[data-key="' + CSS.escape(key) + '"]');
          if (again) { again.focus(); }
        } else {
          self.select(key, null);
          self.returnFocus = list.querySelector('.bm-item-edit[data-key="' + CSS.escape(key) + '"]');
          var radio = root.querySelector(".bm-intensity input:checked") || root.querySelector(".bm-intensity input");
          if (radio) { radio.focus(); }
        }
      });
    }
    var done = root.querySelector(".bm-done");
    if (done) {
      done.addEventListener("click", function () {
        var key = self.selected;
        self.deselect();
        self.restoreFocus(key);
      });
    }
    var removeSel = root.querySelector(".bm-remove-selected");
    if (removeSel) {
      removeSel.addEventListener("click", function () {
        var key = self.selected;
        if (!key) { return; }
        self.remove(key);
        self.restoreFocus(key);
      });
    }
    var add = root.querySelector(".bm-add select");
    var addBtn = root.querySelector(".bm-add-button");
    if (add && addBtn) {
      addBtn.addEventListener("click", function () {
        var key = add.value;
        if (!key) { self.announce("Choose a region to add first."); add.focus(); return; }
        if (self.marks.has(key)) {
          self.select(key, addBtn);
        } else {
          self.paint(key);
        }
      });
    }
    // Escape in the panel lets go of the selection too, and goes back to where it was made.
    root.addEventListener("keydown", function (ev) {
      if (ev.key !== "Escape" || !self.selected || regionOf(ev.target)) { return; }
      var key = self.selected;
      ev.preventDefault();
      self.deselect();
      self.restoreFocus(key);
    });
    var clear = root.querySelector(".bm-clear");
    if (clear) { clear.addEventListener("click", function () { self.clear(); }); }
    var undo = root.querySelector(".bm-undo");
    if (undo) {
      undo.addEventListener("click", function () {
        self.undoClear();
        if (clear) { clear.focus(); }
      });
    }
  };

  // Back to where a selection was made (a region, a list button), or to the list.
  BodyMap.prototype.restoreFocus = function (key) {
    var el = this.returnFocus;
    this.returnFocus = null;
    if (el && el.isConnected) {
      el.focus();
      return;
    }
    var edit = key && this.root.querySelector('.bm-item-edit[data-key="' + CSS.escape(key) + '"]');
    var list = this.root.querySelector(".bm-list");
    if (edit) { edit.focus(); } else if (list) { list.focus(); }
  };

  // ---- regions: pointer, keyboard, focus

  BodyMap.prototype.makeLayers = function (svg) {
    var decor = svg.querySelector(".bm-decor");
    var overlay = svgEl("g", { "class": "bm-overlay", "pointer-events": "none", "aria-hidden": "true" });
    svg.insertBefore(overlay, decor);
    var top = svgEl("g", { "class": "bm-top", "pointer-events": "none", "aria-hidden": "true" });
    var rings = svgEl("g", { "class": "bm-rings" });
    var hover = svgEl("path", { "class": "bm-hover-ring", display: "none" });
    var halo = svgEl("path", { "class": "bm-focus-halo", display: "none" });
    var focus = svgEl("path", { "class": "bm-focus-ring", display: "none" });
    top.appendChild(rings);
    top.appendChild(hover);
    top.appendChild(halo);
    top.appendChild(focus);
    svg.appendChild(top);
    return { overlay: overlay, rings: rings, hover: hover, halo: halo, focus: focus };
  };

  BodyMap.prototype.drawRings = function () {
    var self = this;
    this.layers.forEach(function (layer) { layer.rings.textContent = ""; });
    [[this.selected, "bm-selected-ring"], [this.picked, "bm-picked-ring"]].forEach(function (pair) {
      if (!pair[0]) { return; }
      (self.paths.get(pair[0]) || []).forEach(function (p) {
        var layer = self.layers.get(p.ownerSVGElement);
        layer.rings.appendChild(svgEl("path", { d: p.getAttribute("d"), "class": pair[1] + "-halo" }));
        layer.rings.appendChild(svgEl("path", { d: p.getAttribute("d"), "class": pair[1] }));
      });
    });
  };

  function regionOf(target) {
    return target && target.closest ? target.closest("path.region") : null;
  }

  BodyMap.prototype.keyOfPath = function (p) {
    return p.getAttribute("data-key") || keyOf(p.getAttribute("data-region"), p.getAttribute("data-side"));
  };

  BodyMap.prototype.bindRegions = function () {
    var self = this;
    this.svgs.forEach(function (svg) {
      var regions = Array.prototype.slice.call(svg.querySelectorAll("path.region"));
      // One tab stop per view (the top region); arrow keys move within the view.
      var start = regions.slice().sort(function (a, b) {
        return (+a.getAttribute("data-cy") - +b.getAttribute("data-cy")) ||
          (+a.getAttribute("data-cx") - +b.getAttribute("data-cx"));
      })[0];
      regions.forEach(function (p) { p.setAttribute("tabindex", p === start ? "0" : "-1"); });
      var layer = self.layers.get(svg);

      svg.addEventListener("click", function (ev) {
        var p = regionOf(ev.target);
        if (!p) { return; }
        self.activate(self.keyOfPath(p), p);
      });
      svg.addEventListener("keydown", function (ev) { self.onKey(ev, svg); });
      // Focus listeners go on the figure: Chromium makes an SVG element with focus listeners a tab stop.
      var holder = svg.parentNode;
      holder.addEventListener("focusin", function (ev) {
        var p = regionOf(ev.target);
        if (!p) { return; }
        regions.forEach(function (q) { if (q !== p && q.getAttribute("tabindex") === "0") { q.setAttribute("tabindex", "-1"); } });
        p.setAttribute("tabindex", "0");
        var visible = true;
        try { visible = p.matches(":focus-visible"); } catch (e) { visible = true; }
        if (visible) {
          var d = p.getAttribute("d");
          layer.halo.setAttribute("d", d);
          layer.focus.setAttribute("d", d);
          layer.halo.removeAttribute("display");
          layer.focus.removeAttribute("display");
        }
      });
      holder.addEventListener("focusout", function () {
        layer.halo.setAttribute("display", "none");
        layer.focus.setAttribute("display", "none");
      });
      svg.addEventListener("pointerover", function (ev) {
        var p = regionOf(ev.target);
        if (!p || ev.pointerType === "touch") { return; }
        layer.hover.setAttribute("d", p.getAttribute("d"));
        layer.hover.removeAttribute("display");
      });
      svg.addEventListener("pointerleave", function () { layer.hover.setAttribute("display", "none"); });
    });
  };

  var ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

  BodyMap.prototype.onKey = function (ev, svg) {
    var p = regionOf(ev.target);
    if (!p || ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
    var key = this.keyOfPath(p);
    if (ev.key === "Enter" || ev.key === " " || ev.key === "Spacebar") {
      ev.preventDefault();
      this.activate(key, p);
    } else if ((ev.key === "Delete" || ev.key === "Backspace") && this.mode === "paint" && this.marks.has(key)) {
      ev.preventDefault();
      this.remove(key);
    } else if (ev.key === "Escape" && this.selected) {
      ev.preventDefault();
      this.deselect();
    } else if (ARROWS[ev.key]) {
      ev.preventDefault();
      var next = this.nearest(svg, p, ARROWS[ev.key][0], ARROWS[ev.key][1]);
      if (next) { next.focus(); }
    } else if (ev.key === "Home" || ev.key === "End") {
      ev.preventDefault();
      var all = Array.prototype.slice.call(svg.querySelectorAll("path.region")).sort(function (a, b) {
        return (+a.getAttribute("data-cy") - +b.getAttribute("data-cy")) ||
          (+a.getAttribute("data-cx") - +b.getAttribute("data-cx"));
      });
      (ev.key === "Home" ? all[0] : all[all.length - 1]).focus();
    }
  };

  // The region nearest in a screen direction: ahead of the current one, within a wide cone, closest first.
  BodyMap.prototype.nearest = function (svg, from, dx, dy) {
    var cx = +from.getAttribute("data-cx"), cy = +from.getAttribute("data-cy");
    var best = null, bestScore = Infinity;
    svg.querySelectorAll("path.region").forEach(function (q) {
      if (q === from) { return; }
      var vx = +q.getAttribute("data-cx") - cx, vy = +q.getAttribute("data-cy") - cy;
      var along = vx * dx + vy * dy;
      if (along <= 0.5) { return; }
      var across = Math.abs(vx * dy - vy * dx);
      if (across > along * 2.5) { return; }
      var score = along + 2 * across;
      if (score < bestScore) { bestScore = score; best = q; }
    });
    return best;
  };

  // ---- referral-zone overlay

  BodyMap.prototype.overlay = function (zones, opts) {
    var self = this;
    this.clearOverlay();
    this.lastOverlay = [zones, opts];
    zones = zones || {};
    var essential = new Set(zones.essential || []);
    var spill = new Set((zones.spillover || []).filter(function (k) { return !essential.has(k); }));
    [["essential", essential], ["spillover", spill]].forEach(function (pair) {
      pair[1].forEach(function (key) {
        (self.paths.get(key) || []).forEach(function (p) {
          p.classList.add("is-zone-" + pair[0]);
          self.nameZone(p);
          var svg = p.ownerSVGElement;
          self.layers.get(svg).overlay.appendChild(svgEl("path", {
            d: p.getAttribute("d"), "fill-rule": "evenodd", "data-key": key,
            "class": "bm-ov bm-ov-" + pair[0],
            fill: "url(#" + svg.getAttribute("data-prefix") + "hatch-" + pair[0] + ")",
          }));
        });
      });
    });
    new Set(zones.trps || []).forEach(function (key) {
      (self.paths.get(key) || []).forEach(function (p) {
        p.classList.add("is-trp");
        var x = p.getAttribute("data-cx"), y = p.getAttribute("data-cy");
        var g = svgEl("g", { "class": "bm-trp", "data-key": key });
        g.appendChild(svgEl("circle", { cx: x, cy: y, r: "6.5", "class": "bm-trp-ring" }));
        g.appendChild(svgEl("circle", { cx: x, cy: y, r: "2.6", "class": "bm-trp-dot" }));
        self.layers.get(p.ownerSVGElement).overlay.appendChild(g);
      });
    });
    this.root.classList.add("has-overlay");
    this.listZones(essential, spill);
    var legend = this.root.querySelector(".bm-legend-overlay");
    if (legend) { legend.hidden = false; }
    var label = this.root.querySelector(".bm-overlay-label");
    if (label) { label.textContent = opts && opts.label ? "Referral zones: " + opts.label : "Referral zones"; }
  };

  // Essential and spillover zones are named for assistive technology, not only drawn (issue 17 item 14):
  // the region's accessible name says "essential zone" or "spillover zone", and a list in the legend names them.
  var ZONE_WORDS = { essential: "essential zone", spillover: "spillover zone" };

  function stripZone(label) {
    return (label || "").replace(/, (essential|spillover) zone$/, "");
  }

  function zoneWords(p) {
    if (p.classList.contains("is-zone-essential")) { return ", " + ZONE_WORDS.essential; }
    if (p.classList.contains("is-zone-spillover")) { return ", " + ZONE_WORDS.spillover; }
    return "";
  }

  BodyMap.prototype.nameZone = function (p) {
    if (this.mode === "view" || !p.hasAttribute("aria-label")) { return; }
    p.setAttribute("aria-label", stripZone(p.getAttribute("aria-label")) + zoneWords(p));
  };

  BodyMap.prototype.listZones = function (essential, spill) {
    var list = this.root.querySelector(".bm-zone-list");
    if (!list) { return; }
    list.textContent = "";
    var self = this;
    [["essential", essential], ["spillover", spill]].forEach(function (pair) {
      pair[1].forEach(function (key) {
        if (!self.paths.has(key)) { return; }
        list.appendChild(htmlEl("li", { "data-key": key, "data-zone": pair[0] }, self.label(key) + ": " + ZONE_WORDS[pair[0]]));
      });
    });
  };

  BodyMap.prototype.clearOverlay = function () {
    this.lastOverlay = null;
    this.root.querySelectorAll("path.region.is-zone-essential, path.region.is-zone-spillover").forEach(function (p) {
      if (p.hasAttribute("aria-label")) { p.setAttribute("aria-label", stripZone(p.getAttribute("aria-label"))); }
    });
    var list = this.root.querySelector(".bm-zone-list");
    if (list) { list.textContent = ""; }
    this.layers.forEach(function (layer) { layer.overlay.textContent = ""; });
    this.root.querySelectorAll(".is-zone-essential, .is-zone-spillover, .is-trp").forEach(function (p) {
      p.classList.remove("is-zone-essential", "is-zone-spillover", "is-trp");
    });
    this.root.classList.remove("has-overlay");
    var legend = this.root.querySelector(".bm-legend-overlay");
    if (legend) { legend.hidden = true; }
  };

  // ---- the public API

  function rootOf(target) {
    var el = typeof target === "string" ? document.querySelector(target) : target;
    if (el && !el.classList.contains("bodymap") && el.closest) { el = el.closest(".bodymap"); }
    if (!el) { throw new Error("TautBodyMap: no .bodymap element for " + target); }
    return el;
  }

  function init(target) {
    var root = rootOf(target);
    var map = instances.get(root);
    if (!map) {
      map = new BodyMap(root);
      instances.set(root, map);
    }
    return map;
  }

  function initAll(scope) {
    (scope || document).querySelectorAll(".bodymap").forEach(function (root) { init(root); });
  }

  // One overlay from referral_zones() data: the trigger points on side ("right", "left" or "both"),
  // all of them or only the one with id trpId.
  function zonesFor(data, side, trpId) {
    var sides = side === "right" || side === "left" ? [side] : ["right", "left"];
    var entries = [];
    if (trpId) {
      (data.trigger_points || []).forEach(function (t) {
        if (t.id === trpId) { sides.forEach(function (s) { if (t.sides[s]) { entries.push(t.sides[s]); } }); }
      });
    } else {
      sides.forEach(function (s) { if (data.sides && data.sides[s]) { entries.push(data.sides[s]); } });
    }
    var out = { essential: [], spillover: [], trps: [] };
    entries.forEach(function (e) {
      Object.keys(out).forEach(function (kind) {
        (e[kind] || []).forEach(function (k) { if (out[kind].indexOf(k) < 0) { out[kind].push(k); } });
      });
    });
    out.spillover = out.spillover.filter(function (k) { return out.essential.indexOf(k) < 0; });
    return out;
  }

  window.TautBodyMap = {
    init: init,
    initAll: initAll,
    get: function (target) { return init(target).drawing(); },
    set: function (target, drawing) { init(target).replace(drawing); },
    overlay: function (target, zones, opts) { init(target).overlay(zones, opts); },
    clearOverlay: function (target) { init(target).clearOverlay(); },
    zonesFor: zonesFor,
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  } else {
    initAll(document);
  }
})();
