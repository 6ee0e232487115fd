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

  let loaded = null;
  function load() {
    // The index comes in shards (pagefind/<n>/, listed in pagefind/shards.json): the first is
    // loaded, the others are merged into it, so one search covers every paper.
    if (!loaded) {
      loaded = (async function () {
        const listing = await fetch(new URL("pagefind/shards.json", base)).then((r) => {
          if (!r.ok) { throw new Error("no search index"); }
          return r.json();
        });
        const names = listing.shards.map((s) => s.name);
        const bundle = (name) => new URL("pagefind/" + name + "/", base);
        const pf = await import(new URL("pagefind.js", bundle(names[0])).href);
        await pf.options({ baseUrl: base.pathname, bundlePath: bundle(names[0]).pathname });
        for (const name of names.slice(1)) {
          await pf.mergeIndex(bundle(name).pathname, { baseUrl: base.pathname });
        }
        return pf;
      })();
      loaded.catch(() => { loaded = null; });
    }
    return loaded;
  }

  const memberLists = {};
  function themeMembers(slug) {
    if (!memberLists[slug]) {
      memberLists[slug] = fetch(new URL("data/themes/" + encodeURIComponent(slug) + ".json", base))
        .then((r) => {
          if (!r.ok) { throw new Error("no list of papers for this theme"); }
          return r.json();
        })
        .then((data) => new Set(data.papers));
      memberLists[slug].catch(() => { delete memberLists[slug]; });
    }
    return memberLists[slug];
  }

  function slugOf(url) {
    const match = /\/papers\/([^/?#]+)\.html(?:[?#]|$)/.exec(url);
    return match ? decodeURIComponent(match[1]) : "";
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
      pagefind = await load();
    } catch (err) {
      show("Search is not available here (it needs the site to be served over HTTP).");
      return;
    }
    const found = await pagefind.search(query);
    // The theme filter keeps the papers listed in data/themes/<theme>.json.
    const wanted = select.value;
    let members = null;
    if (wanted) {
      try {
        members = await themeMembers(wanted);
      } catch (err) {
        show("The theme filter is not available: " + err.message);
        return;
      }
    }
    const candidates = await Promise.all(found.results.slice(0, wanted ? SCAN : SHOW)
      .map((r) => r.data()));
    const matching = candidates.filter((d) => !members || members.has(slugOf(d.url)));
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
