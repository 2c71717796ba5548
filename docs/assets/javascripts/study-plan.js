/* study-plan.js: the study plan's checkboxes (this file is their only owner) and the home page's call
 * to action.
 *
 * A question on the plan is done when its card is Young or better (study-store.js), or when the reader
 * ticked it here; a notebook is done when ticked. Ticks are kept apart from the review history:
 * "Reset progress" clears the ticks only (and says so); erasing the review history is a separate
 * action (study-export.js) that offers an export first. Questions and notebooks are counted apart.
 */
(function () {
  "use strict";

  var S = window.Study;
  var st = S.store;
  var w = S.widgets;
  var el = S.el;

  function itemKey(box) {
    var item = box.closest("li");
    var link = item && item.querySelector("a[href]");
    if (link) return S.sitePath(link.getAttribute("href"));
    return "text:" + (item ? item.textContent.trim().replace(/\s+/g, " ") : "");
  }

  // Every box of the plan with what it stands for: { box, key, id (question) | null, section }
  function planItems(plan) {
    var items = [];
    var section = null;
    plan.querySelectorAll("h2, .task-list-item input[type=checkbox]").forEach(function (node) {
      if (node.tagName === "H2") { section = node; return; }
      var key = itemKey(node);
      items.push({ box: node, key: key, id: st.keyQuestion(key), section: section });
    });
    return items;
  }

  function isDone(item, ticks, store) {
    if (item.id && st.isLearned(item.id, store)) return true;
    return ticks[item.key] === true;
  }

  function tally(items) {
    var t = { q: 0, qDone: 0, nb: 0, nbDone: 0 };
    items.forEach(function (i) {
      if (i.id) { t.q += 1; if (i.box.checked) t.qDone += 1; } else { t.nb += 1; if (i.box.checked) t.nbDone += 1; }
    });
    return t;
  }

  function tallyText(t) {
    var parts = [];
    if (t.q) parts.push(t.qDone + " / " + S.plural(t.q, "question") + " learned");
    if (t.nb) parts.push(t.nbDone + " / " + S.plural(t.nb, "notebook") + " done");
    return parts.join(" · ");
  }

  function render(plan) {
    var ticks = st.readTicks();
    var store = st.read();
    var at = st.now();
    var items = planItems(plan);
    items.forEach(function (i) {
      var learned = i.id && st.isLearned(i.id, store);
      i.box.checked = isDone(i, ticks, store);
      var li = i.box.closest("li");
      li.classList.toggle("is-done", i.box.checked);
      li.classList.toggle("is-learned", !!learned);
      if (i.id) {
        var old = li.querySelector(".rv-chip[data-progress-qid]");
        var chip = w.statusChip(i.id, store, at);
        if (old) old.replaceWith(chip); else li.appendChild(chip);
      }
    });
    var sections = [];
    items.forEach(function (i) { if (i.section && sections.indexOf(i.section) < 0) sections.push(i.section); });
    sections.forEach(function (h2) {
      var own = items.filter(function (i) { return i.section === h2; });
      var t = tally(own);
      h2.querySelector(".plan-progress").textContent = tallyText(t);
      h2.classList.toggle("plan-section--complete", t.qDone + t.nbDone === own.length);
    });
    var all = tally(items);
    var pct = all.q ? Math.round((100 * all.qDone) / all.q) : 0;
    var bar = plan.querySelector(".plan-overall__bar");
    bar.setAttribute("aria-valuenow", String(all.qDone));
    bar.setAttribute("aria-valuemax", String(all.q));
    bar.setAttribute("aria-valuetext", all.qDone + " of " + all.q + " questions learned");
    bar.querySelector(".plan-overall__fill").style.width = pct + "%";
    plan.querySelector(".plan-overall__label").textContent = tallyText(all) + " (" + pct + " % of the questions)";
  }

  function resetTicks(plan, status) {
    var ticks = st.readTicks();
    var n = Object.keys(ticks).filter(function (k) { return ticks[k]; }).length;
    var cards = Object.keys(st.read().cards).length;
    var question = "Clear the " + S.plural(n, "tick") + " you set on this page?\n\nYour review history (" + S.plural(cards, "rated card") +
      ") is kept: questions you have learned to Young or better stay done. To erase the review history, use \u201cErase review history\u201d.";
    if (!window.confirm(question)) return;
    st.writeTicks({});
    render(plan);
    status.textContent = "Cleared " + S.plural(n, "plan tick") + ". Review history kept (" + S.plural(cards, "card") + ").";
  }

  function overallBox(plan) {
    var overall = el("div", { "class": "plan-overall" });
    var bar = el("div", { "class": "plan-overall__bar", role: "progressbar", "aria-label": "Study plan progress", "aria-valuemin": "0" });
    bar.appendChild(el("div", { "class": "plan-overall__fill" }));
    overall.appendChild(bar);
    overall.appendChild(el("span", { "class": "plan-overall__label", "aria-hidden": "true" }));
    var status = el("p", { "class": "plan-overall__status rv-message", role: "status" });
    var actions = el("div", { "class": "plan-overall__actions" });
    var reset = el("button", { type: "button", "class": "plan-overall__reset rv-btn" }, "Reset plan ticks");
    reset.addEventListener("click", function () { resetTicks(plan, status); });
    actions.appendChild(reset);
    actions.appendChild(S.data.eraseButton(status, function () { render(plan); }));
    overall.appendChild(actions);
    overall.appendChild(status);
    return overall;
  }

  // The questions the curated days leave out are not in the page (hooks/studysite/studyplan.py): each
  // topic's note is replaced by their checklist, in plan order, as the build would have written it.
  function listRest(plan) {
    var curated = {};
    st.DATA.days.forEach(function (d) { (d.questions || []).forEach(function (id) { curated[id] = true; }); });
    plan.querySelectorAll(".plan-rest[data-plan-topic]").forEach(function (note) {
      var slug = note.getAttribute("data-plan-topic");
      var list = el("ul", { "class": "task-list plan-rest-list" });
      st.DATA.questions.forEach(function (q) {
        if (q.topic !== slug || curated[q.id]) return;
        var li = el("li", { "class": "task-list-item" });
        var label = el("label", { "class": "task-list-control" });
        label.appendChild(el("input", { type: "checkbox", disabled: "" }));
        label.appendChild(el("span", { "class": "task-list-indicator" }));
        li.appendChild(label);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(el("a", { href: S.siteUrl(q.permalink) }, q.title));
        list.appendChild(li);
      });
      if (list.children.length) note.replaceWith(list);
    });
  }

  function initPlan() {
    var plan = document.querySelector(".study-plan");
    if (!plan || plan.hasAttribute("data-plan-ready")) return;
    plan.setAttribute("data-plan-ready", "");
    listRest(plan);
    plan.querySelectorAll("h2").forEach(function (h2) {
      h2.insertBefore(el("span", { "class": "plan-progress", "aria-live": "polite" }), h2.querySelector(".headerlink"));
    });
    plan.insertBefore(overallBox(plan), plan.firstChild);
    planItems(plan).forEach(function (i) {
      var li = i.box.closest("li");
      var text = li ? li.textContent.trim().replace(/\s+/g, " ") : "";
      if (text) i.box.setAttribute("aria-label", "Done: " + text.slice(0, 120));
      i.box.disabled = false;
      i.box.removeAttribute("disabled");
      i.box.addEventListener("change", function () {
        var ticks = st.readTicks();
        ticks[i.key] = i.box.checked;
        st.writeTicks(ticks); // → S.changed() → render(): a learned card keeps its box ticked
      });
      var link = li && li.querySelector("a[href]");
      if (link && i.id) link.addEventListener("click", function () { S.fromPlan(i.id); });
    });
    render(plan);
  }

  /* -------------------------------- the home page's way in -------------------------------- */

  function initHome() {
    var box = document.querySelector(".study-start");
    if (!box) return;
    var go = box.querySelector(".study-start__go");
    if (!go || !st.hasProgress()) return;
    var store = st.read();
    var q = st.reviewQueue(st.settings(), store, st.now());
    go.textContent = "Continue: " + q.due + " due, " + q.newShown + " new today";
    go.setAttribute("href", S.siteUrl(st.DATA.pages.review));
    go.setAttribute("data-state", "continue");
  }

  S.onPage(function () { initPlan(); initHome(); });
  S.onChange(function () {
    var plan = document.querySelector(".study-plan[data-plan-ready]");
    if (plan) render(plan);
    initHome();
  });
})();
