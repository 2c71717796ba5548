/* study-store.js: the reader's study state and what it means — FSRS cards, plan ticks, card states.
 *
 * Scheduling is ts-fsrs (vendored UMD build, global FSRS; scripts/vendor-ts-fsrs) with the settings the
 * build publishes in STUDY_DATA.scheduler (hooks/studysite/review.py). STUDY_DATA (study-data.js,
 * generated) lists every question (ID, title, topic, level, URLs) in study-plan order, the plan's days
 * and aliases (old ID → survivor).
 *
 * Cards: localStorage "study.fsrs" (through Study.load/save, scoped to the site)
 *   { version: 1, cards: { <question id>: { card: <FSRS card, dates as ISO strings> | null,
 *                                          log: [{ rating: "good", at: ISO }], known: bool,
 *                                          updated: ISO } } }
 * A card missing a field is repaired (replayed from its log, or the field filled in), not dropped; one
 * that cannot be repaired is set aside and reported. Plan ticks: "study.plan" { "<site path>": bool },
 * the keys earlier releases wrote ("q/<id>/"), kept as they are.
 *
 * States, as Anki counts them: New (never rated), Learning (in a learning or relearning step), Young
 * (in review, interval under 21 days), Mature (21 days or more, or marked as known in the quiz).
 */
