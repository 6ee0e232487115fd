// The map of papers by touch: a tap shows the title of the nearest dot (within a finger's
// width, as a dot is a few pixels wide on a phone) in #map-info with a link to the paper;
// tapping the same dot again follows it. A mouse keeps the dots as plain links (hover shows
// the title, a click follows it); a dot the mouse or the keyboard reaches is shown too.
// Without this script every dot is still a link with its title as a tooltip.
(function () {
  "use strict";
  var svg = document.querySelector(".map-figure svg");
  var info = document.getElementById("map-info");
  if (!svg || !info) return;
  var REACH = 24; // CSS px around a tap within which a dot counts as tapped
  var dots = Array.prototype.map.call(svg.querySelectorAll("a"), function (a) {
    var c = a.querySelector("circle");
    return { a: a, c: c, x: +c.getAttribute("cx"), y: +c.getAttribute("cy") };
  });
  var themes = {};
  document.querySelectorAll(".map-figure .legend li").forEach(function (li) {
    var swatch = li.querySelector(".swatch");
    if (swatch) themes[swatch.classList[1]] = li.textContent.trim();
  });
  var selected = null;
  var pointer = "";

  info.hidden = false;
  info.textContent = "Tap or point at a dot to see its title here.";

  function show(dot) {
    if (selected) selected.a.classList.remove("selected");
    selected = dot;
    if (!dot) {
      info.textContent = "Tap or point at a dot to see its title here.";
      return;
    }
    dot.a.classList.add("selected");
    var title = dot.c.querySelector("title");
    var link = document.createElement("a");
    link.href = dot.a.getAttribute("href");
    link.textContent = title ? title.textContent : "the paper";
    info.textContent = "";
    info.appendChild(link);
    var theme = themes[dot.c.getAttribute("class")];
    if (theme) {
      var span = document.createElement("span");
      span.className = "muted";
      span.textContent = " · " + theme;
      info.appendChild(span);
    }
  }

  function nearest(clientX, clientY) {
    var m = svg.getScreenCTM();
    if (!m) return null;
    var best = null;
    var bestD = REACH * REACH;
    dots.forEach(function (d) {
      var dx = m.a * d.x + m.c * d.y + m.e - clientX;
      var dy = m.b * d.x + m.d * d.y + m.f - clientY;
      var d2 = dx * dx + dy * dy;
      if (d2 <= bestD) { best = d; bestD = d2; }
    });
    return best;
  }

  svg.addEventListener("pointerdown", function (e) { pointer = e.pointerType; });
  svg.addEventListener("click", function (e) {
    var touch = pointer === "touch" || pointer === "pen";
    pointer = "";
    if (!touch || e.detail === 0) return; // a mouse click or the keyboard: follow the link
    var dot = nearest(e.clientX, e.clientY);
    e.preventDefault();
    if (dot && dot === selected) { // the second tap on a dot follows it
      window.location.assign(dot.a.getAttribute("href"));
      return;
    }
    show(dot);
  });
  svg.addEventListener("pointerover", function (e) {
    if (e.pointerType !== "mouse") return; // a tap's own "over" must not select before it
    var a = e.target.closest && e.target.closest("a");
    if (a) dots.forEach(function (d) { if (d.a === a) show(d); });
  });
  document.addEventListener("keydown", function () { pointer = ""; });
  svg.addEventListener("focusin", function (e) {
    if (pointer) return; // focus that a tap or a click gives: the click decides
    dots.forEach(function (d) { if (d.a === e.target) show(d); });
  });
})();
