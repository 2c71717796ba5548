/* review.js: spaced repetition in the browser — FSRS ratings on topic pages, progress everywhere, the
 * review and quiz pages, and export/import of the reader's progress.
 *
 * Scheduling is ts-fsrs (vendored UMD build, global FSRS; see scripts/vendor-ts-fsrs) with the settings
 * the hook publishes in STUDY_DATA.scheduler (hooks/studysite/review.py). STUDY_DATA (study-data.js,
 * generated) lists every published question: ID, title, topic, level, page URL, and aliases
 * (old ID → survivor).
 *
 * State: one localStorage entry ("study.fsrs", scoped to the site by Material's __md_get/__md_set):
 *   { version: 1, cards: { <question id>: { card: <FSRS card, dates as ISO strings> | null,
 *                                          log: [{ rating: "good", at: ISO }], known: bool,
 *                                          updated: ISO } } }
 * `updated` is the time of the last review (or "mark as known"); an import keeps, card by card,
 * whichever copy has the later one. Cards saved under an alias move to the survivor when read; cards
 * of questions that are no longer published are kept and shown as removed.
 *
 * Like study.js, everything runs from document$.subscribe (Material's instant navigation) and is
 * idempotent on a fresh DOM.
 */
(function () {
  "use strict";

  var STORE_KEY = "study.fsrs";
  var SETTINGS_KEY = "study.review.settings";
  var PLAN_KEY = "study.plan"; // study.js owns it; exported with the cards so a move keeps notebook ticks
  var RATINGS = ["again", "hard", "good", "easy"];
  var RATING_LABELS = { again: "Again", hard: "Hard", good: "Good", easy: "Easy" };
  var STATUS_LABELS = { "new": "New", learning: "Learning", known: "Known", removed: "Removed" };
  var LEVEL_LABELS = { basic: "Basic", intermediate: "Intermediate", advanced: "Advanced" };
  var EXPORT_FORMAT = "pytorch-interview-study/progress";

  var DATA = window.STUDY_DATA || { questions: [], topics: [], aliases: {}, levels: [], scheduler: {} };
  var BY_ID = {};
  DATA.questions.forEach(function (q, i) { q.order = i; BY_ID[q.id] = q; });
  var TOPICS = {};
  DATA.topics.forEach(function (t) { TOPICS[t.slug] = t; });
  var SCHED = DATA.scheduler || {};
  var LEARN_AHEAD_MS = (SCHED.learn_ahead_minutes || 20) * 60 * 1000;

  var scheduler = null;
  if (window.FSRS) {
    scheduler = FSRS.fsrs(FSRS.generatorParameters({
      request_retention: SCHED.desired_retention || 0.9,
      maximum_interval: SCHED.maximum_interval_days || 36500,
      enable_fuzz: !!SCHED.fuzz,
      learning_steps: SCHED.learning_steps || ["10m"],
      relearning_steps: SCHED.relearning_steps || ["10m"]
    }));
  }

  /* ------------------------------------ helpers ------------------------------------ */

  var load = window.studyStorage.load; // study.js: localStorage through Material's __md_get/__md_set
  var save = window.studyStorage.save;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (attrs[name] !== null && attrs[name] !== undefined) node.setAttribute(name, attrs[name]);
    });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function now() { return new Date(); }

  function siteUrl(path) {
    var root = window.__md_scope ? __md_scope.href : new URL(".", location.href).href;
    return new URL(path, root).href;
  }

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

  function isTyping(target) {
    return target && target.closest && target.closest("input, textarea, select, [contenteditable=true]");
  }

  /* ------------------------------------- store ------------------------------------- */

  function emptyStore() { return { version: 1, cards: {} }; }

  function isNumber(v) { return typeof v === "number" && isFinite(v); }

  // An entry the scheduler can take: anything else (a hand-edited or foreign file) is left out rather
  // than crashing a page later.
  function validEntry(entry) {
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) return false;
    if (entry.log !== undefined && !Array.isArray(entry.log)) return false;
    if (entry.updated !== undefined && isNaN(Date.parse(entry.updated))) return false;
    var c = entry.card;
    if (c === null || c === undefined) return true;
    return typeof c === "object" && typeof c.due === "string" && !isNaN(Date.parse(c.due)) &&
      (c.last_review === undefined || c.last_review === null || !isNaN(Date.parse(c.last_review))) &&
      [c.stability, c.difficulty, c.reps, c.lapses, c.scheduled_days, c.learning_steps].every(isNumber) &&
      [0, 1, 2, 3].indexOf(c.state) >= 0;
  }

  // Newer of two entries for one question: the later `updated` wins (ties keep `a`).
  function newer(a, b) {
    if (!a) return b;
    if (!b) return a;
    return Date.parse(b.updated || 0) > Date.parse(a.updated || 0) ? b : a;
  }

  // Cards saved under an alias move to the survivor (keeping the newer copy if both exist).
  function migrateAliases(store) {
    var moved = false;
    Object.keys(store.cards).forEach(function (id) {
      var survivor = DATA.aliases[id];
      if (!survivor || survivor === id) return;
      store.cards[survivor] = newer(store.cards[survivor], store.cards[id]);
      delete store.cards[id];
      moved = true;
    });
    return moved;
  }

  function readStore() {
    var store = load(STORE_KEY, null);
    if (!store || typeof store !== "object" || typeof store.cards !== "object" || !store.cards) store = emptyStore();
    Object.keys(store.cards).forEach(function (id) {
      if (!validEntry(store.cards[id])) delete store.cards[id]; // unreadable: dropped, never a crash
    });
    if (migrateAliases(store)) save(STORE_KEY, store);
    return store;
  }

  function writeStore(store) {
    save(STORE_KEY, store);
    document.dispatchEvent(new CustomEvent("study:progress"));
  }

  function toCard(stored) {
    if (!stored) return null;
    var card = {};
    Object.keys(stored).forEach(function (k) { card[k] = stored[k]; });
    card.due = new Date(stored.due);
    card.last_review = stored.last_review ? new Date(stored.last_review) : undefined;
    return card;
  }

  function fromCard(card) {
    var out = {};
    Object.keys(card).forEach(function (k) {
      var v = card[k];
      out[k] = v instanceof Date ? v.toISOString() : v;
    });
    return out;
  }

  // "new" | "learning" | "known" (| "removed" for a saved card whose question is gone)
  function statusOf(id, store) {
    var entry = store.cards[id];
    if (!BY_ID[id]) return entry ? "removed" : "new";
    if (!entry) return "new";
    if (entry.known) return "known";
    if (!entry.card || entry.card.state === 0) return "new";
    return entry.card.state === 2 ? "known" : "learning";
  }

  // Rated (and not retired) and due now; a card in its learning step counts from LEARN_AHEAD before.
  function isDue(id, store, at) {
    var entry = store.cards[id];
    if (!entry || entry.known || !entry.card || entry.card.state === 0) return false;
    var due = Date.parse(entry.card.due);
    var ahead = entry.card.state === 2 ? 0 : LEARN_AHEAD_MS;
    return due - ahead <= at.getTime();
  }

  function firstReviewDay(entry) {
    return entry && entry.log && entry.log.length ? new Date(entry.log[0].at).toDateString() : null;
  }

  function rate(id, rating, at) {
    if (!scheduler) return null;
    at = at || now();
    var store = readStore();
    var entry = store.cards[id] || { card: null, log: [], known: false };
    var card = toCard(entry.card) || FSRS.createEmptyCard(at);
    var grade = FSRS.Rating[RATING_LABELS[rating]];
    var result = scheduler.next(card, at, grade);
    entry.card = fromCard(result.card);
    entry.log = (entry.log || []).concat([{ rating: rating, at: at.toISOString() }]);
    entry.known = false;
    entry.updated = at.toISOString();
    store.cards[id] = entry;
    writeStore(store);
    return entry;
  }

  function markKnown(id) {
    var at = now();
    var store = readStore();
    var entry = store.cards[id] || { card: null, log: [] };
    entry.known = true;
    entry.updated = at.toISOString();
    store.cards[id] = entry;
    writeStore(store);
  }

  function forget(ids) {
    var store = readStore();
    var changed = false;
    ids.forEach(function (id) {
      if (store.cards[id]) { delete store.cards[id]; changed = true; }
    });
    if (changed) writeStore(store);
  }

  // What each rating would do now: "10 min", "2 d", …
  function previews(id, store, at) {
    if (!scheduler) return {};
    var entry = store.cards[id];
    var card = (entry && toCard(entry.card)) || FSRS.createEmptyCard(at);
    var out = {};
    RATINGS.forEach(function (r) {
      var next = scheduler.next(card, at, FSRS.Rating[RATING_LABELS[r]]).card;
      out[r] = formatInterval(next.due.getTime() - at.getTime());
    });
    return out;
  }

  function counts(ids, store, at) {
    var c = { due: 0, "new": 0, learning: 0, known: 0, total: ids.length };
    ids.forEach(function (id) {
      c[statusOf(id, store)] += 1;
      if (isDue(id, store, at)) c.due += 1;
    });
    return c;
  }

  function statusText(id, store, at) {
    var status = statusOf(id, store);
    var entry = store.cards[id];
    if (status === "new" || status === "removed" || !entry || !entry.card || entry.known) return STATUS_LABELS[status];
    if (isDue(id, store, at)) return STATUS_LABELS[status] + " · due now";
    return STATUS_LABELS[status] + " · next in " + formatInterval(Date.parse(entry.card.due) - at.getTime());
  }

  /* ------------------------------------- widgets ------------------------------------- */

  function levelChip(level) {
    if (!level) return null;
    return el("span", { "class": "rv-chip rv-chip--level rv-chip--" + level, title: "Level" },
      LEVEL_LABELS[level] || level);
  }

  function statusChip(id, store, at) {
    var status = statusOf(id, store);
    var due = isDue(id, store, at);
    return el("span", {
      "class": "rv-chip rv-chip--" + status + (due ? " rv-chip--due" : ""),
      "data-progress-qid": id,
      "data-status": status
    }, statusText(id, store, at));
  }

  function ratingGroup(id, store, onRate, keyHints) {
    var group = el("div", { "class": "rv-rate", role: "group", "aria-label": "How well did you remember it?" });
    group.appendChild(el("span", { "class": "rv-rate__prompt" }, "How well did you remember it?"));
    var hints = previews(id, store, now());
    RATINGS.forEach(function (r, i) {
      var button = el("button", {
        type: "button",
        "class": "rv-btn rv-rate__btn rv-rate__btn--" + r,
        "data-rating": r,
        "data-qid": id
      });
      button.appendChild(el("span", { "class": "rv-rate__label" }, (keyHints ? (i + 1) + " " : "") + RATING_LABELS[r]));
      if (hints[r]) button.appendChild(el("span", { "class": "rv-rate__when" }, hints[r]));
      button.addEventListener("click", function () { onRate(r); });
      group.appendChild(button);
    });
    return group;
  }

  function progressBar(c, label) {
    var wrap = el("div", { "class": "rv-bar", role: "img",
      "aria-label": label + ": " + c.known + " known, " + c.learning + " learning, " + c["new"] + " new" });
    ["known", "learning", "new"].forEach(function (k) {
      var part = el("span", { "class": "rv-bar__part rv-bar__part--" + k });
      part.style.width = (c.total ? (100 * c[k]) / c.total : 0) + "%";
      wrap.appendChild(part);
    });
    return wrap;
  }

  function countsLine(c) {
    var p = el("p", { "class": "rv-counts" });
    [["due", "due now"], ["new", "new"], ["learning", "learning"], ["known", "known"]].forEach(function (pair) {
      var item = el("span", { "class": "rv-count rv-count--" + pair[0], "data-count": pair[0] });
      item.appendChild(el("strong", null, String(c[pair[0]])));
      item.appendChild(document.createTextNode(" " + pair[1]));
      p.appendChild(item);
    });
    return p;
  }

  /* ----------------------------------- topic pages ----------------------------------- */

  function initTopicPage() {
    var pageMarker = document.querySelector(".qa-page[data-topic]");
    if (!pageMarker) return;
    var slug = pageMarker.getAttribute("data-topic");
    document.querySelectorAll("article .qa-answer[data-qid]").forEach(function (answer) {
      var id = answer.getAttribute("data-qid");
      var heading = document.getElementById(id);
      if (heading && !heading.parentNode.querySelector('.rv-status[data-qid="' + id + '"]')) {
        var line = el("p", { "class": "rv-status", "data-qid": id });
        heading.parentNode.insertBefore(line, heading.nextSibling);
      }
      if (!answer.querySelector(".rv-rate-slot")) {
        answer.appendChild(el("div", { "class": "rv-rate-slot", "data-qid": id }));
      }
    });
    if (!document.querySelector(".rv-topic-progress")) {
      var box = el("div", { "class": "rv-topic-progress", "data-topic": slug });
      pageMarker.parentNode.insertBefore(box, pageMarker.nextSibling);
    }
    renderTopicPage();
  }

  function renderTopicPage() {
    var pageMarker = document.querySelector(".qa-page[data-topic]");
    if (!pageMarker) return;
    var slug = pageMarker.getAttribute("data-topic");
    var store = readStore();
    var at = now();
    document.querySelectorAll(".rv-status[data-qid]").forEach(function (line) {
      var id = line.getAttribute("data-qid");
      var q = BY_ID[id];
      line.textContent = "";
      var chip = q && levelChip(q.level);
      if (chip) line.appendChild(chip);
      line.appendChild(statusChip(id, store, at));
    });
    document.querySelectorAll(".rv-rate-slot[data-qid]").forEach(function (slot) {
      var id = slot.getAttribute("data-qid");
      var message = slot.querySelector(".rv-rate__saved");
      var text = message ? message.textContent : "";
      slot.textContent = "";
      if (!BY_ID[id]) return;
      slot.appendChild(ratingGroup(id, store, function (r) {
        var entry = rate(id, r);
        renderTopicPage();
        var same = slot.querySelector('[data-rating="' + r + '"]');
        if (same) same.focus({ preventScroll: true }); // the buttons were redrawn: keep the reader's place
        var saved = slot.querySelector(".rv-rate__saved");
        if (entry && saved) {
          saved.textContent = "Saved: " + RATING_LABELS[r] + ". Next review in " +
            formatInterval(Date.parse(entry.card.due) - now().getTime()) + ".";
        }
      }));
      slot.appendChild(el("p", { "class": "rv-rate__saved", role: "status" }, text));
    });
    var box = document.querySelector(".rv-topic-progress");
    if (box) {
      var ids = DATA.questions.filter(function (q) { return q.topic === slug; }).map(function (q) { return q.id; });
      var c = counts(ids, store, at);
      box.textContent = "";
      box.appendChild(el("p", { "class": "rv-topic-progress__title" }, "Your progress on this topic"));
      box.appendChild(progressBar(c, "Progress on this topic"));
      box.appendChild(countsLine(c));
      var link = el("a", { href: siteUrl(reviewPath()) + "?topic=" + encodeURIComponent(slug), "class": "rv-link" },
        "Review this topic");
      box.appendChild(link);
    }
  }

  function reviewPath() { return isDirectoryUrls() ? "review/" : "review/index.html"; }
  function isDirectoryUrls() { return !(DATA.questions[0] && /\.html#/.test(DATA.questions[0].url)); }

  /* ---------------------------------- topics index ---------------------------------- */

  function isTopicsIndex() {
    var path = location.href.replace(/[?#].*$/, "");
    return path === siteUrl("topics/") || path === siteUrl("topics/index.html");
  }

  function initTopicsIndex() {
    if (!isTopicsIndex()) return;
    var h1 = document.querySelector("article h1");
    if (!h1) return;
    var box = document.querySelector(".rv-topics-progress");
    if (!box) {
      box = el("section", { "class": "rv-topics-progress", "aria-label": "Your progress by topic" });
      var after = h1.nextElementSibling && h1.nextElementSibling.tagName === "P" ? h1.nextElementSibling : h1;
      after.parentNode.insertBefore(box, after.nextSibling);
    }
    var store = readStore();
    var at = now();
    box.textContent = "";
    var all = counts(DATA.questions.map(function (q) { return q.id; }), store, at);
    box.appendChild(el("p", { "class": "rv-topic-progress__title" },
      "Your progress: " + all.known + " of " + all.total + " known, " + all.learning + " learning, " +
      all["new"] + " new, " + all.due + " due now"));
    var table = el("table", { "class": "rv-table" });
    var head = el("tr");
    ["Topic", "Progress", "New", "Learning", "Known", "Due"].forEach(function (h) { head.appendChild(el("th", { scope: "col" }, h)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    DATA.topics.forEach(function (t) {
      var ids = DATA.questions.filter(function (q) { return q.topic === t.slug; }).map(function (q) { return q.id; });
      var c = counts(ids, store, at);
      var row = el("tr", { "data-topic-progress": t.slug });
      var cell = el("th", { scope: "row" });
      cell.appendChild(el("a", { href: siteUrl(t.url) }, t.title));
      row.appendChild(cell);
      row.appendChild(el("td")).appendChild(progressBar(c, t.title));
      ["new", "learning", "known", "due"].forEach(function (k) { row.appendChild(el("td", { "data-count": k }, String(c[k]))); });
      body.appendChild(row);
    });
    table.appendChild(body);
    var scroll = el("div", { "class": "rv-table-wrap" });
    scroll.appendChild(table);
    box.appendChild(scroll);
  }

  /* ----------------------------------- study plan ----------------------------------- */

  // The plan's question boxes show the FSRS state: ticked = rated at least once. Ticking one here is
  // a first review rated Good; unticking (or study.js's Reset) forgets the card. study.js keeps its
  // own record of the boxes: every change made here goes through a "change" event so it stays in step.
  function planQuestionId(box) {
    var item = box.closest("li");
    var link = item && item.querySelector("a[href]");
    if (!link) return null;
    var m = /(?:^|\/)q\/([^/]+)\/(?:index\.html)?$/.exec(new URL(link.getAttribute("href"), location.href).pathname);
    return m ? decodeURIComponent(m[1]) : null;
  }

  var planSyncing = false;

  function planBoxes(plan) {
    return Array.prototype.slice.call(plan.querySelectorAll(".task-list-item input[type=checkbox]"))
      .map(function (box) { return { box: box, id: planQuestionId(box) }; })
      .filter(function (b) { return b.id; });
  }

  function syncPlan() {
    var plan = document.querySelector(".study-plan[data-plan-ready]");
    if (!plan) return;
    var store = readStore();
    var at = now();
    planSyncing = true;
    planBoxes(plan).forEach(function (b) {
      var id = DATA.aliases[b.id] || b.id;
      var rated = !!store.cards[id];
      if (b.box.checked !== rated) {
        b.box.checked = rated;
        b.box.dispatchEvent(new Event("change")); // study.js saves the tick and recounts the day
      }
      var item = b.box.closest("li");
      var chip = item.querySelector(".rv-chip[data-progress-qid]");
      var fresh = statusChip(id, store, at);
      if (chip) chip.replaceWith(fresh); else item.appendChild(fresh);
    });
    planSyncing = false;
  }

  function initPlan() {
    var plan = document.querySelector(".study-plan[data-plan-ready]");
    if (!plan || plan.hasAttribute("data-fsrs-ready")) return;
    plan.setAttribute("data-fsrs-ready", "");
    planBoxes(plan).forEach(function (b) {
      b.box.addEventListener("change", function () {
        if (planSyncing) return;
        var id = DATA.aliases[b.id] || b.id;
        var store = readStore();
        if (b.box.checked && !store.cards[id]) rate(id, "good");
        else if (!b.box.checked && store.cards[id]) forget([id]);
        syncPlan();
      });
    });
    // study.js's "Reset progress" (after its confirm) unticks every box without change events: the
    // click bubbles here after study.js has handled it, so a confirmed reset shows as rated questions
    // whose boxes are now empty.
    plan.addEventListener("click", function (event) {
      if (!event.target.closest(".plan-overall__reset")) return;
      var store = readStore();
      var cleared = planBoxes(plan).filter(function (b) { return !b.box.checked; })
        .map(function (b) { return DATA.aliases[b.id] || b.id; })
        .filter(function (id) { return store.cards[id]; });
      var anyTicked = planBoxes(plan).some(function (b) { return b.box.checked; });
      if (cleared.length && !anyTicked) forget(cleared);
      syncPlan();
    });
    syncPlan();
  }

  /* ------------------------------ review and quiz pages ------------------------------ */

  function settings() {
    var s = load(SETTINGS_KEY, {});
    return {
      topic: typeof s.topic === "string" ? s.topic : "",
      level: typeof s.level === "string" ? s.level : "",
      newPerDay: typeof s.newPerDay === "string" ? s.newPerDay : "20"
    };
  }

  function deckCard(app, id) {
    var card = app.parentNode.querySelector('.rv-deck .rv-card[data-card-qid="' + id + '"]');
    return card;
  }

  function select(name, label, options, value) {
    var wrap = el("label", { "class": "rv-field" });
    wrap.appendChild(el("span", { "class": "rv-field__label" }, label));
    var s = el("select", { name: name });
    options.forEach(function (o) {
      var opt = el("option", { value: o[0] }, o[1]);
      if (o[0] === value) opt.selected = true;
      s.appendChild(opt);
    });
    wrap.appendChild(s);
    return wrap;
  }

  function topicOptions(first) {
    return [["", first]].concat(DATA.topics.map(function (t) { return [t.slug, t.title]; }));
  }

  function levelOptions(first) {
    return [["", first]].concat(DATA.levels.map(function (l) { return [l, LEVEL_LABELS[l] || l]; }));
  }

  // The card being studied: question, answer (hidden until revealed), rating, move buttons.
  function Stage(app, handlers) {
    this.app = app;
    this.handlers = handlers;
    this.node = el("section", { "class": "rv-stage", "aria-label": "Card", tabindex: "-1" });
    this.id = null;
    this.revealed = false;
  }

  Stage.prototype.show = function (id, position, total, extra) {
    var node = this.node;
    var self = this;
    this.id = id;
    this.revealed = false;
    node.textContent = "";
    node.setAttribute("data-qid", id);
    var q = BY_ID[id];
    var store = readStore();
    var meta = el("p", { "class": "rv-stage__meta" });
    meta.appendChild(el("span", { "class": "rv-stage__pos" }, "Card " + position + " of " + total));
    if (q) {
      meta.appendChild(el("a", { href: siteUrl(TOPICS[q.topic] ? TOPICS[q.topic].url : q.url) }, TOPICS[q.topic] ? TOPICS[q.topic].title : q.topic));
      var lc = levelChip(q.level);
      if (lc) meta.appendChild(lc);
    }
    meta.appendChild(statusChip(id, store, now()));
    node.appendChild(meta);
    if (extra) node.appendChild(extra);
    var source = deckCard(this.app, id);
    var title = el("h2", { "class": "rv-stage__q", id: "rv-current-q" }, q ? q.title : id);
    node.appendChild(title);
    node.setAttribute("aria-labelledby", "rv-current-q");
    var answer = el("div", { "class": "rv-stage__a", id: "rv-current-a", hidden: "" });
    var body = source && source.querySelector(".rv-card__a");
    if (body) {
      Array.prototype.forEach.call(body.childNodes, function (n) { answer.appendChild(n.cloneNode(true)); });
    } else {
      answer.appendChild(el("p", null, "This question is no longer on the site."));
    }
    node.appendChild(answer);
    var reveal = el("button", { type: "button", "class": "rv-btn rv-btn--primary rv-reveal",
      "aria-controls": "rv-current-a", "aria-expanded": "false" }, "Show answer (Space)");
    reveal.addEventListener("click", function () { self.reveal(); });
    node.appendChild(reveal);
    var rating = ratingGroup(id, store, function (r) { self.handlers.rate(id, r); }, true);
    rating.hidden = true;
    node.appendChild(rating);
    var moves = el("div", { "class": "rv-moves" });
    var prev = el("button", { type: "button", "class": "rv-btn", "data-move": "prev" }, "Previous (K)");
    var next = el("button", { type: "button", "class": "rv-btn", "data-move": "next" }, "Skip (J)");
    prev.addEventListener("click", function () { self.handlers.move(-1); });
    next.addEventListener("click", function () { self.handlers.move(1); });
    moves.appendChild(prev);
    moves.appendChild(next);
    if (this.handlers.extraButtons) this.handlers.extraButtons(moves, id);
    node.appendChild(moves);
  };

  Stage.prototype.reveal = function () {
    if (!this.id || this.revealed) return;
    this.revealed = true;
    var answer = this.node.querySelector(".rv-stage__a");
    if (answer) answer.hidden = false;
    var button = this.node.querySelector(".rv-reveal");
    if (button) { button.setAttribute("aria-expanded", "true"); button.hidden = true; }
    var rating = this.node.querySelector(".rv-rate");
    if (rating) {
      rating.hidden = false;
      var good = rating.querySelector('[data-rating="good"]');
      if (good) good.focus({ preventScroll: true });
    }
  };

  Stage.prototype.focus = function () { this.node.focus({ preventScroll: false }); };

  /* ---- review ---- */

  function reviewQueue(filter, store, at) {
    var ids = DATA.questions.filter(function (q) {
      return (!filter.topic || q.topic === filter.topic) && (!filter.level || q.level === filter.level);
    }).map(function (q) { return q.id; });
    var dueReviews = [];
    var learningAhead = [];
    var fresh = [];
    ids.forEach(function (id) {
      var entry = store.cards[id];
      if (!entry || (!entry.known && (!entry.card || entry.card.state === 0))) {
        if (!entry || !entry.known) fresh.push(id);
        return;
      }
      if (!isDue(id, store, at)) return;
      if (Date.parse(entry.card.due) <= at.getTime()) dueReviews.push(id); else learningAhead.push(id);
    });
    dueReviews.sort(function (a, b) { return Date.parse(store.cards[a].card.due) - Date.parse(store.cards[b].card.due); });
    learningAhead.sort(function (a, b) { return Date.parse(store.cards[a].card.due) - Date.parse(store.cards[b].card.due); });
    var limit = filter.newPerDay === "all" ? Infinity : parseInt(filter.newPerDay, 10) || 0;
    var today = at.toDateString();
    var introducedToday = Object.keys(store.cards).filter(function (id) { return firstReviewDay(store.cards[id]) === today; }).length;
    var newSlots = Math.max(0, limit - introducedToday);
    return { ids: ids, queue: dueReviews.concat(fresh.slice(0, newSlots), learningAhead), newShown: Math.min(newSlots, fresh.length),
      newTotal: fresh.length, introducedToday: introducedToday };
  }

  function initReview(app) {
    var state = { filter: settings(), queue: [], pos: 0, active: true, rated: 0 };
    app.textContent = "";
    var filters = el("form", { "class": "rv-filters", "aria-label": "Filter the review" });
    filters.appendChild(select("topic", "Topic", topicOptions("All topics"), state.filter.topic));
    filters.appendChild(select("level", "Level", levelOptions("All levels"), state.filter.level));
    filters.appendChild(select("newPerDay", "New cards per day",
      [["0", "None"], ["10", "10"], ["20", "20"], ["30", "30"], ["all", "All"]], state.filter.newPerDay));
    filters.addEventListener("submit", function (e) { e.preventDefault(); });
    filters.addEventListener("change", function () {
      state.filter = { topic: filters.topic.value, level: filters.level.value, newPerDay: filters.newPerDay.value };
      save(SETTINGS_KEY, state.filter);
      state.pos = 0;
      state.active = true;
      refresh(true);
    });
    var countsBox = el("div", { "class": "rv-summary", "aria-live": "polite" });
    var stageWrap = el("div", { "class": "rv-stage-wrap" });
    var queueBox = el("details", { "class": "rv-queue" });
    var dataBox = el("section", { "class": "rv-data", "aria-labelledby": "rv-data-title" });
    app.appendChild(filters);
    app.appendChild(countsBox);
    app.appendChild(stageWrap);
    app.appendChild(queueBox);
    app.appendChild(dataBox);

    var stage = new Stage(app, {
      rate: function (id, r) {
        rate(id, r);
        state.rated += 1;
        refresh(false, id);
        stage.focus();
      },
      move: function (step) { go(state.pos + step); }
    });
    app.rvStage = stage;
    app.rvKeys = {
      reveal: function () { if (state.active) stage.reveal(); },
      rate: function (i) { if (state.active && stage.revealed) stage.handlers.rate(stage.id, RATINGS[i]); },
      move: function (step) { if (state.active) go(state.pos + step); },
      leave: function () { if (state.active) { state.active = false; refresh(false); } }
    };

    function go(pos) {
      if (!state.queue.length) return;
      state.pos = (pos + state.queue.length) % state.queue.length;
      render();
      stage.focus();
    }

    // After a rating the card leaves the queue (or moves to its end if it is due again within the
    // learn-ahead window); the next card takes its place.
    function refresh(resetPos, ratedId) {
      var store = readStore();
      var at = now();
      var q = reviewQueue(state.filter, store, at);
      if (ratedId) {
        var oldPos = state.pos;
        state.queue = q.queue.filter(function (id) { return id !== ratedId; });
        if (q.queue.indexOf(ratedId) >= 0) state.queue.push(ratedId);
        state.pos = Math.min(oldPos, Math.max(0, state.queue.length - 1));
        if (state.queue[state.pos] === ratedId && state.queue.length > 1) state.pos = 0;
      } else {
        var current = state.queue[state.pos];
        state.queue = q.queue;
        state.pos = resetPos ? 0 : Math.max(0, state.queue.indexOf(current));
      }
      state.info = q;
      render();
    }

    function render() {
      var store = readStore();
      var at = now();
      var q = state.info;
      var c = counts(q.ids, store, at);
      countsBox.textContent = "";
      countsBox.appendChild(countsLine(c));
      countsBox.appendChild(progressBar(c, "Progress in this selection"));
      stageWrap.textContent = "";
      if (!state.active) {
        var done = el("div", { "class": "rv-done" });
        done.appendChild(el("p", null, "Session ended: " + plural(state.rated, "card") + " rated. " +
          plural(state.queue.length, "card") + " still in the queue."));
        var resume = el("button", { type: "button", "class": "rv-btn rv-btn--primary" }, "Resume review");
        resume.addEventListener("click", function () { state.active = true; refresh(false); stage.focus(); });
        done.appendChild(resume);
        stageWrap.appendChild(done);
      } else if (!state.queue.length) {
        var none = el("div", { "class": "rv-done" });
        var next = nextDue(q.ids, store);
        none.appendChild(el("p", null, "Nothing is due now" + (state.rated ? " — " + plural(state.rated, "card") + " rated this session" : "") + "." +
          (next ? " The next card is due in " + formatInterval(next - at.getTime()) + "." : "") +
          (q.newTotal && !q.newShown ? " New cards for today are used up (" + q.introducedToday + " started today): raise New cards per day to go on." : "")));
        stageWrap.appendChild(none);
      } else {
        stage.show(state.queue[state.pos], state.pos + 1, state.queue.length);
        stageWrap.appendChild(stage.node);
      }
      renderQueue(queueBox, state, store, at);
    }

    refresh(true);
    renderData(dataBox, function () { refresh(false); });
  }

  function nextDue(ids, store) {
    var best = null;
    ids.forEach(function (id) {
      var e = store.cards[id];
      if (!e || e.known || !e.card || e.card.state === 0) return;
      var d = Date.parse(e.card.due);
      if (best === null || d < best) best = d;
    });
    return best;
  }

  function renderQueue(box, state, store, at) {
    var open = box.open;
    box.textContent = "";
    var info = state.info;
    var reviews = state.queue.filter(function (id) { return store.cards[id] && store.cards[id].card; }).length;
    box.appendChild(el("summary", null, "Queue: " + plural(state.queue.length, "card") + " (" + reviews + " due, " +
      (state.queue.length - reviews) + " new" + (info.newTotal > info.newShown ? "; " + info.newTotal + " not started yet" : "") + ")"));
    var list = el("ol", { "class": "rv-queue__list" });
    state.queue.forEach(function (id, i) {
      var q = BY_ID[id];
      var li = el("li", { "data-due-qid": id });
      if (i === state.pos && state.active) li.setAttribute("aria-current", "true");
      li.appendChild(el("a", { href: siteUrl(q.permalink) }, q.title));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(statusChip(id, store, at));
      list.appendChild(li);
    });
    box.appendChild(list);
    box.open = open;
  }

  /* ---- quiz ---- */

  function shuffle(items) {
    for (var i = items.length - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1));
      var t = items[i]; items[i] = items[j]; items[j] = t;
    }
    return items;
  }

  function checkboxes(legend, name, options) {
    var set = el("fieldset", { "class": "rv-checks" });
    set.appendChild(el("legend", null, legend));
    if (options.length > 3) {
      var bulk = el("div", { "class": "rv-checks__bulk" });
      [["Select all", true], ["Clear all", false]].forEach(function (b) {
        var button = el("button", { type: "button", "class": "rv-btn", "aria-label": b[0] + " " + legend.toLowerCase() }, b[0]);
        button.addEventListener("click", function () {
          set.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = b[1]; });
        });
        bulk.appendChild(button);
      });
      set.appendChild(bulk);
    }
    options.forEach(function (o) {
      var label = el("label", { "class": "rv-check" });
      var box = el("input", { type: "checkbox", name: name, value: o[0] });
      box.checked = true;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + o[1]));
      set.appendChild(label);
    });
    return set;
  }

  var stopQuizTimer = null; // a running quiz timer, stopped when instant navigation leaves the page

  function initQuiz(app) {
    var state = { ids: [], pos: 0, results: {}, active: false, timer: null, deadline: 0 };
    app.textContent = "";
    var setup = el("form", { "class": "rv-quiz-setup", "aria-label": "Set up a quiz" });
    setup.appendChild(checkboxes("Topics", "topic", DATA.topics.map(function (t) { return [t.slug, t.title]; })));
    setup.appendChild(checkboxes("Levels", "level", DATA.levels.map(function (l) { return [l, LEVEL_LABELS[l] || l]; })));
    var row = el("div", { "class": "rv-filters" });
    row.appendChild(select("count", "Questions", [["5", "5"], ["10", "10"], ["20", "20"], ["all", "All"]], "10"));
    row.appendChild(select("seconds", "Time per question", [["0", "No timer"], ["30", "30 s"], ["60", "1 min"], ["120", "2 min"]], "0"));
    setup.appendChild(row);
    var start = el("button", { type: "submit", "class": "rv-btn rv-btn--primary" }, "Start the quiz");
    setup.appendChild(start);
    var message = el("p", { "class": "rv-message", role: "status" });
    setup.appendChild(message);
    var stageWrap = el("div", { "class": "rv-stage-wrap" });
    app.appendChild(setup);
    app.appendChild(stageWrap);

    var timerNode = el("p", { "class": "rv-timer", role: "timer", "aria-live": "off" });
    var stage = new Stage(app, {
      rate: function (id, r) {
        rate(id, r);
        state.results[id] = RATING_LABELS[r];
        go(state.pos + 1);
      },
      move: function (step) { go(state.pos + step); },
      extraButtons: function (moves, id) {
        var known = el("button", { type: "button", "class": "rv-btn", "data-known": id }, "Mark as known");
        known.addEventListener("click", function () {
          markKnown(id);
          state.results[id] = "Marked as known";
          go(state.pos + 1);
        });
        moves.appendChild(known);
      }
    });
    app.rvStage = stage;
    app.rvKeys = {
      reveal: function () { if (state.active) stage.reveal(); },
      rate: function (i) { if (state.active && stage.revealed) stage.handlers.rate(stage.id, RATINGS[i]); },
      move: function (step) { if (state.active) go(state.pos + step); },
      leave: function () { if (state.active) finish(); }
    };

    setup.addEventListener("submit", function (e) {
      e.preventDefault();
      var topics = Array.prototype.filter.call(setup.querySelectorAll("input[name=topic]"), function (b) { return b.checked; }).map(function (b) { return b.value; });
      var levels = Array.prototype.filter.call(setup.querySelectorAll("input[name=level]"), function (b) { return b.checked; }).map(function (b) { return b.value; });
      var pool = DATA.questions.filter(function (q) { return topics.indexOf(q.topic) >= 0 && levels.indexOf(q.level) >= 0; })
        .map(function (q) { return q.id; });
      if (!pool.length) { message.textContent = "No questions match: choose at least one topic and one level."; return; }
      message.textContent = "";
      var n = setup.count.value === "all" ? pool.length : Math.min(pool.length, parseInt(setup.count.value, 10));
      state.ids = shuffle(pool).slice(0, n);
      state.seconds = parseInt(setup.seconds.value, 10) || 0;
      state.results = {};
      state.active = true;
      setup.hidden = true;
      go(0);
    });

    function stopTimer() { if (state.timer) { clearInterval(state.timer); state.timer = null; } }
    stopQuizTimer = stopTimer;

    function tick() {
      var left = Math.max(0, Math.ceil((state.deadline - Date.now()) / 1000));
      timerNode.textContent = left ? "Time left: " + left + " s" : "Time is up: reveal and rate.";
      timerNode.classList.toggle("rv-timer--up", !left);
      if (!left) { stopTimer(); stage.reveal(); }
    }

    function go(pos) {
      stopTimer();
      if (pos >= state.ids.length) { finish(); return; }
      state.pos = Math.max(0, pos);
      stageWrap.textContent = "";
      stage.show(state.ids[state.pos], state.pos + 1, state.ids.length, state.seconds ? timerNode : null);
      stageWrap.appendChild(stage.node);
      if (state.seconds) {
        state.deadline = Date.now() + state.seconds * 1000;
        tick();
        state.timer = setInterval(tick, 250);
      }
      stage.focus();
    }

    function finish() {
      stopTimer();
      state.active = false;
      stageWrap.textContent = "";
      var done = el("section", { "class": "rv-done", "aria-labelledby": "rv-quiz-done", tabindex: "-1" });
      done.appendChild(el("h2", { id: "rv-quiz-done" }, "Quiz finished"));
      var list = el("ul");
      state.ids.forEach(function (id) {
        var li = el("li");
        li.appendChild(el("a", { href: siteUrl(BY_ID[id].permalink) }, BY_ID[id].title));
        li.appendChild(document.createTextNode(" — " + (state.results[id] || "not rated")));
        list.appendChild(li);
      });
      done.appendChild(list);
      var again = el("button", { type: "button", "class": "rv-btn rv-btn--primary" }, "New quiz");
      again.addEventListener("click", function () { stageWrap.textContent = ""; setup.hidden = false; start.focus(); });
      done.appendChild(again);
      stageWrap.appendChild(done);
      done.focus();
    }
  }

  /* --------------------------------- export / import --------------------------------- */

  function exportJson() {
    var store = readStore();
    return JSON.stringify({
      format: EXPORT_FORMAT,
      version: 1,
      exported: now().toISOString(),
      scheduler: SCHED,
      cards: store.cards,
      plan: load(PLAN_KEY, {})
    }, null, 1);
  }

  // Merge an export into this browser: per question the copy with the later `updated` wins; plan
  // ticks this browser does not have are added. Returns a sentence for the reader.
  function importJson(text) {
    var data;
    try { data = JSON.parse(text); } catch (err) { throw new Error("this file is not JSON"); }
    if (!data || data.format !== EXPORT_FORMAT || typeof data.cards !== "object" || !data.cards) {
      throw new Error("this file is not a progress export from this site");
    }
    var store = readStore();
    var taken = 0, kept = 0, skipped = 0;
    Object.keys(data.cards).forEach(function (raw) {
      var entry = data.cards[raw];
      if (!validEntry(entry)) { skipped += 1; return; }
      var id = DATA.aliases[raw] || raw;
      var winner = newer(store.cards[id], entry);
      if (winner === entry && winner !== store.cards[id]) { store.cards[id] = entry; taken += 1; } else kept += 1;
    });
    writeStore(store);
    var plan = load(PLAN_KEY, {});
    if (data.plan && typeof data.plan === "object") {
      Object.keys(data.plan).forEach(function (k) { if (!(k in plan)) plan[k] = !!data.plan[k]; });
      save(PLAN_KEY, plan);
    }
    return "Imported: " + plural(taken, "card") + " updated from the file, " + kept + " kept from this browser (newer or the same)" +
      (skipped ? ", " + skipped + " unreadable entries skipped" : "") + ".";
  }

  function renderData(box, after) {
    box.textContent = "";
    box.appendChild(el("h2", { id: "rv-data-title" }, "Your progress data"));
    box.appendChild(el("p", null, "Progress is stored in this browser only. Export it to a file to keep a copy or to " +
      "continue in another browser; importing merges it card by card, keeping whichever copy was reviewed last."));
    var row = el("div", { "class": "rv-data__row" });
    var exp = el("button", { type: "button", "class": "rv-btn", "data-action": "export" }, "Export progress");
    var status = el("p", { "class": "rv-message", role: "status" });
    exp.addEventListener("click", function () {
      var blob = new Blob([exportJson()], { type: "application/json" });
      var a = el("a", { href: URL.createObjectURL(blob), download: "study-progress-" + now().toISOString().slice(0, 10) + ".json" });
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      status.textContent = "Exported " + plural(Object.keys(readStore().cards).length, "card") + ".";
    });
    var label = el("label", { "class": "rv-btn rv-file" });
    label.appendChild(document.createTextNode("Import progress"));
    var input = el("input", { type: "file", accept: "application/json,.json", "data-action": "import", "class": "rv-file__input" });
    label.appendChild(input);
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        try { status.textContent = importJson(String(reader.result)); }
        catch (err) { status.textContent = "Not imported: " + err.message + "."; }
        input.value = "";
        after();
        renderRemoved(box);
      };
      reader.readAsText(file);
    });
    row.appendChild(exp);
    row.appendChild(label);
    box.appendChild(row);
    box.appendChild(status);
    renderRemoved(box);
  }

  function renderRemoved(box) {
    var old = box.querySelector(".rv-removed");
    if (old) old.remove();
    var store = readStore();
    var gone = Object.keys(store.cards).filter(function (id) { return !BY_ID[id]; });
    if (!gone.length) return;
    var section = el("div", { "class": "rv-removed" });
    section.appendChild(el("p", null, plural(gone.length, "saved card") + " belong to questions this site no longer has. " +
      "They are kept (an export includes them) but never scheduled:"));
    var list = el("ul");
    gone.forEach(function (id) {
      var li = el("li", { "data-removed-qid": id });
      li.appendChild(el("code", null, id));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", { "class": "rv-chip rv-chip--removed" }, "Removed"));
      list.appendChild(li);
    });
    section.appendChild(list);
    var drop = el("button", { type: "button", "class": "rv-btn" }, "Forget removed cards");
    drop.addEventListener("click", function () { forget(gone); renderRemoved(box); });
    section.appendChild(drop);
    box.appendChild(section);
  }

  /* ------------------------------------- wiring ------------------------------------- */

  function onPage() {
    if (stopQuizTimer) stopQuizTimer();
    initTopicPage();
    initTopicsIndex();
    initPlan();
    var app = document.querySelector(".rv-app");
    if (app && !app.hasAttribute("data-ready")) {
      app.setAttribute("data-ready", "");
      if (!scheduler) {
        app.appendChild(el("p", { "class": "rv-message" }, "The scheduler did not load; reload the page."));
        return;
      }
      if (app.getAttribute("data-mode") === "quiz") initQuiz(app);
      else {
        var topic = new URLSearchParams(location.search).get("topic");
        if (topic && TOPICS[topic]) {
          var s = settings();
          s.topic = topic;
          save(SETTINGS_KEY, s);
        }
        initReview(app);
      }
    }
  }

  // Keyboard on the review and quiz pages: Space reveal, 1–4 rate, J/K or arrows move, Esc leave.
  document.addEventListener("keydown", function (event) {
    var app = document.querySelector(".rv-app[data-ready]");
    if (!app || !app.rvKeys || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    var search = document.querySelector("[data-md-toggle=search]");
    if (search && search.checked) return;
    var onControl = event.target.closest && event.target.closest("button, a, summary, label");
    var key = event.key;
    if (key === " " || key === "Spacebar") {
      if (onControl) return; // a focused button or link keeps its own Space
      event.preventDefault();
      app.rvKeys.reveal();
    } else if (key >= "1" && key <= "4") {
      event.preventDefault();
      app.rvKeys.rate(parseInt(key, 10) - 1);
    } else if (key === "j" || key === "J" || key === "ArrowRight") {
      event.preventDefault();
      app.rvKeys.move(1);
    } else if (key === "k" || key === "K" || key === "ArrowLeft") {
      event.preventDefault();
      app.rvKeys.move(-1);
    } else if (key === "Escape") {
      app.rvKeys.leave();
    }
  });

  // Another tab (or the plan page's boxes) changed progress: redraw what this page shows.
  window.addEventListener("storage", function () { renderTopicPage(); initTopicsIndex(); syncPlan(); });

  var seen = false;
  if (window.document$) document$.subscribe(function () { seen = true; onPage(); });
  window.addEventListener("load", function () { if (!seen) onPage(); });

  // For tests and tools: the scheduler settings and the stored state, read-only.
  window.studyReview = {
    settings: SCHED,
    store: function () { return readStore(); },
    exportJson: exportJson,
    importJson: importJson
  };
})();
