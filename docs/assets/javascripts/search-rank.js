/* search-rank.js: put the questions that hold every word of a query first.
 *
 * Material's search ORs the query's words (each with a trailing wildcard) and weighs a title match
 * 1000:1 over the text, so for "dropout at inference" a question with "dropout" in its title beats
 * the question whose answer has both "dropout" and "inference". Material's worker reports, for each
 * result, which query words it holds (`terms`); this re-ranks on that: sections holding every word
 * (words of one or two letters aside: with the wildcard they match almost anything) come first,
 * each group of results in Material's own order. Groups (one per page) follow their best result.
 *
 * Loaded in <head> (overrides/main.html), before Material's bundle creates the search worker: it
 * wraps the worker's "message" listeners, so it needs no change to Material itself. Without it (or
 * if Material changes its message format) search works exactly as before.
 */
(function () {
  "use strict";

  var RESULT = 3; // Material's SearchMessageType.RESULT

  function coverage(item) {
    var terms = item.terms || {};
    var words = Object.keys(terms).filter(function (w) { return w.length > 2; }); // "at*", "in*" match anything
    if (!words.length) words = Object.keys(terms);
    if (!words.length) return 0;
    return words.filter(function (w) { return terms[w]; }).length / words.length;
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
        if (!isSection(item) || coverage(item) < 1) return item;
        var copy = {};
        Object.keys(item).forEach(function (k) { copy[k] = item[k]; });
        copy.score = item.score + lift;
        return copy;
      });
      // sections by score (Material's renderer expects that); the page entry keeps its place
      var sections = items.filter(isSection).sort(function (a, b) { return b.score - a.score; });
      var out = [], k = 0;
      items.forEach(function (item) { out.push(isSection(item) ? sections[k++] : item); });
      var best = out.reduce(function (m, item) { return Math.max(m, item.score || 0); }, 0);
      return { items: out, best: best };
    });
    ranked.sort(function (a, b) { return b.best - a.best; }); // stable: ties keep Material's order
    return ranked.map(function (g) { return g.items; });
  }

  function wrap(listener) {
    return function (ev) {
      var data = ev && ev.data;
      if (!data || data.type !== RESULT || !data.data || !Array.isArray(data.data.items)) {
        return listener.call(this, ev);
      }
      var copy = {};
      Object.keys(data.data).forEach(function (k) { copy[k] = data.data[k]; });
      try { copy.items = rerank(data.data.items); } catch (err) { return listener.call(this, ev); }
      return listener.call(this, { type: ev.type, data: { type: data.type, data: copy } });
    };
  }

  function patch(Worker) {
    if (!Worker || !Worker.prototype || Worker.prototype.__studyRanked) return;
    var add = Worker.prototype.addEventListener;
    var remove = Worker.prototype.removeEventListener;
    var wrapped = new WeakMap();
    Worker.prototype.addEventListener = function (type, listener, options) {
      if (type !== "message" || typeof listener !== "function") return add.call(this, type, listener, options);
      if (!wrapped.has(listener)) wrapped.set(listener, wrap(listener));
      return add.call(this, type, wrapped.get(listener), options);
    };
    Worker.prototype.removeEventListener = function (type, listener, options) {
      var fn = type === "message" && wrapped.has(listener) ? wrapped.get(listener) : listener;
      return remove.call(this, type, fn, options);
    };
    Worker.prototype.__studyRanked = true;
  }

  patch(window.Worker);
})();
