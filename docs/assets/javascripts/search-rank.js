/* search-rank.js: the site's search behind Material's own search box (same place, same shortcuts).
 *
 * Over http(s) the questions are searched with Pagefind (site/pagefind/, written by the build hook,
 * hooks/studysite/search.py): one record per question, and a query fetches only the index chunks of its
 * words and the fragments of the results it shows. Nothing is fetched before the search box is first
 * focused. Material's search UI talks to a search worker by messages (SETUP → READY, QUERY → RESULT);
 * this script, loaded in <head> before Material's bundle (overrides/main.html), hands it an in-page
 * object that answers those messages from Pagefind, and answers Material's request for the whole
 * search_index.json with an empty one. Ranking happens before a RESULT is sent, and only the newest
 * query's result is ever sent, so what is shown is always ranked and always for what was typed.
 *
 * Ranking (both modes): questions holding every query word first (words of one or two letters aside),
 * then those with a query word in the title, then the engine's score. Each page's best question is
 * shown, its other hits folded under "N more". With no match for every word, the questions holding
 * most of the words are shown; with none at all, the nearest spellings (shortened words) are tried.
 *
 * `window.__studyMaterialSearch = true` set before this script runs keeps Material's worker over http
 * too (bench/bench_search.py measures both engines on one build that way).
 *
 * From file:// (the offline copy) a page may not fetch index chunks, so Material's own worker runs on
 * its bundled index, and its results are re-ranked by the same rules on the way to the UI.
 * After each result is shown, the result list carries data-study-query="<the query>" (tests wait on it);
 * <html data-study-search="ready"> says Material's worker has built its index.
 */
