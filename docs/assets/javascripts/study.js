/* study.js: topic pages — self-test mode, rating after a reveal, progress on the question list, "back
 * to Day N" for a question reached from the plan — the topics index's progress table, and the 404's
 * search hint. State and its meaning come from study-store.js, the views from study-widgets.js. */
(function () {
  "use strict";

  var S = window.Study;
  var st = S.store;
  var w = S.widgets;
  var el = S.el;

  var SELFTEST_KEY = "study.selftest"; // "1" or "0"; read early by overrides/main.html to avoid a flash
  var SELFTEST_CLASS = "study-selftest"; // on <html>, so it survives instant navigation
  var FROM_PLAN_KEY = "study.from-plan"; // sessionStorage: the question the reader opened from the plan

  /* ---------------------------------- self-test mode ---------------------------------- */

  function selfTestOn() { return document.documentElement.classList.contains(SELFTEST_CLASS); }

  function topicAnswers() { return Array.prototype.slice.call(document.querySelectorAll("article .qa-answer")); }

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

  // A reveal low in the window would put the answer (and its rating bar, which sticks to the window's
  // bottom only while the answer is on screen) out of sight: scroll it up to the upper third.
  function bringIntoView(answer) {
    var top = answer.getBoundingClientRect().top;
    if (top > window.innerHeight * 0.6) window.scrollBy({ top: top - window.innerHeight * 0.3, behavior: "auto" });
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
    S.save(SELFTEST_KEY, on ? "1" : "0");
    if (on) topicAnswers().forEach(function (a) { setRevealed(a, false); }); // a clean slate: all hidden
    renderToolbar();
  }

  function toolbar() {
    var bar = el("div", { "class": "study-toolbar", role: "group", "aria-label": "Self-test" });
    var toggle = el("button", { type: "button", "class": "study-toolbar__toggle md-button", "aria-pressed": "false",
      title: "Hide answers so you can test yourself" });
    toggle.appendChild(document.createTextNode("Self-test: "));
    toggle.appendChild(el("span", { "class": "study-toolbar__state" }, "off"));
    toggle.addEventListener("click", function () { setSelfTest(!selfTestOn()); });
    var revealAll = el("button", { type: "button", "class": "study-toolbar__bulk md-button" }, "Reveal all");
    revealAll.addEventListener("click", function () { topicAnswers().forEach(function (a) { setRevealed(a, true); }); });
    var hideAll = el("button", { type: "button", "class": "study-toolbar__bulk md-button" }, "Hide all");
    hideAll.addEventListener("click", function () { topicAnswers().forEach(function (a) { setRevealed(a, false); }); });
    bar.appendChild(toggle);
    bar.appendChild(revealAll);
    bar.appendChild(hideAll);
    var hint = w.keyHint("t");
    if (hint) {
      var span = el("span", { "class": "study-toolbar__hint" }, "Keyboard: ");
      span.appendChild(hint);
      bar.appendChild(span);
    }
    return bar;
  }

  function initSelfTest() {
    if (!document.querySelector(".qa-page")) return;
    var answers = topicAnswers();
    if (!answers.length) return;
    answers.forEach(function (answer, i) {
      if (revealButtonFor(answer)) return;
      if (!answer.id) answer.id = "qa-answer-" + (answer.getAttribute("data-qid") || i);
      var button = el("button", { type: "button", "class": "qa-reveal md-button", "aria-controls": answer.id, "aria-expanded": "false" }, "Show answer");
      button.addEventListener("click", function () {
        var revealed = !answer.classList.contains("is-revealed");
        setRevealed(answer, revealed);
        if (revealed) bringIntoView(answer);
      });
      answer.parentNode.insertBefore(button, answer);
    });
    if (!document.querySelector(".study-toolbar")) {
      var first = document.querySelector("article .qa-q") || answers[0];
      first.parentNode.insertBefore(toolbar(), first);
    }
    renderToolbar();
    // Arriving from a search result (Material adds ?h=<terms>) or from the plan means "show me this":
    // reveal that question's answer, even in self-test mode; the others stay hidden.
    var params = new URLSearchParams(location.search);
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (selfTestOn() && params.has("h") && target && target.classList.contains("qa-q")) {
      var answer = document.querySelector('.qa-answer[data-qid="' + target.id + '"]');
      if (answer) setRevealed(answer, true);
    }
  }

  /* ------------------------------- ratings and progress ------------------------------- */

  function topicSlug() {
    var marker = document.querySelector(".qa-page[data-topic]");
    return marker ? marker.getAttribute("data-topic") : null;
  }

  function initRatings() {
    var marker = document.querySelector(".qa-page[data-topic]");
    if (!marker) return;
    document.querySelectorAll("article .qa-answer[data-qid]").forEach(function (answer) {
      var id = answer.getAttribute("data-qid");
      var heading = document.getElementById(id);
      if (heading && !heading.parentNode.querySelector('.rv-status[data-qid="' + id + '"]')) {
        heading.parentNode.insertBefore(el("p", { "class": "rv-status", "data-qid": id }), heading.nextSibling);
      }
      if (!answer.querySelector(".rv-rate-slot")) answer.appendChild(el("div", { "class": "rv-rate-slot", "data-qid": id }));
    });
    if (!document.querySelector(".rv-topic-progress")) {
      var box = el("div", { "class": "rv-topic-progress", "data-topic": marker.getAttribute("data-topic") });
      var list = document.querySelector(".qa-toc"); // after the question list: the page opens on it
      var after = list || marker;
      after.parentNode.insertBefore(box, after.nextSibling);
    }
    renderTopic();
  }

  function renderRateSlot(slot, store) {
    var id = slot.getAttribute("data-qid");
    var message = slot.querySelector(".rv-rate__saved");
    var text = message ? message.textContent : "";
    slot.textContent = "";
    if (!st.BY_ID[id]) return;
    slot.appendChild(w.ratingBar(id, store, function (r) {
      var entry = st.rate(id, r);
      var same = slot.querySelector('[data-rating="' + r + '"]');
      if (same) same.focus({ preventScroll: true }); // the buttons were redrawn: keep the reader's place
      var saved = slot.querySelector(".rv-rate__saved");
      if (entry && saved) {
        saved.textContent = "Saved: " + st.RATING_LABELS[r] + ". Next review in " +
          S.formatInterval(Date.parse(entry.card.due) - st.now().getTime()) + ".";
      }
    }));
    slot.appendChild(el("p", { "class": "rv-rate__saved", role: "status" }, text));
  }

  function renderTopic() {
    var slug = topicSlug();
    if (!slug) return;
    var store = st.read();
    var at = st.now();
    document.querySelectorAll(".rv-status[data-qid]").forEach(function (line) {
      var id = line.getAttribute("data-qid");
      var q = st.BY_ID[id];
      line.textContent = "";
      var chip = q && w.levelChip(q.level);
      if (chip) line.appendChild(chip);
      line.appendChild(w.statusChip(id, store, at));
    });
    document.querySelectorAll(".qa-toc [data-toc-qid]").forEach(function (item) {
      var id = item.getAttribute("data-toc-qid");
      var old = item.querySelector(".rv-chip[data-progress-qid]");
      var chip = w.statusChip(id, store, at);
      if (old) old.replaceWith(chip); else item.appendChild(chip);
    });
    document.querySelectorAll(".rv-rate-slot[data-qid]").forEach(function (slot) { renderRateSlot(slot, store); });
    var box = document.querySelector(".rv-topic-progress");
    if (!box) return;
    var ids = st.DATA.questions.filter(function (q) { return q.topic === slug; }).map(function (q) { return q.id; });
    var c = st.counts(ids, store, at);
    box.textContent = "";
    box.appendChild(el("p", { "class": "rv-topic-progress__title" }, "Your progress on this topic"));
    box.appendChild(w.progressBar(c, "Progress on this topic"));
    box.appendChild(w.countsLine(c));
    box.appendChild(el("a", { href: S.siteUrl(st.DATA.pages.review) + "?topic=" + encodeURIComponent(slug), "class": "rv-link" }, "Review this topic"));
  }

  /* ---------------------------- back to the plan, next in plan ---------------------------- */

  function fromPlan(id) {
    try {
      if (id === undefined) return sessionStorage.getItem(FROM_PLAN_KEY);
      sessionStorage.setItem(FROM_PLAN_KEY, id);
    } catch (err) { return null; }
    return id;
  }

  // A question opened from the study plan shows where it sits in the plan: back to its day, and the
  // next question of the plan (study-plan.js records the click).
  function initPlanNav() {
    document.querySelectorAll(".study-plan-nav").forEach(function (n) { n.remove(); });
    var id = fromPlan();
    var hash = location.hash ? decodeURIComponent(location.hash.slice(1)) : "";
    if (!id || id !== hash || !st.BY_ID[id]) return;
    var heading = document.getElementById(id);
    var where = st.dayOf(id);
    if (!heading || !where) return;
    var nav = el("nav", { "class": "study-plan-nav", "aria-label": "Study plan" });
    nav.appendChild(el("a", { href: S.siteUrl(st.DATA.pages.study_plan) + "#" + where.day.anchor, "class": "study-plan-nav__back" },
      "\u2190 Back to " + where.day.title.split(/[:\u2014-]/)[0].trim()));
    var next = (st.DATA.plan_next || {})[id]; // the plan's next question, in whatever part it is
    if (next) {
      var link = el("a", { href: S.siteUrl(next.permalink), "class": "study-plan-nav__next" }, "Next in plan: " + next.title + " \u2192");
      link.addEventListener("click", function () { fromPlan(next.id); });
      nav.appendChild(link);
    }
    var status = heading.parentNode.querySelector('.rv-status[data-qid="' + id + '"]');
    (status || heading).insertAdjacentElement("afterend", nav);
  }

  /* ---------------------------------- topics index ---------------------------------- */

  // A topic's counts (all topics' for null). Before any progress the index loads no question data
  // (study-store.js): every question is new, and the topics say how many they have.
  function topicCounts(slug, store, at) {
    if (slug === null) {
      var all = { due: 0, "new": 0, learning: 0, young: 0, mature: 0, total: 0 };
      st.DATA.topics.forEach(function (t) {
        var c = topicCounts(t.slug, store, at);
        Object.keys(all).forEach(function (k) { all[k] += c[k]; });
      });
      return all;
    }
    var ids = st.DATA.questions.filter(function (q) { return q.topic === slug; }).map(function (q) { return q.id; });
    var size = st.TOPICS[slug] ? st.TOPICS[slug].questions || 0 : 0;
    if (ids.length >= size || document.querySelector("[data-study-progress]")) return st.counts(ids, store, at);
    return { due: 0, "new": size, learning: 0, young: 0, mature: 0, total: size };
  }

  function initTopicsIndex() {
    var box = document.querySelector(".rv-topics-progress");
    var anchor = document.querySelector(".qa-topics-index");
    if (!anchor) return;
    if (!box) {
      box = el("section", { "class": "rv-topics-progress", "aria-label": "Your progress by topic" });
      anchor.parentNode.insertBefore(box, anchor);
    }
    var store = st.read();
    var at = st.now();
    box.textContent = "";
    var all = topicCounts(null, store, at);
    box.appendChild(el("p", { "class": "rv-topic-progress__title" },
      "Your progress: " + all.mature + " mature, " + all.young + " young, " + all.learning + " learning, " +
      all["new"] + " new of " + all.total + "; " + all.due + " due now"));
    document.querySelectorAll(".qa-topics-index [data-topic-progress]").forEach(function (cell) {
      var slug = cell.getAttribute("data-topic-progress");
      var c = topicCounts(slug, store, at);
      cell.textContent = "";
      cell.appendChild(w.progressBar(c, st.TOPICS[slug] ? st.TOPICS[slug].title : slug));
      cell.appendChild(el("span", { "class": "rv-topics-progress__n" }, (c.young + c.mature) + " / " + c.total + " learned · " + c.due + " due"));
    });
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
    var button = el("button", { type: "button", "class": "md-button md-button--primary" }, "Search for \u201c" + words + "\u201d");
    button.addEventListener("click", function () { openSearch(words); });
    box.appendChild(button);
    box.hidden = false;
  }

  function openSearch(query) {
    var toggle = document.querySelector("[data-md-toggle=search]");
    var input = document.querySelector("[data-md-component=search-query]");
    if (!toggle || !input) return;
    toggle.checked = true;
    toggle.dispatchEvent(new Event("change")); // Material's own control: it listens for this
    input.value = query;
    input.focus();
    input.dispatchEvent(new KeyboardEvent("keyup", { key: "Unidentified" }));
  }

  /* --------------------------------- scrolling code --------------------------------- */

  // A code block that scrolls (sideways, or down: long demo outputs) can be scrolled from the keyboard
  // too (WCAG 2.1.1): it is focusable.
  function focusableScrollers() {
    document.querySelectorAll("article pre > code").forEach(function (code) {
      var scrolls = code.scrollWidth > code.clientWidth + 1 || code.scrollHeight > code.clientHeight + 1;
      if (scrolls && !code.hasAttribute("tabindex")) code.setAttribute("tabindex", "0");
    });
  }

  /* ------------------------------------- wiring ------------------------------------- */

  S.onPage(function () {
    // overrides/main.html sets the class before first paint; this covers pages built without it
    if (S.load(SELFTEST_KEY, "0") === "1") document.documentElement.classList.add(SELFTEST_CLASS);
    initSelfTest();
    initRatings();
    initPlanNav();
    initTopicsIndex();
    init404();
    focusableScrollers();
  });
  window.addEventListener("resize", focusableScrollers);
  document.addEventListener("click", function (event) {
    // a revealed answer or an opened box may hold code that scrolls
    if (event.target.closest && event.target.closest(".qa-reveal, .study-toolbar, summary")) setTimeout(focusableScrollers, 0);
  });
  S.onChange(function () { renderTopic(); initTopicsIndex(); });
  window.addEventListener("hashchange", initPlanNav);
  S.fromPlan = fromPlan;

  if (window.keyboard$) {
    keyboard$.subscribe(function (key) {
      if (key.mode !== "global" || (key.type !== "t" && key.type !== "T")) return;
      if (!document.querySelector(".qa-page")) return;
      setSelfTest(!selfTestOn());
      key.claim();
    });
  }
})();
