// Search with the Pagefind index the build wrote to pagefind/. Results are built with DOM
// methods and textContent only: nothing from the index is ever inserted as HTML.
(function () {
  "use strict";
  const form = document.querySelector(".search-page-form");
  const input = document.getElementById("q");
  const select = document.getElementById("theme-filter");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const base = new URL(".", document.baseURI);  // the site root: search.html lives there
  const params = new URLSearchParams(window.location.search);
  const SHOW = 50;  // results listed
  const SCAN = 500;  // results looked at when filtering by theme
  input.value = params.get("q") || "";
  select.value = params.get("theme") || "";

  function text(html) {
    // Excerpts carry <mark> tags; parse them inertly and keep the text alone.
    return new DOMParser().parseFromString(html, "text/html").body.textContent || "";
  }

  function show(message) {
    status.textContent = message;
  }

  async function run() {
    const query = input.value.trim();
    list.replaceChildren();
    if (!query) {
      show("Type a few words from a title or abstract.");
      return;
    }
    show("Searching…");
    let pagefind;
    try {
      pagefind = await import(new URL("pagefind/pagefind.js", base).href);
      await pagefind.options({ baseUrl: base.pathname });
    } catch (err) {
      show("Search is not available here (it needs the site to be served over HTTP).");
      return;
    }
    const found = await pagefind.search(query);
    // The theme filter reads each result's "themes" metadata (slugs separated by spaces).
    const wanted = select.value;
    const candidates = await Promise.all(found.results.slice(0, wanted ? SCAN : SHOW)
      .map((r) => r.data()));
    const matching = candidates.filter((d) => !wanted ||
      (d.meta.themes || "").split(" ").indexOf(wanted) >= 0);
    const total = wanted ? matching.length : found.results.length;
    const label = wanted ? " in " + select.options[select.selectedIndex].text : "";
    show(total + (total === 1 ? " paper" : " papers") + " found for “" + query + "”" + label +
         (total > SHOW ? "; the first " + SHOW + ":" : "."));
    for (const data of matching.slice(0, SHOW)) {
      const item = document.createElement("li");
      item.className = "paper-item";
      const heading = document.createElement("h2");
      heading.className = "paper-title";
      const link = document.createElement("a");
      link.href = data.url;
      link.textContent = data.meta.title || data.url;
      heading.appendChild(link);
      const excerpt = document.createElement("p");
      excerpt.className = "snippet";
      excerpt.textContent = text(data.excerpt);
      item.append(heading, excerpt);
      list.appendChild(item);
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    if (select.value) { url.searchParams.set("theme", select.value); } else { url.searchParams.delete("theme"); }
    window.history.replaceState(null, "", url);
    run();
  });
  run();
})();