(function () {
  "use strict";

  var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3; // Material's SearchMessageType
  var SHOWN = 24; // results whose fragments are fetched and shown
  var here = document.currentScript && document.currentScript.src;
  var root = here ? new URL("../../", here).href : null;
  var pagefindMode = !!root && /^https?:$/.test(location.protocol) && !window.__studyMaterialSearch;

  function words(query) {
    var all = query.toLowerCase().split(/[\s]+/).filter(Boolean);
    var long = all.filter(function (w) { return w.replace(/[^\w]/g, "").length > 2; });
    return long.length ? long : all;
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function markWords(text, terms) {
    var parts = terms.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).filter(Boolean);
    var html = escapeHtml(text);
    if (!parts.length) return html;
    return html.replace(new RegExp("\\b(" + parts.join("|") + ")", "gi"), "<mark>$1</mark>");
  }

  function showQuery(query, meta) {
    var list = document.querySelector(".md-search-result__list");
    if (meta) {
      var el = document.querySelector(".md-search-result__meta");
      if (el) el.textContent = meta;
    }
    if (list) list.setAttribute("data-study-query", query);
  }

  /* ---- Pagefind ------------------------------------------------------------------------------ */

  var pagefind = null;
  function load() {
    if (!pagefind) {
      pagefind = import(root + "pagefind/pagefind.js").then(function (pf) {
        return Promise.resolve(pf.options({ basePath: root + "pagefind/", excerptLength: 0 }))
          .then(function () { return pf.init && pf.init(); })
          .then(function () { return pf; });
      });
    }
    return pagefind;
  }

  // every word, then most of the words, then shortened words: [{result, have: {word: bool}}]
  function candidates(pf, query) {
    var terms = words(query);
    return pf.search(terms.join(" ")).then(function (all) {
      var out = all.results.map(function (r) {
        var have = {}; terms.forEach(function (w) { have[w] = true; });
        return { r: r, have: have, n: terms.length };
      });
      if (terms.length < 2 && out.length) return { terms: terms, items: out };
      return Promise.all(terms.map(function (w) { return pf.search(w); })).then(function (each) {
        var seen = {}; out.forEach(function (c) { seen[c.r.id] = c; });
        var partial = {};
        each.forEach(function (res, i) {
          res.results.forEach(function (r) {
            if (seen[r.id]) return;
            var c = partial[r.id] || (partial[r.id] = { r: r, have: {}, n: 0, score: 0 });
            c.have[terms[i]] = true; c.n += 1; c.score += r.score;
          });
        });
        var rest = Object.keys(partial).map(function (k) { return partial[k]; });
        rest.sort(function (a, b) { return b.n - a.n || b.score - a.score; });
        rest.forEach(function (c) { terms.forEach(function (w) { c.have[w] = !!c.have[w]; }); });
        if (out.length || rest.length) return { terms: terms, items: out.concat(rest) };
        return nearest(pf, terms);
      });
    });
  }

  function nearest(pf, terms) {
    var short = terms.filter(function (w) { return w.length > 4; })
      .map(function (w) { return w.slice(0, Math.max(3, w.length - 3)); });
    if (!short.length) return { terms: terms, items: [] };
    return Promise.all(short.map(function (w) { return pf.search(w); })).then(function (each) {
      var seen = {}, items = [];
      each.forEach(function (res) {
        res.results.forEach(function (r) {
          if (seen[r.id]) return;
          seen[r.id] = true;
          var have = {}; terms.forEach(function (w) { have[w] = false; });
          items.push({ r: r, have: have, n: 0 });
        });
      });
      return { terms: terms, items: items, nearest: items.length > 0 };
    });
  }

  // identifier parts: "BCEWithLogitsLoss" → bce, with, logits, loss; "zero_grad" → zero, grad
  function humps(word) {
    return word.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
      .toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  }

  function tokens(text) {
    var out = {};
    String(text).split(/[\s,;:!?()'"“”’]+/).forEach(function (t) {
      if (!t) return;
      out[t.toLowerCase()] = true;
      humps(t).forEach(function (h) { out[h] = true; });
    });
    return Object.keys(out);
  }

  function stemOf(word) {
    var w = word.toLowerCase();
    return w.length > 4 ? w.slice(0, Math.max(4, Math.ceil(w.length * 0.75))) : w;
  }

  function matches(list, word) {
    var w = word.toLowerCase(), stem = stemOf(w);
    return list.some(function (t) { return t.indexOf(stem) === 0 || (t.length > 3 && w.indexOf(t) === 0 && t.length >= stem.length); });
  }

  // how many query words the title holds (an identifier's parts count as a share of one word)
  function titleScore(data, queryWords) {
    var list = tokens((data.meta.title || "") + " " + (data.meta.terms || ""));
    return queryWords.reduce(function (sum, w) {
      if (matches(list, w)) return sum + 1;
      var parts = humps(w);
      if (parts.length < 2) return sum;
      return sum + parts.filter(function (p) { return matches(list, p); }).length / parts.length;
    }, 0);
  }

  // the words of a question's phrasing, not of its subject ("What do you mean by …?")
  var PHRASING = ("a an and are as be by can could do does explain for how i in is it its mean of on or the to " +
    "we what what's when which who why will with you your").split(" ");

  // the title's words that are not query words: fewer is the more specific question
  function titleRest(data, queryWords) {
    return String(data.meta.title || "").toLowerCase().split(/[^a-z0-9_.'’]+/).filter(function (t) {
      return t && PHRASING.indexOf(t) < 0 && !queryWords.some(function (w) { return matches([t], w); });
    }).length;
  }

  function toMaterial(found, datas, queryWords) {
    var ranked = found.items.slice(0, datas.length).map(function (c, i) {
      var title = titleScore(datas[i], queryWords);
      return { c: c, d: datas[i], title: title, len: title ? titleRest(datas[i], queryWords) : 0, order: i };
    });
    // every word first; then most query words in the title; then the fewest other words in the title
    ranked.sort(function (a, b) {
      return b.c.n - a.c.n || b.title - a.title || a.len - b.len || b.c.r.score - a.c.r.score || a.order - b.order;
    });
    var groups = [], byPage = {};
    ranked.forEach(function (x, i) {
      var page = x.d.meta.page;
      var g = byPage[page];
      if (!g) { g = byPage[page] = { page: page, title: x.d.meta.page_title, items: [] }; groups.push(g); }
      x.rank = i; g.items.push(x);
    });
    return groups.map(function (g) {
      var best = g.items[0], top = ranked.length - best.rank + 1;
      var sections = g.items.map(function (x) {
        var sameTier = x.c.n === best.c.n && x.title === best.title;
        return {
          location: x.d.meta.url, title: x.d.meta.title || "",
          text: "<p>" + markWords(x.d.meta.preview || "", found.terms) + "</p>",
          score: sameTier ? top : top - 1 - x.rank / (ranked.length + 1), terms: x.c.have,
        };
      });
      var page = { location: g.page, title: g.title, text: "", score: top, terms: best.c.have };
      return [sections[0], page].concat(sections.slice(1)); // the first score is the fold threshold
    });
  }

  function runQuery(query) {
    if (!query.trim()) return Promise.resolve({ result: { items: [], count: 0 } });
    return load().then(function (pf) {
      return candidates(pf, query).then(function (found) {
        var shown = found.items.slice(0, SHOWN);
        return Promise.all(shown.map(function (c) { return c.r.data(); })).then(function (datas) {
          var items = toMaterial(found, datas, query.split(/\s+/).filter(function (w) {
            return found.terms.indexOf(w.toLowerCase()) >= 0;
          }));
          // Pagefind forgives typos: when no result holds a query word, say these are the nearest
          var exact = datas.some(function (d) {
            var text = String(d.content || "").toLowerCase();
            return found.terms.some(function (w) { return text.indexOf(stemOf(w)) >= 0; });
          });
          return { result: { items: items, count: items.length }, nearest: found.nearest || (datas.length > 0 && !exact) };
        });
      });
    });
  }

  function PagefindWorker() {
    this.listeners = [];
    this.latest = 0;
  }
  PagefindWorker.prototype.addEventListener = function (type, fn) {
    if (type === "message" && this.listeners.indexOf(fn) < 0) this.listeners.push(fn);
  };
  PagefindWorker.prototype.removeEventListener = function (type, fn) {
    this.listeners = this.listeners.filter(function (l) { return l !== fn; });
  };
  PagefindWorker.prototype.emit = function (data) {
    var ev = new MessageEvent("message", { data: data });
    this.listeners.slice().forEach(function (fn) { fn.call(this, ev); }, this);
  };
  PagefindWorker.prototype.postMessage = function (message) {
    var self = this;
    if (!message) return;
    if (message.type === SETUP) {
      Promise.resolve().then(function () { self.emit({ type: READY }); });
    } else if (message.type === QUERY) {
      var ticket = ++self.latest, query = String(message.data || "");
      runQuery(query).then(function (out) {
        if (ticket !== self.latest) return; // a newer query is on its way: never show a stale list
        self.emit({ type: RESULT, data: out.result });
        showQuery(query, out.nearest ? "No question holds these words; the nearest questions:" : null);
      }, function (err) {
        if (ticket !== self.latest) return;
        self.emit({ type: RESULT, data: { items: [], count: 0 } });
        showQuery(query, "Search is unavailable (" + (err && err.message ? err.message : err) + ")");
      });
    }
  };
  PagefindWorker.prototype.terminate = function () { this.listeners = []; };

  function usePagefind() {
    var NativeWorker = window.Worker;
    var isSearchWorker = function (url) { return /\/workers\/search\.[^/]*\.js/.test(String(url)); };
    var Replaced = function (url, options) {
      if (isSearchWorker(url)) return new PagefindWorker();
      return new NativeWorker(url, options);
    };
    Replaced.prototype = NativeWorker.prototype;
    window.Worker = Replaced;
    // Material asks for the whole index (XMLHttpRequest) to hand it to the worker: answer with an empty one
    var open = XMLHttpRequest.prototype.open;
    XMLHttpRequest.prototype.open = function (method, url) {
      var args = Array.prototype.slice.call(arguments);
      if (/\/search\/search_index\.json(\?|$)/.test(String(url))) {
        args[1] = "data:application/json," + encodeURIComponent('{"config":{"lang":["en"],"separator":"[\\\\s]+","pipeline":[]},"docs":[]}');
      }
      return open.apply(this, args);
    };
    // the index is fetched on the first focus of the search box (or the first query), never before
    document.addEventListener("focusin", function (ev) {
      if (ev.target && ev.target.classList && ev.target.classList.contains("md-search__input")) load();
    });
  }

  /* ---- Material's own worker (file://): re-rank its results ----------------------------------- */

  function coverage(item) {
    var terms = item.terms || {};
    var ws = Object.keys(terms).filter(function (w) { return w.length > 2; }); // "at*", "in*" match anything
    if (!ws.length) ws = Object.keys(terms);
    if (!ws.length) return 0;
    return ws.filter(function (w) { return terms[w]; }).length / ws.length;
  }

  function isSection(item) {
    return typeof item.location === "string" && item.location.indexOf("#") !== -1;
  }

  function rerank(groups) {
    // lifting full matches above the best score of all keeps Material's order within each tier
    var lift = 1;
    groups.forEach(function (group) {
      group.forEach(function (item) { lift = Math.max(lift, (item.score || 0) + 1); });
    });
    var ranked = groups.map(function (group) {
      var items = group.map(function (item) {
        var copy = {};
        Object.keys(item).forEach(function (k) { copy[k] = item[k]; });
        if (isSection(item) && coverage(item) >= 1) copy.score = item.score + lift;
        return copy;
      });
      var sections = items.filter(isSection).sort(function (a, b) { return b.score - a.score; });
      var page = items.filter(function (item) { return !isSection(item); });
      var best = sections.length ? sections[0].score : (page[0] ? page[0].score : 0);
      // the best section first: its score is Material's fold threshold, so it is never under "N more"
      page.forEach(function (p) { p.score = Math.max(p.score, best); });
      var out = sections.length ? [sections[0]].concat(page, sections.slice(1)) : page;
      return { items: out, best: best };
    });
    ranked.sort(function (a, b) { return b.best - a.best; }); // stable: ties keep Material's order
    return ranked.map(function (g) { return g.items; });
  }

  function wrap(listener, queries) {
    return function (ev) {
      var data = ev && ev.data;
      if (data && data.type === READY) document.documentElement.setAttribute("data-study-search", "ready");
      if (!data || data.type !== RESULT || !data.data || !Array.isArray(data.data.items)) {
        return listener.call(this, ev);
      }
      var copy = {};
      Object.keys(data.data).forEach(function (k) { copy[k] = data.data[k]; });
      try { copy.items = rerank(data.data.items); } catch (err) { return listener.call(this, ev); }
      var out = listener.call(this, { type: ev.type, data: { type: data.type, data: copy } });
      showQuery(queries.length ? queries.shift() : "", null);
      return out;
    };
  }

  // Each worker instance's own methods are wrapped (the file:// polyfill, iframe-worker.js, defines
  // addEventListener on the instance, so patching Worker.prototype would miss it).
  function patchInstance(worker) {
    var add = worker.addEventListener, remove = worker.removeEventListener, post = worker.postMessage;
    var wrapped = new WeakMap();
    var queries = []; // the worker answers queries in order: the query each result belongs to
    worker.postMessage = function (message) {
      if (message && message.type === QUERY) queries.push(String(message.data || ""));
      return post.apply(this, arguments);
    };
    worker.addEventListener = function (type, listener, options) {
      if (type !== "message" || typeof listener !== "function") return add.call(this, type, listener, options);
      if (!wrapped.has(listener)) wrapped.set(listener, wrap(listener, queries));
      return add.call(this, type, wrapped.get(listener), options);
    };
    worker.removeEventListener = function (type, listener, options) {
      var fn = type === "message" && wrapped.has(listener) ? wrapped.get(listener) : listener;
      return remove.call(this, type, fn, options);
    };
    return worker;
  }

  function patch() {
    var Native = window.Worker;
    if (!Native || Native.__studyRanked) return;
    var Ranked = function (url, options) {
      var worker = new Native(url, options);
      return /\/workers\/search\.[^/]*\.js/.test(String(url)) ? patchInstance(worker) : worker;
    };
    Ranked.prototype = Native.prototype;
    Ranked.__studyRanked = true;
    window.Worker = Ranked;
  }

  if (pagefindMode) usePagefind();
  else patch();
})();
