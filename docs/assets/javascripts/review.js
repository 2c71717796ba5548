/* review.js: the review and quiz pages — one card at a time, the answer revealed on demand, the rating
 * bar kept on screen after the reveal (review.css), keyboard-driven on a desktop (Space, 1–4, J/K, Esc).
 * State and scheduling: study-store.js; views: study-widgets.js; export/import: study-export.js. */
(function () {
  "use strict";

  var S = window.Study;
  var st = S.store;
  var w = S.widgets;
  var el = S.el;

  function isTyping(target) {
    return target && target.closest && target.closest("input, textarea, select, [contenteditable=true]");
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
    return [["", first]].concat(st.DATA.topics.map(function (t) { return [t.slug, t.title]; }));
  }

  function levelOptions(first) {
    return [["", first]].concat(st.DATA.levels.map(function (l) { return [l, st.LEVEL_LABELS[l] || l]; }));
  }

  function button(text, attrs, key) {
    var b = el("button", Object.assign({ type: "button", "class": "rv-btn" }, attrs || {}), text);
    return key ? w.withHint(b, key) : b;
  }

  /* ------------------------------------ answers ------------------------------------ */

  // The answers are not in the page: the build cuts them into scripts of a fixed number of cards
  // (STUDY_DATA.cards.dir + "cards-<k>.js", hooks/studysite/review.py), each registering its cards with
  // StudyCards.push({ chunk: k, cards: { <id>: <answer HTML> } }). A card's chunk is added as a <script>
  // element when the card is shown (fetch() of a file:// URL is refused in the offline copy).
  var answers = {};
  var pending = {}; // chunk → callbacks waiting for it
  var asked = {};   // chunk → its <script> was added

  function absorb(entry) {
    if (!entry || !entry.cards) return;
    Object.keys(entry.cards).forEach(function (id) { answers[id] = entry.cards[id]; });
  }
  (Array.isArray(window.StudyCards) ? window.StudyCards : []).forEach(absorb);
  window.StudyCards = { push: absorb };

  function settle(k) {
    var waiting = pending[k] || [];
    delete pending[k];
    waiting.forEach(function (fn) { fn(); });
  }

  // fn(html) with the card's answer HTML, or fn(null) when the site has none for it
  function answerOf(id, fn) {
    if (Object.prototype.hasOwnProperty.call(answers, id)) return fn(answers[id]);
    var q = st.BY_ID[id];
    var where = st.DATA.cards;
    if (!q || typeof q.card !== "number" || !where) return fn(null);
    var k = q.card;
    (pending[k] = pending[k] || []).push(function () { fn(answers.hasOwnProperty(id) ? answers[id] : null); });
    if (asked[k]) return;
    asked[k] = true;
    var script = el("script", { src: S.siteUrl(where.dir + "cards-" + k + ".js") });
    script.onload = function () { settle(k); };
    script.onerror = function () { asked[k] = false; settle(k); };
    document.head.appendChild(script);
  }

  // A rendered project without the build hook keeps the hidden deck in the review page: use it
  function fromDeck(app, id) {
    var source = app.parentNode.querySelector('.rv-deck .rv-card[data-card-qid="' + id + '"] .rv-card__a');
    return source ? source.innerHTML : null;
  }

  function fillAnswer(node, html) {
    node.textContent = "";
    if (html === null || html === undefined) {
      node.appendChild(el("p", null, "This question is no longer on the site."));
      return;
    }
    node.innerHTML = html; // the build's own rendering of the answer (the page held it before)
    if (window.StudyMath) window.StudyMath.watch();
  }

  /* ------------------------------------ the card ------------------------------------ */

  // The card being studied: question, answer (hidden until revealed), then the rating bar and the
  // actions that only make sense once the answer is seen ("Mark as known"); moving on sits apart.
  function Stage(app, handlers) {
    this.app = app;
    this.handlers = handlers;
    this.node = el("section", { "class": "rv-stage", "aria-label": "Card", tabindex: "-1" });
    this.id = null;
    this.revealed = false;
  }

  Stage.prototype.meta = function (id, position, total, store) {
    var q = st.BY_ID[id];
    var meta = el("p", { "class": "rv-stage__meta" });
    meta.appendChild(el("span", { "class": "rv-stage__pos" }, "Card " + position + " of " + total));
    if (q) {
      var topic = st.TOPICS[q.topic];
      meta.appendChild(el("a", { href: S.siteUrl(topic ? topic.url : q.url) }, topic ? topic.title : q.topic));
      var lc = w.levelChip(q.level);
      if (lc) meta.appendChild(lc);
    }
    meta.appendChild(w.statusChip(id, store, st.now()));
    return meta;
  };

  Stage.prototype.show = function (id, position, total, extra) {
    var node = this.node;
    var self = this;
    this.id = id;
    this.revealed = false;
    node.textContent = "";
    node.setAttribute("data-qid", id);
    var q = st.BY_ID[id];
    var store = st.read();
    node.appendChild(this.meta(id, position, total, store));
    if (extra) node.appendChild(extra);
    node.appendChild(el("h2", { "class": "rv-stage__q", id: "rv-current-q" }, q ? q.title : id));
    node.setAttribute("aria-labelledby", "rv-current-q");
    var answer = el("div", { "class": "rv-stage__a", id: "rv-current-a", hidden: "" });
    var app = this.app;
    var shown = this.shown = {}; // this showing of the card: a late answer for an earlier one is dropped
    answer.appendChild(el("p", { "class": "rv-loading" }, "Loading the answer…"));
    node.appendChild(answer);
    answerOf(id, function (html) {
      if (self.shown === shown) fillAnswer(answer, html === null ? fromDeck(app, id) : html);
    });
    var reveal = button("Show answer", { "class": "rv-btn rv-btn--primary rv-reveal", "aria-controls": "rv-current-a", "aria-expanded": "false" }, "Space");
    reveal.addEventListener("click", function () { self.reveal(); });
    node.appendChild(reveal);
    var after = el("div", { "class": "rv-after", hidden: "" });
    if (this.handlers.afterReveal) this.handlers.afterReveal(after, id);
    node.appendChild(after);
    var rating = w.ratingBar(id, store, function (r) { self.handlers.rate(id, r); }, true);
    rating.hidden = true;
    node.appendChild(rating);
    var moves = el("div", { "class": "rv-moves" });
    var prev = button("Previous", { "data-move": "prev" }, "K");
    var next = button("Skip", { "data-move": "next" }, "J");
    prev.addEventListener("click", function () { self.handlers.move(-1); });
    next.addEventListener("click", function () { self.handlers.move(1); });
    moves.appendChild(prev);
    moves.appendChild(next);
    node.appendChild(moves);
  };

  Stage.prototype.reveal = function () {
    if (!this.id || this.revealed) return;
    this.revealed = true;
    this.node.querySelector(".rv-stage__a").hidden = false;
    this.node.querySelector(".rv-after").hidden = false;
    var b = this.node.querySelector(".rv-reveal");
    b.setAttribute("aria-expanded", "true");
    b.hidden = true;
    var rating = this.node.querySelector(".rv-rate");
    rating.hidden = false;
    var good = rating.querySelector('[data-rating="good"]');
    if (good) good.focus({ preventScroll: true });
  };

  Stage.prototype.focus = function () { this.node.focus({ preventScroll: false }); };

  /* ------------------------------------- review ------------------------------------- */

  function initReview(app) {
    var state = { filter: st.settings(), queue: [], pos: 0, active: true, rated: 0 };
    app.textContent = "";
    var filters = el("form", { "class": "rv-filters", "aria-label": "Filter the review" });
    filters.appendChild(select("topic", "Topic", topicOptions("All topics"), state.filter.topic));
    filters.appendChild(select("level", "Level", levelOptions("All levels"), state.filter.level));
    filters.appendChild(select("newPerDay", "New cards per day", [["0", "None"], ["10", "10"], ["20", "20"], ["30", "30"], ["all", "All"]], state.filter.newPerDay));
    filters.addEventListener("submit", function (e) { e.preventDefault(); });
    filters.addEventListener("change", function () {
      state.filter = { topic: filters.topic.value, level: filters.level.value, newPerDay: filters.newPerDay.value };
      S.save(st.SETTINGS_KEY, state.filter);
      state.pos = 0;
      state.active = true;
      refresh(true);
    });
    var countsBox = el("div", { "class": "rv-summary", "aria-live": "polite" });
    var stageWrap = el("div", { "class": "rv-stage-wrap" });
    var queueBox = el("details", { "class": "rv-queue" });
    var dataBox = el("section", { "class": "rv-data", "aria-labelledby": "rv-data-title" });
    [filters, countsBox, stageWrap, queueBox, dataBox].forEach(function (n) { app.appendChild(n); });

    var stage = new Stage(app, {
      rate: function (id, r) { st.rate(id, r); state.rated += 1; refresh(false, id); stage.focus(); },
      move: function (step) { go(state.pos + step); }
    });
    app.rvKeys = {
      reveal: function () { if (state.active) stage.reveal(); },
      rate: function (i) { if (state.active && stage.revealed) stage.handlers.rate(stage.id, st.RATINGS[i]); },
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
      var q = st.reviewQueue(state.filter, st.read(), st.now());
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
      var store = st.read();
      var at = st.now();
      var q = state.info;
      var c = st.counts(q.ids, store, at);
      countsBox.textContent = "";
      countsBox.appendChild(w.countsLine(c));
      countsBox.appendChild(w.progressBar(c, "Progress in this selection"));
      stageWrap.textContent = "";
      if (!state.active) stageWrap.appendChild(ended());
      else if (!state.queue.length) stageWrap.appendChild(nothingDue(q, store, at));
      else {
        stage.show(state.queue[state.pos], state.pos + 1, state.queue.length);
        stageWrap.appendChild(stage.node);
      }
      renderQueue(queueBox, state, store, at);
    }

    function ended() {
      var done = el("div", { "class": "rv-done" });
      done.appendChild(el("p", null, "Session ended: " + S.plural(state.rated, "card") + " rated. " + S.plural(state.queue.length, "card") + " still in the queue."));
      var resume = el("button", { type: "button", "class": "rv-btn rv-btn--primary" }, "Resume review");
      resume.addEventListener("click", function () { state.active = true; refresh(false); stage.focus(); });
      done.appendChild(resume);
      return done;
    }

    function nothingDue(q, store, at) {
      var none = el("div", { "class": "rv-done" });
      var next = st.nextDue(q.ids, store);
      none.appendChild(el("p", null, "Nothing is due now" + (state.rated ? " \u2014 " + S.plural(state.rated, "card") + " rated this session" : "") + "." +
        (next ? " The next card is due in " + S.formatInterval(next - at.getTime()) + "." : "") +
        (q.newTotal && !q.newShown ? " New cards for today are used up (" + q.introducedToday + " started today): raise New cards per day to go on." : "")));
      return none;
    }

    refresh(true);
    S.data.renderData(dataBox, function () { refresh(false); });
  }

  function renderQueue(box, state, store, at) {
    var open = box.open;
    box.textContent = "";
    var info = state.info;
    var reviews = state.queue.filter(function (id) { return store.cards[id] && store.cards[id].card; }).length;
    box.appendChild(el("summary", null, "Queue: " + S.plural(state.queue.length, "card") + " (" + reviews + " due, " +
      (state.queue.length - reviews) + " new" + (info.newTotal > info.newShown ? "; " + info.newTotal + " not started yet" : "") + ")"));
    var list = el("ol", { "class": "rv-queue__list" });
    state.queue.forEach(function (id, i) {
      var q = st.BY_ID[id];
      var li = el("li", { "data-due-qid": id });
      if (i === state.pos && state.active) li.setAttribute("aria-current", "true");
      li.appendChild(el("a", { href: S.siteUrl(q.permalink) }, q.title));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(w.statusChip(id, store, at));
      list.appendChild(li);
    });
    box.appendChild(list);
    box.open = open;
  }

  /* -------------------------------------- quiz -------------------------------------- */

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
        var btn = button(b[0], { "aria-label": b[0] + " " + legend.toLowerCase() });
        btn.addEventListener("click", function () {
          set.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = b[1]; });
        });
        bulk.appendChild(btn);
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

  function checked(form, name) {
    return Array.prototype.filter.call(form.querySelectorAll("input[name=" + name + "]"), function (b) { return b.checked; })
      .map(function (b) { return b.value; });
  }

  var RECALLED = { good: true, easy: true };
  var stopQuizTimer = null; // a running quiz timer, stopped when instant navigation leaves the page

  function quizSetup() {
    var setup = el("form", { "class": "rv-quiz-setup", "aria-label": "Set up a quiz" });
    setup.appendChild(checkboxes("Topics", "topic", st.DATA.topics.map(function (t) { return [t.slug, t.title]; })));
    setup.appendChild(checkboxes("Levels", "level", st.DATA.levels.map(function (l) { return [l, st.LEVEL_LABELS[l] || l]; })));
    var row = el("div", { "class": "rv-filters" });
    row.appendChild(select("count", "Questions", [["5", "5"], ["10", "10"], ["20", "20"], ["all", "All"]], "10"));
    row.appendChild(select("seconds", "Time per question", [["0", "No timer"], ["30", "30 s"], ["60", "1 min"], ["120", "2 min"]], "0"));
    setup.appendChild(row);
    setup.appendChild(el("button", { type: "submit", "class": "rv-btn rv-btn--primary rv-quiz-start" }, "Start the quiz"));
    setup.appendChild(el("p", { "class": "rv-message", role: "status" }));
    return setup;
  }

  function initQuiz(app) {
    var state = { ids: [], pos: 0, results: {}, active: false, timer: null, deadline: 0, started: 0 };
    app.textContent = "";
    var setup = quizSetup();
    var message = setup.querySelector(".rv-message");
    var stageWrap = el("div", { "class": "rv-stage-wrap" });
    app.appendChild(setup);
    app.appendChild(stageWrap);
    var timerNode = el("p", { "class": "rv-timer", role: "timer", "aria-live": "off" });
    var stage = new Stage(app, {
      rate: function (id, r) { st.rate(id, r); state.results[id] = r; go(state.pos + 1); },
      move: function (step) { go(state.pos + step); },
      // retiring a card is a decision about the answer: offered only once it is shown, apart from Skip
      afterReveal: function (box, id) {
        var known = button("Mark as known (retire from review)", { "class": "rv-btn rv-btn--quiet", "data-known": id });
        known.addEventListener("click", function () { st.markKnown(id); state.results[id] = "known"; go(state.pos + 1); });
        box.appendChild(known);
      }
    });
    app.rvKeys = {
      reveal: function () { if (state.active) stage.reveal(); },
      rate: function (i) { if (state.active && stage.revealed) stage.handlers.rate(stage.id, st.RATINGS[i]); },
      move: function (step) { if (state.active) go(state.pos + step); },
      leave: function () { if (state.active) finish(); }
    };

    function start(ids) {
      state.ids = ids;
      state.seconds = parseInt(setup.seconds.value, 10) || 0;
      state.results = {};
      state.active = true;
      state.started = Date.now();
      setup.hidden = true;
      go(0);
    }

    setup.addEventListener("submit", function (e) {
      e.preventDefault();
      var topics = checked(setup, "topic");
      var levels = checked(setup, "level");
      var pool = st.DATA.questions.filter(function (q) { return topics.indexOf(q.topic) >= 0 && levels.indexOf(q.level) >= 0; })
        .map(function (q) { return q.id; });
      if (!pool.length) { message.textContent = "No questions match: choose at least one topic and one level."; return; }
      message.textContent = "";
      var n = setup.count.value === "all" ? pool.length : Math.min(pool.length, parseInt(setup.count.value, 10));
      start(shuffle(pool).slice(0, n));
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

    function resultText(r) {
      if (r === "known") return "marked as known";
      return r ? "rated " + st.RATING_LABELS[r] : "not rated";
    }

    function finish() {
      stopTimer();
      state.active = false;
      stageWrap.textContent = "";
      var secs = Math.round((Date.now() - state.started) / 1000);
      var recalled = state.ids.filter(function (id) { return RECALLED[state.results[id]] || state.results[id] === "known"; });
      var missed = state.ids.filter(function (id) { return recalled.indexOf(id) < 0; });
      var done = el("section", { "class": "rv-done", "aria-labelledby": "rv-quiz-done", tabindex: "-1" });
      done.appendChild(el("h2", { id: "rv-quiz-done" }, "Quiz finished"));
      done.appendChild(el("p", { "class": "rv-score", "data-score": recalled.length + "/" + state.ids.length },
        "Score: " + recalled.length + " of " + state.ids.length + " recalled (Good or Easy) \u00b7 time " +
        Math.floor(secs / 60) + " min " + (secs % 60) + " s"));
      var list = el("ul");
      state.ids.forEach(function (id) {
        var li = el("li", { "data-result": state.results[id] || "none" });
        li.appendChild(el("a", { href: S.siteUrl(st.BY_ID[id].permalink) }, st.BY_ID[id].title));
        li.appendChild(document.createTextNode(" \u2014 " + resultText(state.results[id])));
        list.appendChild(li);
      });
      done.appendChild(list);
      var row = el("div", { "class": "rv-data__row" });
      if (missed.length) {
        var retry = el("button", { type: "button", "class": "rv-btn rv-btn--primary", "data-action": "retry-missed" }, "Retry the " + S.plural(missed.length, "missed question"));
        retry.addEventListener("click", function () { start(shuffle(missed.slice())); });
        row.appendChild(retry);
      }
      var again = el("button", { type: "button", "class": "rv-btn", "data-action": "new-quiz" }, "New quiz");
      again.addEventListener("click", function () { stageWrap.textContent = ""; setup.hidden = false; setup.querySelector(".rv-quiz-start").focus(); });
      row.appendChild(again);
      done.appendChild(row);
      stageWrap.appendChild(done);
      done.focus();
    }
  }

  /* ------------------------------------- wiring ------------------------------------- */

  S.onPage(function () {
    if (stopQuizTimer) stopQuizTimer();
    var app = document.querySelector(".rv-app");
    if (!app || app.hasAttribute("data-ready")) return;
    app.setAttribute("data-ready", "");
    if (!st.scheduler) {
      app.appendChild(el("p", { "class": "rv-message" }, "The scheduler did not load; reload the page."));
      return;
    }
    if (app.getAttribute("data-mode") === "quiz") { initQuiz(app); return; }
    var topic = new URLSearchParams(location.search).get("topic");
    if (topic && st.TOPICS[topic]) {
      var s = st.settings();
      s.topic = topic;
      S.save(st.SETTINGS_KEY, s);
    }
    initReview(app);
  });

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
})();
