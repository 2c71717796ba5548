/* study.js: self-test mode on topic pages, saved progress on the study plan, search hint on 404.
 *
 * Material's instant navigation swaps the page content without a reload, so everything here runs
 * from document$.subscribe (once per page view) and must be safe to run again on a fresh DOM.
 * State lives in localStorage through Material's __md_get/__md_set, which scope keys by the site's
 * base path: two study sites on one github.io origin don't share progress.
 */
(function () {
  "use strict";

  var SELFTEST_KEY = "study.selftest"; // "1" or "0"; read early by overrides/main.html to avoid a flash
  var PLAN_KEY = "study.plan";         // { "<site-relative href>": true|false }
  var SELFTEST_CLASS = "study-selftest"; // on <html>, so it survives instant navigation

  /* -- storage (private browsing may throw; the site must still work, just without memory) -- */

  function load(key, fallback) {
    try {
      var value = window.__md_get ? __md_get(key) : JSON.parse(localStorage.getItem(key));
      return value === null || value === undefined ? fallback : value;
    } catch (err) {
      return fallback;
    }
  }

  function save(key, value) {
    try {
      if (window.__md_set) __md_set(key, value);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch (err) { /* storage full or blocked: keep working in memory */ }
  }
  window.studyStorage = { load: load, save: save }; // shared with review.js (loaded after this file)

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) node.textContent = text;
    return node;
  }

  /* ---------------------------------- self-test mode ---------------------------------- */

  function selfTestOn() {
    return document.documentElement.classList.contains(SELFTEST_CLASS);
  }

  function topicAnswers() {
    return Array.prototype.slice.call(document.querySelectorAll("article .qa-answer"));
  }

  function revealButtonFor(answer) {
    var prev = answer.previousElementSibling;
    return prev && prev.classList.contains("qa-reveal") ? prev : null;
  }

  function setRevealed(answer, revealed) {
    answer.classList.toggle("is-revealed", revealed);
    var button = revealButtonFor(answer);
    if (button) {
      button.setAttribute("aria-expanded", String(revealed || !selfTestOn()));
      button.textContent = revealed ? "Hide answer" : "Show answer";
    }
  }

  function renderToolbar() {
    var on = selfTestOn();
    document.querySelectorAll(".study-toolbar").forEach(function (bar) {
      var toggle = bar.querySelector(".study-toolbar__toggle");
      toggle.setAttribute("aria-pressed", String(on));
      toggle.querySelector(".study-toolbar__state").textContent = on ? "on" : "off";
      bar.querySelectorAll(".study-toolbar__bulk").forEach(function (b) { b.hidden = !on; });
    });
    topicAnswers().forEach(function (answer) {
      var button = revealButtonFor(answer);
      if (button) button.setAttribute("aria-expanded", String(!on || answer.classList.contains("is-revealed")));
    });
  }

  function setSelfTest(on) {
    document.documentElement.classList.toggle(SELFTEST_CLASS, on);
    save(SELFTEST_KEY, on ? "1" : "0");
    // Entering the mode starts from a clean slate: every answer hidden.
    if (on) topicAnswers().forEach(function (a) { setRevealed(a, false); });
    renderToolbar();
  }

  function initSelfTest() {
    if (!document.querySelector(".qa-page")) return;
    var answers = topicAnswers();
    if (!answers.length) return;

    answers.forEach(function (answer, i) {
      if (revealButtonFor(answer)) return;
      if (!answer.id) answer.id = "qa-answer-" + (answer.getAttribute("data-qid") || i);
      var button = el("button", {
        type: "button",
        "class": "qa-reveal md-button",
        "aria-controls": answer.id,
        "aria-expanded": "false"
      }, "Show answer");
      button.addEventListener("click", function () {
        setRevealed(answer, !answer.classList.contains("is-revealed"));
      });
      answer.parentNode.insertBefore(button, answer);
    });

    if (!document.querySelector(".study-toolbar")) {
      var bar = el("div", { "class": "study-toolbar", role: "group", "aria-label": "Self-test" });
      var toggle = el("button", {
        type: "button",
        "class": "study-toolbar__toggle md-button",
        "aria-pressed": "false",
        title: "Hide answers so you can test yourself (keyboard: t)"
      });
      toggle.appendChild(document.createTextNode("Self-test: "));
      toggle.appendChild(el("span", { "class": "study-toolbar__state" }, "off"));
      toggle.addEventListener("click", function () { setSelfTest(!selfTestOn()); });

      var revealAll = el("button", { type: "button", "class": "study-toolbar__bulk md-button" }, "Reveal all");
      revealAll.addEventListener("click", function () {
        topicAnswers().forEach(function (a) { setRevealed(a, true); });
      });
      var hideAll = el("button", { type: "button", "class": "study-toolbar__bulk md-button" }, "Hide all");
      hideAll.addEventListener("click", function () {
        topicAnswers().forEach(function (a) { setRevealed(a, false); });
      });
      var hint = el("span", { "class": "study-toolbar__hint" }, "Keyboard: t");

      bar.appendChild(toggle);
      bar.appendChild(revealAll);
      bar.appendChild(hideAll);
      bar.appendChild(hint);

      // just above the first question, after the page's title and introduction
      var first = document.querySelector("article .qa-q") || answers[0];
      first.parentNode.insertBefore(bar, first);
    }
    renderToolbar();

    // Arriving from a search result (Material adds ?h=<terms>) means "show me this": reveal the
    // question the result pointed at, even in self-test mode; the others stay hidden.
    var params = new URLSearchParams(location.search);
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (selfTestOn() && params.has("h") && target && target.classList.contains("qa-q")) {
      var answer = target.nextElementSibling;
      while (answer && !answer.classList.contains("qa-answer")) answer = answer.nextElementSibling;
      if (answer) setRevealed(answer, true);
    }
  }

  /* ------------------------------------ study plan ------------------------------------ */

  // The same question is linked as "../q/x/" from study-plan/ and "../../q/x/" from deeper pages:
  // key it by its path below the site root so the key doesn't depend on where the link sits.
  function planKey(href) {
    var url;
    try { url = new URL(href, location.href); } catch (err) { return href; }
    var root = window.__md_scope ? __md_scope.pathname : "/";
    if (url.origin === location.origin && url.pathname.indexOf(root) === 0) {
      // the offline copy links q/x/index.html where the hosted site links q/x/: one key for both
      return url.pathname.slice(root.length).replace(/(^|\/)index\.html$/, "$1") + url.hash;
    }
    return url.href;
  }

  function itemKey(box) {
    var item = box.closest("li");
    var link = item && item.querySelector("a[href]");
    if (link) return planKey(link.getAttribute("href"));
    return "text:" + (item ? item.textContent.trim().replace(/\s+/g, " ") : "");
  }

  // h2 → the checkboxes between it and the next h2 (lists may be nested in wrappers)
  function planSections(plan) {
    var sections = [];
    plan.querySelectorAll("h2").forEach(function (h2) {
      var boxes = [];
      for (var node = h2.nextElementSibling; node && node.tagName !== "H2"; node = node.nextElementSibling) {
        boxes.push.apply(boxes, node.querySelectorAll(".task-list-item input[type=checkbox]"));
      }
      if (boxes.length) sections.push({ heading: h2, boxes: boxes });
    });
    return sections;
  }

  function updatePlanProgress(plan) {
    planSections(plan).forEach(function (section) {
      var done = section.boxes.filter(function (b) { return b.checked; }).length;
      var badge = section.heading.querySelector(".plan-progress");
      badge.textContent = done + " / " + section.boxes.length + " done";
      section.heading.classList.toggle("plan-section--complete", done === section.boxes.length);
    });
    var boxes = plan.querySelectorAll(".task-list-item input[type=checkbox]");
    var total = boxes.length;
    var done = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
    var pct = total ? Math.round((100 * done) / total) : 0;
    var bar = plan.querySelector(".plan-overall__bar");
    bar.setAttribute("aria-valuenow", String(done));
    bar.setAttribute("aria-valuemax", String(total));
    bar.setAttribute("aria-valuetext", done + " of " + total + " done");
    bar.querySelector(".plan-overall__fill").style.width = pct + "%";
    plan.querySelector(".plan-overall__label").textContent =
      done + " / " + total + " done (" + pct + "%)";
    boxes.forEach(function (b) {
      var item = b.closest("li");
      if (item) item.classList.toggle("is-done", b.checked);
    });
  }

  function applyPlanState(plan) {
    var state = load(PLAN_KEY, {});
    plan.querySelectorAll(".task-list-item input[type=checkbox]").forEach(function (box) {
      var key = itemKey(box);
      box.checked = Object.prototype.hasOwnProperty.call(state, key) ? !!state[key] : box.defaultChecked;
    });
    updatePlanProgress(plan);
  }

  function initStudyPlan() {
    var plan = document.querySelector(".study-plan");
    if (!plan || plan.hasAttribute("data-plan-ready")) return;
    plan.setAttribute("data-plan-ready", "");

    planSections(plan).forEach(function (section) {
      section.heading.insertBefore(
        el("span", { "class": "plan-progress", "aria-live": "polite" }),
        section.heading.querySelector(".headerlink")
      );
    });

    var overall = el("div", { "class": "plan-overall" });
    var bar = el("div", {
      "class": "plan-overall__bar",
      role: "progressbar",
      "aria-label": "Study plan progress",
      "aria-valuemin": "0"
    });
    bar.appendChild(el("div", { "class": "plan-overall__fill" }));
    var label = el("span", { "class": "plan-overall__label", "aria-hidden": "true" });
    var reset = el("button", { type: "button", "class": "plan-overall__reset md-button" }, "Reset progress");
    reset.addEventListener("click", function () {
      if (!window.confirm("Clear all study-plan progress saved in this browser?")) return;
      save(PLAN_KEY, {});
      applyPlanState(plan);
    });
    overall.appendChild(bar);
    overall.appendChild(label);
    overall.appendChild(reset);
    plan.insertBefore(overall, plan.firstChild);

    plan.querySelectorAll(".task-list-item input[type=checkbox]").forEach(function (box) {
      // the drawn box has no text of its own: name it after the item it ticks off
      var item = box.closest("li");
      var text = item ? item.textContent.trim().replace(/\s+/g, " ") : "";
      if (text) box.setAttribute("aria-label", "Done: " + text.slice(0, 120));
      box.disabled = false;
      box.removeAttribute("disabled");
      box.addEventListener("change", function () {
        var state = load(PLAN_KEY, {});
        state[itemKey(box)] = box.checked;
        save(PLAN_KEY, state);
        updatePlanProgress(plan);
      });
    });
    applyPlanState(plan);
  }

  /* --------------------------------------- 404 --------------------------------------- */

  // Turn the missing URL into a search suggestion: /q/max-pooling/ → "max pooling".
  function init404() {
    var box = document.querySelector(".study-404__guess");
    if (!box || box.hasAttribute("data-ready")) return;
    box.setAttribute("data-ready", "");
    var parts = location.pathname.split("/").filter(Boolean);
    var last = parts.length ? parts[parts.length - 1] : "";
    try { last = decodeURIComponent(last); } catch (err) { /* keep it raw */ }
    var words = last.replace(/\.html?$/i, "").replace(/[-_+]+/g, " ").trim();
    if (!words || words.length > 80) return;
    var button = el("button", { type: "button", "class": "md-button md-button--primary" },
      "Search for \u201c" + words + "\u201d");
    button.addEventListener("click", function () { openSearch(words); });
    box.appendChild(button);
    box.hidden = false;
  }

  function openSearch(query) {
    var toggle = document.querySelector("[data-md-toggle=search]");
    var input = document.querySelector("[data-md-component=search-query]");
    if (!toggle || !input) return;
    toggle.checked = true;
    toggle.dispatchEvent(new Event("change"));
    input.value = query;
    input.focus();
    input.dispatchEvent(new KeyboardEvent("keyup", { key: "Unidentified" }));
  }

  /* ------------------------------------- wiring ------------------------------------- */

  function onPage() {
    // overrides/main.html sets the class before first paint; this covers pages built without it
    if (load(SELFTEST_KEY, "0") === "1") document.documentElement.classList.add(SELFTEST_CLASS);
    initSelfTest();
    initStudyPlan();
    init404();
  }

  var seen = false;
  if (window.document$) {
    document$.subscribe(function () { seen = true; onPage(); });
  }
  // If Material's bundle is missing or failed to start, document$ never emits; the page is still
  // plain HTML, so set it up once after load. (Every init above is idempotent.)
  window.addEventListener("load", function () { if (!seen) onPage(); });

  if (window.keyboard$) {
    keyboard$.subscribe(function (key) {
      if (key.mode !== "global" || (key.type !== "t" && key.type !== "T")) return;
      if (!document.querySelector(".qa-page")) return;
      setSelfTest(!selfTestOn());
      key.claim();
    });
  }
})();