(function () {
  "use strict";

  var S = window.Study;
  var STORE_KEY = "study.fsrs";
  var PLAN_KEY = "study.plan";
  var SETTINGS_KEY = "study.review.settings";
  var MATURE_DAYS = 21;
  var RATINGS = ["again", "hard", "good", "easy"];
  var RATING_LABELS = { again: "Again", hard: "Hard", good: "Good", easy: "Easy" };
  var STATES = ["new", "learning", "young", "mature"];
  // "New" on every unread card read as "newly added": the chip says what it means for the reader
  var STATE_LABELS = { "new": "Not studied", learning: "Learning", young: "Young", mature: "Mature", removed: "Removed" };
  var LEVEL_LABELS = { basic: "Basic", intermediate: "Intermediate", advanced: "Advanced" };

  var DATA = window.STUDY_DATA || { questions: [], topics: [], aliases: {}, levels: [], scheduler: {}, days: [] };
  DATA.days = DATA.days || [];
  DATA.questions = DATA.questions || [];
  DATA.aliases = DATA.aliases || {};
  var BY_ID = {};
  DATA.questions.forEach(function (q, i) { if (typeof q.order !== "number") q.order = i; BY_ID[q.id] = q; });
  var TOPICS = {};
  DATA.topics.forEach(function (t) { TOPICS[t.slug] = t; });

  /* ------------------------------------ the parts ------------------------------------ */

  // study-data.js holds what is bounded (topics, days, a manifest); the questions are in per-topic parts
  // (DATA.parts.dir + "<topic>-<p>.js") and the aliases in parts found by hashing the old ID
  // ("aliases-<h>.js"), each registering itself with StudyData.push(...) (hooks/studysite/review.py).
  // Before the study scripts set up a page (Study.beforePage), the parts it needs are added as <script>
  // elements (fetch() of a file:// URL is refused in the offline copy): every part on the pages that
  // show the whole site (review, quiz, plan, topics, home), the topic's own on a topic page, and on any
  // page the alias parts of the IDs the reader has saved progress under.
  var PARTS = DATA.parts || null;
  var partState = {}; // script URL → "done", or the callbacks waiting for it
  var unsorted = false;

  function absorb(part) {
    if (!part) return;
    (part.questions || []).forEach(function (q) {
      if (BY_ID[q.id]) return;
      BY_ID[q.id] = q;
      DATA.questions.push(q);
    });
    unsorted = true;
    Object.keys(part.aliases || {}).forEach(function (old) { DATA.aliases[old] = part.aliases[old]; });
    if (part.plan_next) DATA.plan_next = part.plan_next;
  }
  (Array.isArray(window.StudyData) ? window.StudyData : []).forEach(absorb);
  window.StudyData = { push: absorb };

  function aliasPart(id) {
    var h = 0;
    for (var i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0; // alias_bucket() in review.py
    return "aliases-" + (h % PARTS.alias_parts) + ".js";
  }

  function topicParts(slug) {
    var t = TOPICS[slug];
    var out = [];
    for (var p = 0; t && p < (t.parts || 0); p++) out.push(slug + "-" + p + ".js");
    return out;
  }

  function fromPlan() {
    try { return sessionStorage.getItem("study.from-plan"); } catch (err) { return null; } // study.js FROM_PLAN_KEY
  }

  function savedIds() {
    try {
      var saved = JSON.parse(S.asideValue(STORE_KEY) || "{}");
      return saved && saved.cards && typeof saved.cards === "object" ? Object.keys(saved.cards) : [];
    } catch (err) { return []; }
  }

  // The scripts only some pages use (not in mkdocs.yml's extra_javascript: every page would load them),
  // added before the page's handlers run; they register theirs with Study.onPage when they load.
  var PAGE_SCRIPTS = [
    [".rv-app", "review.js"],
    [".study-plan, .study-start", "study-plan.js"],
    // the scheduler, wherever saved cards are read (a card is repaired by replaying its log with it),
    // so not on a page without study widgets nor on home or the topics index before any progress
    [".rv-app, .qa-page, .study-plan, [data-study-progress]", "../vendor/ts-fsrs/index.umd.min.js"]
  ];
  var scriptsDir = document.currentScript ? new URL(".", document.currentScript.src).href : null;

  function scriptsOfPage() {
    return PAGE_SCRIPTS.filter(function (s) { return scriptsDir && document.querySelector(s[0]); }).map(function (s) {
      return new URL(s[1], scriptsDir).href;
    });
  }

  function partsOfPage() {
    var names = [];
    if (!PARTS) return scriptsOfPage();
    // the home page's call to action and the topics index count the questions only once there is
    // progress (study-plan.js, study.js): before, every question is new and the topics' sizes say the rest
    var progress = savedIds().length || /true/.test(S.asideValue(PLAN_KEY) || "");
    var overview = document.querySelector(".study-start, .qa-topics-index");
    if (overview && progress) overview.setAttribute("data-study-progress", "");
    else overview = null;
    var parts = [];
    if (overview || document.querySelector(".rv-app, .study-plan")) {
      DATA.topics.forEach(function (t) { parts = parts.concat(topicParts(t.slug)); });
      for (var h = 0; h < PARTS.alias_parts; h++) parts.push("aliases-" + h + ".js");
    } else {
      var page = document.querySelector(".qa-page[data-topic]");
      if (page) parts = topicParts(page.getAttribute("data-topic"));
      savedIds().forEach(function (id) { parts.push(aliasPart(id)); });
    }
    // "Next in plan" (study.js) on a question opened from the plan: only then its part
    if (PARTS.plan_next && fromPlan()) parts.push(PARTS.plan_next);
    return scriptsOfPage().concat(parts.map(function (name) { return S.siteUrl(PARTS.dir + name); }));
  }

  function settled(name) {
    var waiting = partState[name];
    partState[name] = "done";
    if (Array.isArray(waiting)) waiting.forEach(function (fn) { fn(); });
  }

  // fn() once every part this page needs has loaded (or failed to: the page works with what came)
  function loadParts(fn) {
    var seen = {};
    var names = partsOfPage().filter(function (name) {
      if (seen[name] || partState[name] === "done") return false;
      seen[name] = true;
      return true;
    });
    var left = names.length;
    function one() {
      left -= 1;
      if (left > 0) return;
      if (unsorted) DATA.questions.sort(function (a, b) { return a.order - b.order; }); // plan order
      unsorted = false;
      makeScheduler();
      fn();
    }
    if (!left) { left = 1; return one(); }
    names.forEach(function (name) {
      if (Array.isArray(partState[name])) { partState[name].push(one); return; } // asked for by an earlier view
      partState[name] = [one];
      var script = S.el("script", { src: name });
      script.onload = script.onerror = function () { settled(name); };
      document.head.appendChild(script);
    });
  }
  S.beforePage(loadParts);
  var SCHED = DATA.scheduler || {};
  var LEARN_AHEAD_MS = (SCHED.learn_ahead_minutes || 20) * 60 * 1000;

  // ts-fsrs is one of the page scripts (PAGE_SCRIPTS): the scheduler is made once it has loaded, before
  // any page handler runs (S.store.scheduler is null on a page without it)
  var scheduler = null;
  function makeScheduler() {
    if (scheduler || !window.FSRS) return;
    scheduler = FSRS.fsrs(FSRS.generatorParameters({
      request_retention: SCHED.desired_retention || 0.9,
      maximum_interval: SCHED.maximum_interval_days || 36500,
      enable_fuzz: !!SCHED.fuzz,
      learning_steps: SCHED.learning_steps || ["10m"],
      relearning_steps: SCHED.relearning_steps || ["10m"]
    }));
    S.store.scheduler = scheduler;
  }

  function now() { return new Date(); }
  function isObject(v) { return !!v && typeof v === "object" && !Array.isArray(v); }
  function isNumber(v) { return typeof v === "number" && isFinite(v); }
  function isDate(v) { return typeof v === "string" && !isNaN(Date.parse(v)); }

  /* ------------------------------------ repair ------------------------------------ */

  function replay(log) {
    var card = FSRS.createEmptyCard(new Date(log[0].at));
    log.forEach(function (item) {
      card = scheduler.next(card, new Date(item.at), FSRS.Rating[RATING_LABELS[item.rating]]).card;
    });
    return fromCard(card);
  }

  var CARD_DEFAULTS = { learning_steps: 0, lapses: 0, elapsed_days: 0 };

  // A saved card with a field missing or wrong: replayed from its log when there is one (the log is
  // what the reader did), otherwise the gaps filled from what the card still says.
  function repairCard(c, log) {
    var numbers = ["stability", "difficulty", "reps", "lapses", "scheduled_days", "learning_steps", "elapsed_days"];
    var complete = isDate(c.due) && numbers.every(function (k) { return isNumber(c[k]); }) &&
      [0, 1, 2, 3].indexOf(c.state) >= 0 && (c.last_review === undefined || c.last_review === null || isDate(c.last_review));
    if (complete) return c;
    if (log.length && scheduler) return replay(log);
    if (!isDate(c.due)) return null;
    var out = {};
    Object.keys(c).forEach(function (k) { out[k] = c[k]; });
    if (out.last_review !== undefined && out.last_review !== null && !isDate(out.last_review)) delete out.last_review;
    Object.keys(CARD_DEFAULTS).forEach(function (k) { if (!isNumber(out[k])) out[k] = CARD_DEFAULTS[k]; });
    if (!isNumber(out.reps)) out.reps = 1;
    if (!isNumber(out.scheduled_days)) {
      var from = out.last_review ? Date.parse(out.last_review) : Date.parse(out.due);
      out.scheduled_days = Math.max(0, Math.round((Date.parse(out.due) - from) / 86400000));
    }
    if ([0, 1, 2, 3].indexOf(out.state) < 0) out.state = out.scheduled_days >= 1 ? 2 : 1;
    if (!isNumber(out.stability)) out.stability = Math.max(out.scheduled_days, 0.5);
    if (!isNumber(out.difficulty)) out.difficulty = 5;
    return out;
  }

  // The entry as the scheduler can take it, or null when nothing of it can be read.
  function repairEntry(entry) {
    if (!isObject(entry)) return null;
    var out = {};
    Object.keys(entry).forEach(function (k) { out[k] = entry[k]; });
    out.log = (Array.isArray(entry.log) ? entry.log : []).filter(function (item) {
      return isObject(item) && RATING_LABELS[item.rating] && isDate(item.at);
    });
    if (out.updated !== undefined && !isDate(out.updated)) delete out.updated;
    out.known = !!entry.known;
    if (entry.card === null || entry.card === undefined) { out.card = null; return out; }
    if (!isObject(entry.card)) return out.log.length && scheduler ? (out.card = replay(out.log), out) : null;
    out.card = repairCard(entry.card, out.log);
    return out.card ? out : null;
  }

  function validEntry(entry) { return repairEntry(entry) !== null; }

  /* ------------------------------------- store ------------------------------------- */

  function checkStore(value) {
    if (!isObject(value)) return "not a progress record";
    if (value.version !== undefined && value.version !== 1) return "saved by another version of the site (version " + String(value.version).slice(0, 20) + ")";
    if (Array.isArray(value.cards)) return "cards saved as a list, not by question";
    if (value.cards !== undefined && !isObject(value.cards)) return "cards in an unknown shape";
    return "";
  }

  function newer(a, b) {
    if (!a) return b;
    if (!b) return a;
    return Date.parse(b.updated || 0) > Date.parse(a.updated || 0) ? b : a;
  }

  function readStore() {
    var store = S.load(STORE_KEY, null, checkStore) || { version: 1, cards: {} };
    store.version = 1;
    store.cards = store.cards || {};
    var changed = false;
    Object.keys(store.cards).forEach(function (id) {
      var fixed = repairEntry(store.cards[id]);
      if (!fixed) {
        S.setAsidePart(STORE_KEY, id, store.cards[id], "a saved card that could not be read");
        delete store.cards[id];
        changed = true;
      } else if (JSON.stringify(fixed) !== JSON.stringify(store.cards[id])) {
        store.cards[id] = fixed;
        changed = true;
      }
      var survivor = DATA.aliases[id];
      if (survivor && survivor !== id && store.cards[id]) {
        store.cards[survivor] = newer(store.cards[survivor], store.cards[id]);
        delete store.cards[id];
        changed = true;
      }
    });
    if (changed) S.save(STORE_KEY, store);
    return store;
  }

  function writeStore(store) {
    S.save(STORE_KEY, store);
    S.changed();
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

  function rate(id, rating, at) {
    if (!scheduler) return null;
    at = at || now();
    var store = readStore();
    var entry = store.cards[id] || { card: null, log: [], known: false };
    var card = toCard(entry.card) || FSRS.createEmptyCard(at);
    var result = scheduler.next(card, at, FSRS.Rating[RATING_LABELS[rating]]);
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

  function eraseHistory() {
    S.save(STORE_KEY, { version: 1, cards: {} });
    S.changed();
  }

  /* ------------------------------------ meaning ------------------------------------ */

  // "new" | "learning" | "young" | "mature" (| "removed": a saved card whose question is gone)
  function statusOf(id, store) {
    var entry = store.cards[id];
    if (!BY_ID[id]) return entry ? "removed" : "new";
    if (!entry) return "new";
    if (entry.known) return "mature";
    var c = entry.card;
    if (!c || c.state === 0) return "new";
    if (c.state !== 2) return "learning";
    return c.scheduled_days >= MATURE_DAYS ? "mature" : "young";
  }

  // Young or better: what the study plan counts as done.
  function isLearned(id, store) {
    var s = statusOf(id, store);
    return s === "young" || s === "mature";
  }

  function isDue(id, store, at) {
    var entry = store.cards[id];
    if (!entry || entry.known || !entry.card || entry.card.state === 0) return false;
    var ahead = entry.card.state === 2 ? 0 : LEARN_AHEAD_MS;
    return Date.parse(entry.card.due) - ahead <= at.getTime();
  }

  function counts(ids, store, at) {
    var c = { due: 0, "new": 0, learning: 0, young: 0, mature: 0, total: ids.length };
    ids.forEach(function (id) {
      var s = statusOf(id, store);
      c[s === "removed" ? "new" : s] += 1;
      if (isDue(id, store, at)) c.due += 1;
    });
    return c;
  }

  function statusText(id, store, at) {
    var status = statusOf(id, store);
    var entry = store.cards[id];
    if (status === "new" || status === "removed" || !entry) return STATE_LABELS[status];
    if (entry.known) return "Mature · marked as known";
    if (isDue(id, store, at)) return STATE_LABELS[status] + " · due now";
    return STATE_LABELS[status] + " · next in " + S.formatInterval(Date.parse(entry.card.due) - at.getTime());
  }

  function previews(id, store, at) {
    if (!scheduler) return {};
    var entry = store.cards[id];
    var card = (entry && toCard(entry.card)) || FSRS.createEmptyCard(at);
    var out = {};
    RATINGS.forEach(function (r) {
      var next = scheduler.next(card, at, FSRS.Rating[RATING_LABELS[r]]).card;
      out[r] = S.formatInterval(next.due.getTime() - at.getTime());
    });
    return out;
  }

  function firstReviewDay(entry) {
    return entry && entry.log && entry.log.length ? new Date(entry.log[0].at).toDateString() : null;
  }

  function settings() {
    var s = S.load(SETTINGS_KEY, {}, function (v) { return isObject(v) ? "" : "review settings in an unknown shape"; });
    return {
      topic: typeof s.topic === "string" ? s.topic : "",
      level: typeof s.level === "string" ? s.level : "",
      newPerDay: typeof s.newPerDay === "string" ? s.newPerDay : "20"
    };
  }

  // The review queue: due reviews (oldest first), then new cards in plan order up to today's limit,
  // then learning cards due within the learn-ahead window.
  function reviewQueue(filter, store, at) {
    var ids = DATA.questions.filter(function (q) {
      return (!filter.topic || q.topic === filter.topic) && (!filter.level || q.level === filter.level);
    }).map(function (q) { return q.id; });
    var due = [], ahead = [], fresh = [];
    ids.forEach(function (id) {
      var entry = store.cards[id];
      if (statusOf(id, store) === "new") { fresh.push(id); return; }
      if (!isDue(id, store, at)) return;
      (Date.parse(entry.card.due) <= at.getTime() ? due : ahead).push(id);
    });
    var byDue = function (a, b) { return Date.parse(store.cards[a].card.due) - Date.parse(store.cards[b].card.due); };
    due.sort(byDue);
    ahead.sort(byDue);
    var limit = filter.newPerDay === "all" ? Infinity : parseInt(filter.newPerDay, 10) || 0;
    var today = at.toDateString();
    var introducedToday = Object.keys(store.cards).filter(function (id) { return firstReviewDay(store.cards[id]) === today; }).length;
    var slots = Math.max(0, limit - introducedToday);
    return { ids: ids, queue: due.concat(fresh.slice(0, slots), ahead), newShown: Math.min(slots, fresh.length),
      newTotal: fresh.length, introducedToday: introducedToday, due: due.length + ahead.length };
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

  /* ---------------------------------- plan ticks ---------------------------------- */

  function checkPlan(value) { return isObject(value) ? "" : "plan ticks in an unknown shape"; }
  function readTicks() { return S.load(PLAN_KEY, {}, checkPlan); }
  function writeTicks(ticks) { S.save(PLAN_KEY, ticks); S.changed(); }

  // The plan key of a question: its permalink's path, as earlier releases wrote it.
  function questionKey(id) { return "q/" + id + "/"; }

  // Question id of a plan key ("q/<id>/"), or null for a notebook or text item.
  function keyQuestion(key) {
    var m = /^q\/([^/#]+)\/$/.exec(key);
    if (!m) return null;
    var id = decodeURIComponent(m[1]);
    return DATA.aliases[id] || id;
  }

  function hasProgress() {
    var ticks = readTicks();
    return Object.keys(readStore().cards).length > 0 || Object.keys(ticks).some(function (k) { return ticks[k]; });
  }

  // The plan's day holding a question, or null.
  function dayOf(id) {
    for (var i = 0; i < DATA.days.length; i++) {
      if (DATA.days[i].questions.indexOf(id) >= 0) return { index: i, day: DATA.days[i] };
    }
    return null;
  }

  S.store = {
    DATA: DATA,
    BY_ID: BY_ID,
    TOPICS: TOPICS,
    SCHED: SCHED,
    RATINGS: RATINGS,
    RATING_LABELS: RATING_LABELS,
    STATES: STATES,
    STATE_LABELS: STATE_LABELS,
    LEVEL_LABELS: LEVEL_LABELS,
    STORE_KEY: STORE_KEY,
    PLAN_KEY: PLAN_KEY,
    SETTINGS_KEY: SETTINGS_KEY,
    scheduler: scheduler,
    now: now,
    read: readStore,
    write: writeStore,
    repairEntry: repairEntry,
    validEntry: validEntry,
    newer: newer,
    rate: rate,
    markKnown: markKnown,
    forget: forget,
    eraseHistory: eraseHistory,
    statusOf: statusOf,
    isLearned: isLearned,
    isDue: isDue,
    counts: counts,
    statusText: statusText,
    previews: previews,
    settings: settings,
    reviewQueue: reviewQueue,
    nextDue: nextDue,
    readTicks: readTicks,
    writeTicks: writeTicks,
    questionKey: questionKey,
    keyQuestion: keyQuestion,
    hasProgress: hasProgress,
    dayOf: dayOf
  };
})();
