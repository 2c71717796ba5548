/* study-core.js: the helpers every study script shares — one el(), safe storage, URLs, page wiring.
 *
 * Loaded first (mkdocs.yml), it defines window.Study; the other study scripts add to it:
 *   study-store.js    the reader's state (FSRS cards, plan ticks) and what it means (New … Mature)
 *   study-widgets.js  chips, rating bar, progress bars
 *   study-export.js   export / import / erase history, and the notice about set-aside data
 *   study.js          topic pages: self-test, ratings, question list, "back to Day N"; topics index; 404
 *   study-plan.js     the study plan's checkboxes (their only owner) and the home page's call to action
 *   review.js         the review and quiz pages
 *
 * Storage never loses the reader's data silently: a saved value that cannot be read (not JSON, an
 * unknown shape, too large) is moved aside under its own key, listed in "study.quarantine" and
 * reported on screen (study-export.js), never overwritten. Scripts talk to each other through
 * Study.changed() / Study.onChange(fn), plain function calls, never through synthetic DOM events.
 */
(function () {
  "use strict";

  var QUARANTINE_KEY = "study.quarantine";
  var MAX_VALUE_CHARS = 2000000; // a value this large is not ours (10,000 reviewed cards fit in 1/3 of it)

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (attrs[name] !== null && attrs[name] !== undefined && attrs[name] !== false) node.setAttribute(name, attrs[name]);
    });
    if (text !== undefined && text !== null && text !== "") node.textContent = text;
    return node;
  }

  /* ------------------------------------ storage ------------------------------------ */

  // Material's __md_get/__md_set keep values under "<site path>.<key>": the same keys are used here,
  // so progress saved by earlier releases (which used __md_set) is read back as it was.
  function rawKey(key) { return (window.__md_scope ? __md_scope.pathname : "") + "." + key; }

  var blocked = {}; // keys whose unreadable value could not be moved aside: never written over
  var memory = {};  // values kept in memory when storage is blocked or full

  function getRaw(key) {
    try { return localStorage.getItem(rawKey(key)); } catch (err) { return null; }
  }

  function setRaw(key, text) {
    try { localStorage.setItem(rawKey(key), text); return true; } catch (err) { return false; }
  }

  function quarantine() {
    var raw = getRaw(QUARANTINE_KEY);
    var list = [];
    try {
      var parsed = raw === null ? [] : JSON.parse(raw);
      list = Array.isArray(parsed) ? parsed.filter(function (r) { return r && typeof r.slot === "string"; }) : [];
    } catch (err) { list = []; }
    return list.concat(typeof reportedInMemory === "undefined" ? [] : reportedInMemory);
  }

  // Move an unreadable value to "<key>.aside.<n>" and record why; if that fails, leave it where it is
  // and never write that key again in this page view.
  var asideHandlers = [];
  function onAside(fn) { asideHandlers.push(fn); }

  function setAside(key, raw, reason) {
    setTimeout(function () { asideHandlers.forEach(function (fn) { fn(); }); }, 0); // report it on screen
    var list = quarantine();
    var slot = key + ".aside." + (list.length + 1) + "." + Date.now();
    var moved = setRaw(slot, raw);
    if (!moved) { slot = key; blocked[key] = reason; } // no room for a copy: it stays where it is, untouched
    list.push({ key: key, slot: slot, reason: reason, size: raw.length, at: new Date().toISOString() });
    if (!setRaw(QUARANTINE_KEY, JSON.stringify(list))) {
      blocked[key] = reason;
      reportedInMemory.push(list[list.length - 1]);
      return;
    }
    if (moved) {
      try { localStorage.removeItem(rawKey(key)); } catch (err) { blocked[key] = reason; }
    }
  }

  var reportedInMemory = []; // set-aside records the quarantine list itself had no room for

  // A part of a readable value (one card) that is not: kept aside on its own, the rest goes on.
  function setAsidePart(key, label, value, reason) {
    setAside(key + "/" + label, JSON.stringify(value), reason);
  }

  /* load(key, fallback, check): the stored value, or fallback when there is none or it is unreadable.
   * check(value) returns a reason (text) when the value has the wrong shape. */
  function load(key, fallback, check) {
    if (Object.prototype.hasOwnProperty.call(memory, key)) return JSON.parse(memory[key]);
    var raw = getRaw(key);
    if (raw === null || blocked[key]) return fallback;
    if (raw.length > MAX_VALUE_CHARS) {
      setAside(key, raw, "too large (" + raw.length + " characters)");
      return fallback;
    }
    var value;
    try { value = JSON.parse(raw); } catch (err) {
      setAside(key, raw, "not readable (not JSON)");
      return fallback;
    }
    if (value === null || value === undefined) return fallback;
    var problem = check ? check(value) : "";
    if (problem) {
      setAside(key, raw, problem);
      return fallback;
    }
    return value;
  }

  // Returns false when the value could only be kept in memory (storage blocked, full, or the key holds
  // data that could not be moved aside).
  function save(key, value) {
    var text = JSON.stringify(value);
    if (!blocked[key] && setRaw(key, text)) {
      delete memory[key];
      return true;
    }
    memory[key] = text;
    return false;
  }

  function unsaved() { return Object.keys(memory); }

  function forgetAside(slot) {
    reportedInMemory = reportedInMemory.filter(function (r) { return r.slot !== slot; });
    var list = quarantine().filter(function (r) { return r.slot !== slot; });
    try { localStorage.removeItem(rawKey(slot)); } catch (err) { /* nothing to do */ }
    setRaw(QUARANTINE_KEY, JSON.stringify(list));
  }

  /* ------------------------------------- URLs ------------------------------------- */

  // The URLs in STUDY_DATA (written by the build from hooks/studysite/urls.py) are site-relative.
  function siteUrl(path) {
    var root = window.__md_scope ? __md_scope.href : new URL(".", location.href).href;
    return new URL(path, root).href;
  }

  // A link's path below the site root ("q/x/"); the offline copy's "q/x/index.html" gives the same key.
  function sitePath(href) {
    var url;
    try { url = new URL(href, location.href); } catch (err) { return href; }
    var root = window.__md_scope ? __md_scope.pathname : "/";
    if (url.origin === location.origin && url.pathname.indexOf(root) === 0) {
      return url.pathname.slice(root.length).replace(/(^|\/)index\.html$/, "$1") + url.hash;
    }
    return url.href;
  }

  /* ------------------------------------- text ------------------------------------- */

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function formatInterval(ms) {
    var min = Math.round(ms / 60000);
    if (min < 1) return "now";
    if (min < 60) return min + " min";
    var h = Math.round(min / 60);
    if (h < 24) return h + " h";
    var d = Math.round(h / 24);
    if (d < 60) return d + " d";
    var mo = Math.round(d / 30);
    if (mo < 24) return mo + " mo";
    return Math.round(d / 365) + " y";
  }

  // A device without a keyboard (touch first): keyboard hints are left out of what it shows.
  function touchFirst() {
    return !!(window.matchMedia && window.matchMedia("(hover: none) and (pointer: coarse)").matches);
  }

  /* ----------------------------------- wiring ----------------------------------- */

  var pageHandlers = [];
  var changeHandlers = [];

  function onPage(fn) { pageHandlers.push(fn); }
  function onChange(fn) { changeHandlers.push(fn); }
  function changed() { changeHandlers.forEach(function (fn) { fn(); }); }

  // beforePage(fn): fn(done) runs before the page handlers, which wait for done() (study-store.js
  // loads the parts of the question data the page needs there)
  var before = null;
  function beforePage(fn) { before = fn; }

  function runHandlers() {
    pageHandlers.forEach(function (fn) {
      try { fn(); } catch (err) { if (window.console) console.error(err); }
    });
  }

  // The reader moved (wheel, touch, keys) since the page view began: what they see is theirs.
  var moved = false;
  ["wheel", "touchmove", "keydown", "mousedown"].forEach(function (type) {
    window.addEventListener(type, function () { moved = true; }, { passive: true, capture: true });
  });

  // Handlers that ran after the scripts a page needed had loaded may have grown the page above the
  // #anchor the browser scrolled to (chips, rating bars): bring it back, unless the reader moved.
  function keepAnchor() {
    if (moved || !location.hash) return;
    var target = null;
    try { target = document.getElementById(decodeURIComponent(location.hash.slice(1))); } catch (err) { return; }
    if (target) target.scrollIntoView();
  }

  var views = 0;
  function runPage() {
    var view = ++views;
    if (!before) return runHandlers();
    var sync = true;
    moved = false;
    before(function () {
      if (view !== views) return; // a later page view supersedes this one
      runHandlers();
      if (!sync) keepAnchor();
    });
    sync = false;
  }

  window.Study = {
    el: el,
    load: load,
    save: save,
    unsaved: unsaved,
    setAsidePart: setAsidePart,
    quarantine: quarantine,
    asideValue: getRaw,
    forgetAside: forgetAside,
    siteUrl: siteUrl,
    sitePath: sitePath,
    plural: plural,
    formatInterval: formatInterval,
    touchFirst: touchFirst,
    onPage: onPage,
    beforePage: beforePage,
    onChange: onChange,
    onAside: onAside,
    changed: changed
  };
  window.studyStorage = { load: load, save: save }; // the name earlier releases' tests and tools used

  // Material's instant navigation swaps the page without a reload: run once per page view, after
  // every study script has registered (they load after this file, before the bundle emits document$).
  var seen = false;
  function start() {
    if (window.document$) document$.subscribe(function () { seen = true; runPage(); });
    // Without Material's bundle document$ never emits; the page is plain HTML: set it up once.
    window.addEventListener("load", function () { if (!seen) runPage(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  // Another tab changed the progress: every view redraws from storage.
  window.addEventListener("storage", function () { changed(); });
})();
