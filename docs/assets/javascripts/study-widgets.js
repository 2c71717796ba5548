/* study-widgets.js: the small views every study page shares — level and state chips, the rating bar,
 * progress bars and counts. Pure builders: they read the store they are given and return elements. */
(function () {
  "use strict";

  var S = window.Study;
  var st = S.store;
  var el = S.el;

  // A keyboard hint ("Space", "1"): left out on touch-first devices, where there is no keyboard.
  function keyHint(key) {
    if (S.touchFirst()) return null;
    return el("kbd", { "class": "rv-key" }, key);
  }

  function withHint(node, key) {
    var hint = keyHint(key);
    if (hint) { node.appendChild(document.createTextNode(" ")); node.appendChild(hint); }
    return node;
  }

  function levelChip(level) {
    if (!level) return null;
    return el("span", { "class": "rv-chip rv-chip--level rv-chip--" + level, title: "Level" },
      st.LEVEL_LABELS[level] || level);
  }

  function statusChip(id, store, at) {
    var status = st.statusOf(id, store);
    var due = st.isDue(id, store, at);
    return el("span", {
      "class": "rv-chip rv-chip--" + status + (due ? " rv-chip--due" : ""),
      "data-progress-qid": id,
      "data-status": status
    }, st.statusText(id, store, at));
  }

  // The four rating buttons, with what each would do now ("10 min", "2 d"). The bar sticks to the
  // bottom of the window while its card is on screen, so rating never needs a scroll (review.css).
  function ratingBar(id, store, onRate, keys) {
    var group = el("div", { "class": "rv-rate rv-rate--sticky", role: "group", "aria-label": "How well did you remember it?" });
    group.appendChild(el("span", { "class": "rv-rate__prompt" }, "How well did you remember it?"));
    var hints = st.previews(id, store, st.now());
    st.RATINGS.forEach(function (r, i) {
      var button = el("button", { type: "button", "class": "rv-btn rv-rate__btn rv-rate__btn--" + r, "data-rating": r, "data-qid": id });
      var label = el("span", { "class": "rv-rate__label" });
      if (keys) {
        var hint = keyHint(String(i + 1));
        if (hint) { label.appendChild(hint); label.appendChild(document.createTextNode(" ")); }
      }
      label.appendChild(document.createTextNode(st.RATING_LABELS[r]));
      button.appendChild(label);
      if (hints[r]) button.appendChild(el("span", { "class": "rv-rate__when" }, hints[r]));
      button.addEventListener("click", function () { onRate(r); });
      group.appendChild(button);
    });
    return group;
  }

  var BAR_PARTS = ["mature", "young", "learning", "new"];

  function progressBar(c, label) {
    var wrap = el("div", {
      "class": "rv-bar", role: "img",
      "aria-label": label + ": " + c.mature + " mature, " + c.young + " young, " + c.learning + " learning, " + c["new"] + " new"
    });
    BAR_PARTS.forEach(function (k) {
      var part = el("span", { "class": "rv-bar__part rv-bar__part--" + k });
      part.style.width = (c.total ? (100 * c[k]) / c.total : 0) + "%";
      wrap.appendChild(part);
    });
    return wrap;
  }

  function countsLine(c) {
    var p = el("p", { "class": "rv-counts" });
    [["due", "due now"], ["new", "new"], ["learning", "learning"], ["young", "young"], ["mature", "mature"]].forEach(function (pair) {
      var item = el("span", { "class": "rv-count rv-count--" + pair[0], "data-count": pair[0] });
      item.appendChild(el("strong", null, String(c[pair[0]])));
      item.appendChild(document.createTextNode(" " + pair[1]));
      p.appendChild(item);
    });
    return p;
  }

  S.widgets = {
    keyHint: keyHint,
    withHint: withHint,
    levelChip: levelChip,
    statusChip: statusChip,
    ratingBar: ratingBar,
    progressBar: progressBar,
    countsLine: countsLine
  };
})();
